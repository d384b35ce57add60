#pragma once
// The OpenAPI document's schemas as the protobuf messages define them, and a validator of JSON
// answers against them (openapi_test.cc checks the document, the transcript test validates every
// recorded answer).
//
// The JSON mapping decides the types: 64-bit integers are strings, enums their names, messages
// objects with snake_case fields; nothing else appears (unknown fields are refused).

#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <optional>
#include <string>

namespace motcua::testing {

using google::protobuf::Value;

// {"type": ...} (or {"$ref": ...}) of one field, without repetition.
inline Value FieldType(const google::protobuf::FieldDescriptor* f) {
  using FD = google::protobuf::FieldDescriptor;
  Value v;
  auto& s = *v.mutable_struct_value()->mutable_fields();
  switch (f->cpp_type()) {
    case FD::CPPTYPE_STRING:
      s["type"].set_string_value("string");
      break;
    case FD::CPPTYPE_INT32:
    case FD::CPPTYPE_UINT32:
      s["type"].set_string_value("integer");
      break;
    case FD::CPPTYPE_INT64:
    case FD::CPPTYPE_UINT64:
      s["type"].set_string_value("string");  // the JSON mapping writes them as text
      s["format"].set_string_value("int64");
      break;
    case FD::CPPTYPE_BOOL:
      s["type"].set_string_value("boolean");
      break;
    case FD::CPPTYPE_DOUBLE:
    case FD::CPPTYPE_FLOAT:
      s["type"].set_string_value("number");
      break;
    case FD::CPPTYPE_ENUM: {
      s["type"].set_string_value("string");
      auto* names = s["enum"].mutable_list_value();
      for (int i = 0; i < f->enum_type()->value_count(); ++i) {
        names->add_values()->set_string_value(f->enum_type()->value(i)->name());
      }
      break;
    }
    case FD::CPPTYPE_MESSAGE:
      s["$ref"].set_string_value("#/components/schemas/" + f->message_type()->name());
      break;
  }
  return v;
}

// The schema of a message: an object with exactly its fields.
inline Value MessageSchema(const google::protobuf::Descriptor* d) {
  Value v;
  auto& s = *v.mutable_struct_value()->mutable_fields();
  s["type"].set_string_value("object");
  auto& props = *s["properties"].mutable_struct_value()->mutable_fields();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->is_repeated()) {
      Value arr;
      auto& a = *arr.mutable_struct_value()->mutable_fields();
      a["type"].set_string_value("array");
      a["items"] = FieldType(f);
      props[f->name()] = arr;
    } else {
      props[f->name()] = FieldType(f);
    }
  }
  return v;
}

inline const Value* Get(const Value& v, const std::string& key) {
  if (v.kind_case() != Value::kStructValue) return nullptr;
  auto it = v.struct_value().fields().find(key);
  return it == v.struct_value().fields().end() ? nullptr : &it->second;
}

inline std::string Str(const Value* v) {
  return v && v->kind_case() == Value::kStringValue ? v->string_value() : "";
}

// Why `value` does not fit `schema` (empty when it does); `doc` is the whole OpenAPI document,
// for $ref.
inline std::string Validate(const Value& value, const Value& schema, const Value& doc,
                            const std::string& at) {
  if (const std::string ref = Str(Get(schema, "$ref")); !ref.empty()) {
    const std::string name = ref.substr(ref.rfind('/') + 1);
    const Value* components = Get(doc, "components");
    const Value* schemas = components ? Get(*components, "schemas") : nullptr;
    const Value* target = schemas ? Get(*schemas, name) : nullptr;
    if (!target) return at + ": no schema " + name;
    return Validate(value, *target, doc, at);
  }
  const std::string type = Str(Get(schema, "type"));
  auto kind_is = [&](Value::KindCase k) { return value.kind_case() == k; };
  if (type == "object") {
    if (!kind_is(Value::kStructValue)) return at + ": expected an object";
    const Value* props = Get(schema, "properties");
    if (!props) return at + ": the schema of an object lists no properties";
    for (const auto& [key, sub] : value.struct_value().fields()) {
      const Value* p = Get(*props, key);
      if (!p) return at + "." + key + ": not in the schema";
      if (std::string e = Validate(sub, *p, doc, at + "." + key); !e.empty()) return e;
    }
    return "";
  }
  if (type == "array") {
    if (!kind_is(Value::kListValue)) return at + ": expected an array";
    const Value* items = Get(schema, "items");
    for (int i = 0; items && i < value.list_value().values_size(); ++i) {
      if (std::string e = Validate(value.list_value().values(i), *items, doc,
                                   at + "[" + std::to_string(i) + "]");
          !e.empty()) {
        return e;
      }
    }
    return "";
  }
  if (type == "string") {
    if (!kind_is(Value::kStringValue)) return at + ": expected a string";
    if (const Value* e = Get(schema, "enum")) {
      for (const Value& name : e->list_value().values()) {
        if (name.string_value() == value.string_value()) return "";
      }
      return at + ": '" + value.string_value() + "' is not one of the enum";
    }
    return "";
  }
  if (type == "integer") {
    if (!kind_is(Value::kNumberValue) ||
        value.number_value() != static_cast<double>(static_cast<int64_t>(value.number_value()))) {
      return at + ": expected an integer";
    }
    return "";
  }
  if (type == "number") return kind_is(Value::kNumberValue) ? "" : at + ": expected a number";
  if (type == "boolean") return kind_is(Value::kBoolValue) ? "" : at + ": expected a boolean";
  return "";  // no type: anything
}

inline std::optional<Value> ParseJson(const std::string& json) {
  Value v;
  if (!google::protobuf::util::JsonStringToMessage(json, &v).ok()) return std::nullopt;
  return v;
}

// The schema of the answer `status` of `method` on the OpenAPI path `path`, or null.
inline const Value* ResponseSchema(const Value& doc, const std::string& path,
                                   const std::string& method, int status) {
  const Value* paths = Get(doc, "paths");
  const Value* p = paths ? Get(*paths, path) : nullptr;
  std::string m = method;
  for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (m == "head") m = "get";
  const Value* op = p ? Get(*p, m) : nullptr;
  const Value* responses = op ? Get(*op, "responses") : nullptr;
  const Value* r = responses ? Get(*responses, std::to_string(status)) : nullptr;
  const Value* content = r ? Get(*r, "content") : nullptr;
  if (!content) return nullptr;
  for (const char* type : {"application/json", "application/problem+json"}) {
    if (const Value* c = Get(*content, type)) return Get(*c, "schema");
  }
  return nullptr;
}

}  // namespace motcua::testing
