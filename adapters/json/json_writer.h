#pragma once
// Protobuf messages as JSON by the protobuf JSON mapping, as the HTTP API renders them (original
// field names, defaults omitted). Compact output of our plain API messages uses a direct writer
// (about ten times faster than protobuf's printer, byte-equal to it: json_test.cc); everything
// else goes to protobuf's printer.

#include <google/protobuf/message.h>

#include <string>

namespace motcua {

std::string ToJson(const google::protobuf::Message& m, bool pretty);
// Always protobuf's own printer (the reference the direct writer is tested against).
// Whether ToJson writes messages of `d` itself (plain fields and motcua.v1 messages; proto3
// optionals included) rather than through protobuf's printer.
bool DirectWriterApplies(const google::protobuf::Descriptor* d);
std::string ToJsonReference(const google::protobuf::Message& m, bool pretty);
// Appends `s`, which must be valid UTF-8 (utf8.h), as a quoted JSON string escaped as protobuf's
// printer escapes it.
void AppendJsonString(const std::string& s, std::string* out);

}  // namespace motcua
