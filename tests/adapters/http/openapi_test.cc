// The OpenAPI document's schemas are the API's protobuf messages: every schema named after a
// message has exactly its fields, with the JSON mapping's types, and every message a schema
// refers to has one. (The transcript test validates every recorded answer against them.)

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "motcua/v1/api.pb.h"
#include "tests/adapters/http/api_fixture.h"
#include "tests/adapters/http/openapi_schemas.h"

namespace motcua::testing {
namespace {

// The $ref names reachable from `v`.
void Refs(const Value& v, std::set<std::string>* out) {
  if (v.kind_case() == Value::kStructValue) {
    for (const auto& [k, sub] : v.struct_value().fields()) {
      if (k == "$ref" && sub.kind_case() == Value::kStringValue) {
        out->insert(sub.string_value().substr(sub.string_value().rfind('/') + 1));
      }
      Refs(sub, out);
    }
  } else if (v.kind_case() == Value::kListValue) {
    for (const Value& sub : v.list_value().values()) Refs(sub, out);
  }
}

// The parts of a property schema the mapping decides (a document may list the names a string
// field takes; the message's enums it must list as they are).
std::string Shape(const Value* p, bool with_enum) {
  if (p == nullptr) return "(absent)";
  std::string out = Str(Get(*p, "type")) + Str(Get(*p, "$ref"));
  if (const Value* items = Get(*p, "items")) out += "<" + Shape(items, with_enum) + ">";
  if (const Value* e = Get(*p, "enum"); e && with_enum) {
    out += "{";
    for (const Value& n : e->list_value().values()) out += n.string_value() + ",";
    out += "}";
  }
  return out;
}

TEST(OpenApiTest, EverySchemaIsTheMessageItNames) {
  std::optional<Value> doc = ParseJson(ReadSource("docs/openapi.json"));
  ASSERT_TRUE(doc);
  const Value* schemas = Get(*Get(*doc, "components"), "schemas");
  ASSERT_NE(schemas, nullptr);
  std::set<std::string> names;
  Refs(*doc, &names);
  for (const auto& [name, s] : schemas->struct_value().fields()) names.insert(name);
  int checked = 0;
  // MOTCUA_PRINT_SCHEMAS=FILE writes every generated schema there (to bring the document up to
  // date).
  Value all;
  for (const std::string& name : names) {
    const auto* d = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
        "motcua.v1." + name);
    if (d == nullptr) continue;  // Problem: not a message of ours? It is; others are plain.
    const Value generated = MessageSchema(d);
    std::string json;
    google::protobuf::util::JsonPrintOptions o;
    (void)google::protobuf::util::MessageToJsonString(generated, &json, o);
    (*all.mutable_struct_value()->mutable_fields())[name] = generated;
    // Struct keys print sorted: the field order goes beside them.
    auto& order = (*all.mutable_struct_value()->mutable_fields())["order:" + name];
    for (int i = 0; i < d->field_count(); ++i) {
      order.mutable_list_value()->add_values()->set_string_value(d->field(i)->name());
    }
    ++checked;
    const Value* documented = Get(*schemas, name);
    const Value* props = documented ? Get(*documented, "properties") : nullptr;
    if (props == nullptr) {
      ADD_FAILURE() << "no schema with properties for " << name << "; generated: " << json;
      continue;
    }
    const Value& want = *Get(generated, "properties");
    for (const auto& [field, p] : want.struct_value().fields()) {
      const bool with_enum = Get(p, "enum") != nullptr ||
                             (Get(p, "items") && Get(*Get(p, "items"), "enum") != nullptr);
      EXPECT_EQ(Shape(Get(*props, field), with_enum), Shape(&p, with_enum))
          << name << "." << field << "; generated: " << json;
    }
    for (const auto& [field, p] : props->struct_value().fields()) {
      EXPECT_NE(Get(want, field), nullptr)
          << name << "." << field << " is not a field of the message";
    }
  }
  if (const char* out = std::getenv("MOTCUA_PRINT_SCHEMAS")) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(all, &json);
    std::ofstream(out) << json;
  }
  EXPECT_GE(checked, 20);
}

}  // namespace
}  // namespace motcua::testing
