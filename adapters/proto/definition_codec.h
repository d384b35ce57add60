#pragma once
// Domain definitions → protobuf messages for the API (one direction: definitions are only
// ever read from YAML files).

#include <google/protobuf/util/json_util.h>

#include <string>
#include <string_view>

#include "engine/calendar/calendar.h"
#include "engine/calendar/deadline.h"
#include "engine/definition/procedure.h"
#include "motcua/v1/calendar.pb.h"
#include "motcua/v1/definition.pb.h"

namespace motcua {

void ToProto(const Procedure& p, v1::Procedure* out);
void ToProto(const WorkCalendar& c, v1::Calendar* out);
void ToProto(const Procedure& p, const WorkCalendar& c, const DueDate& d, v1::DuePreview* out);
// Protobuf JSON mapping, as the HTTP API renders it (original field names, defaults omitted).
// Compact output of our plain API messages uses a direct writer; everything else protobuf's.
std::string ToJson(const google::protobuf::Message& m, bool pretty);
// Always protobuf's own printer (the reference the direct writer is tested against).
std::string ToJsonReference(const google::protobuf::Message& m, bool pretty);

// Parses a JSON request body into `out` (protobuf JSON mapping, unknown fields rejected). Plain
// bodies (strings, integers, booleans, nested objects, arrays) take a direct reader; anything
// else, and every malformed body, goes to protobuf's parser, whose answer (and error message)
// is the reference. The direct reader never accepts what protobuf would reject.
google::protobuf::util::Status JsonToMessage(const std::string& json,
                                             google::protobuf::Message* out);
// The direct reader alone: true when it parsed `json` completely; false = not handled (`out` is
// then in an unspecified state).
bool DirectJsonToMessage(std::string_view json, google::protobuf::Message* out);

// Appends `s`, which must be valid UTF-8, as a quoted JSON string escaped as protobuf's printer
// escapes it.
void AppendJsonString(const std::string& s, std::string* out);
// `s` with every byte that does not begin a well-formed UTF-8 sequence replaced by U+FFFD (for
// text from a request that reaches a response or a log).
std::string ValidUtf8(std::string_view s);

}  // namespace motcua
