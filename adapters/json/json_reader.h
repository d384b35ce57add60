#pragma once
// Request bodies into protobuf messages, by the protobuf JSON mapping (unknown fields rejected).
// Plain bodies (strings, integers, booleans, nested objects, arrays) take a direct reader;
// anything else, and every malformed body, goes to protobuf's parser, whose answer (and error
// message) is the reference. The direct reader never accepts what protobuf would reject
// (tests/adapters/json/json_test.cc and the request fuzzer check it).

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace motcua {

// A request body: refused when it nests deeper than `max_depth` (before any parser sees it), else
// read by JsonToMessage. On failure `*error` says why, in the parser's words.
bool ReadJsonBody(const std::string& body, size_t max_depth, google::protobuf::Message* out,
                  std::string* error);
google::protobuf::util::Status JsonToMessage(const std::string& json,
                                             google::protobuf::Message* out);
// The direct reader alone: true when it parsed `json` completely; false = not handled (`out` is
// then in an unspecified state).
bool DirectJsonToMessage(std::string_view json, google::protobuf::Message* out);

}  // namespace motcua
