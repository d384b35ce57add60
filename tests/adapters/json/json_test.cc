// The direct JSON writer produces exactly what protobuf's JSON printer does, for every API
// message shape: nested, repeated, enums, 64-bit integers, defaults omitted, and strings that
// need escaping.

#include <gtest/gtest.h>

#include "adapters/json/json_reader.h"
#include "adapters/json/json_writer.h"
#include "adapters/json/utf8.h"
#include "adapters/proto/definition_codec.h"
#include "adapters/yaml/definition_loader.h"
#include "motcua/v1/api.pb.h"

namespace motcua {
namespace {

const char* const kTricky[] = {"Nguyễn Văn An",
                               "quote \" and back\\slash",
                               "tab\tnew\nline\rcr",
                               "<script>&amp;",
                               "\x01\x1f control",
                               "emoji 😀 and ₫",
                               "line sep \u2028 para \u2029",
                               "",
                               "/slash/ and 'single'",
                               "\x7f del"};

TEST(JsonTest, DirectWriterMatchesProtobufOnViews) {
  for (const char* text : kTricky) {
    v1::CommandResponse r;
    auto* d = r.mutable_dossier();
    d->set_id("019abc0000000000beef");
    d->set_version(7);
    d->set_number(text);
    d->mutable_applicant()->set_name(text);
    d->add_documents()->set_document_id(text);
    d->mutable_documents(0)->set_count(2);
    d->set_paused(true);
    d->add_allowed_actions("forward");
    d->add_allowed_actions(text);
    auto* e = r.add_events();
    e->set_type("forwarded");
    e->set_position(1234567890123LL);
    e->mutable_hand_over()->set_note(text);
    r.set_replayed(false);
    EXPECT_EQ(ToJson(r, false), ToJsonReference(r, false)) << text;
    // A proto3 optional (a synthetic oneof) is written when set, zero too, as protobuf does:
    // views with one (EventView's hand-over) take the direct writer as well.
    e->mutable_hand_over()->set_working_seconds(0);
    auto* f = e->mutable_file();
    f->set_size(5000016);
    f->set_name(text);
    EXPECT_EQ(ToJson(*e, false), ToJsonReference(*e, false)) << text;
    EXPECT_NE(ToJson(*e, false).find("\"working_seconds\":0"), std::string::npos);
    EXPECT_TRUE(DirectWriterApplies(v1::EventView::descriptor()));
  }
}

// Every scalar field of `m` set (a different subset left default each round `n`), strings and
// repeated strings to `text`.
void FillScalars(google::protobuf::Message* m, const char* text, int n) {
  const auto* desc = m->GetDescriptor();
  const auto* refl = m->GetReflection();
  for (int i = 0; i < desc->field_count(); ++i) {
    const auto* f = desc->field(i);
    if ((i + n) % 3 == 0) continue;
    using FD = google::protobuf::FieldDescriptor;
    if (f->is_repeated() && f->cpp_type() == FD::CPPTYPE_STRING) {
      refl->AddString(m, f, text);
      refl->AddString(m, f, "second");
    } else if (f->is_repeated()) {
      continue;
    } else if (f->cpp_type() == FD::CPPTYPE_STRING) {
      refl->SetString(m, f, text);
    } else if (f->cpp_type() == FD::CPPTYPE_INT32) {
      refl->SetInt32(m, f, i % 2 ? -(i + 1) : 1 << (i % 31));
    } else if (f->cpp_type() == FD::CPPTYPE_INT64) {
      refl->SetInt64(m, f, 1234567890123LL * (i % 2 ? -1 : 1));
    } else if (f->cpp_type() == FD::CPPTYPE_BOOL) {
      refl->SetBool(m, f, true);
    }
  }
}

// The dossier view has its own writer (no reflection): every field, set and unset.
TEST(JsonTest, DossierViewWriterMatchesProtobuf) {
  v1::DossierView empty;
  EXPECT_EQ(ToJson(empty, false), ToJsonReference(empty, false));
  v1::DossierView bare_applicant;
  bare_applicant.mutable_applicant();
  EXPECT_EQ(ToJson(bare_applicant, false), ToJsonReference(bare_applicant, false));
  int n = 0;
  for (const char* text : kTricky) {
    v1::DossierView v;
    FillScalars(&v, text, n);
    // Every applicant field, in the order of their numbers (id_kind, 7, comes last).
    v1::Applicant* a = v.mutable_applicant();
    for (int i = 0; i < a->GetDescriptor()->field_count(); ++i) {
      if ((i + n) % 4 != 0) a->GetReflection()->SetString(a, a->GetDescriptor()->field(i), text);
    }
    v.mutable_applicant()->set_name(text);
    v.mutable_applicant()->set_email("a@b.vn");
    auto* file = v.add_files();
    file->set_document_id(text);
    file->set_sha256(std::string(64, 'a'));
    file->set_size(123456789012);
    file->set_name(text);
    file->set_href(text);
    v.add_files();
    auto* d = v.add_documents();
    d->set_document_id(text);
    d->set_count(3);
    v.add_documents()->set_document_id("no-count");
    EXPECT_EQ(ToJson(v, false), ToJsonReference(v, false)) << text;
    // Inside another message too (lists, command responses).
    v1::DossierList list;
    *list.add_dossiers() = v;
    list.add_dossiers();
    list.set_next_cursor(text);
    EXPECT_EQ(ToJson(list, false), ToJsonReference(list, false)) << text;
    ++n;
  }
}

// The event view has its own writer too: every field, set and unset, in every message it sits in.
TEST(JsonTest, EventViewWriterMatchesProtobuf) {
  v1::EventView empty;
  EXPECT_EQ(ToJson(empty, false), ToJsonReference(empty, false));
  int n = 0;
  for (const char* text : kTricky) {
    v1::EventView v;
    FillScalars(&v, text, n);
    if (n % 2 == 0) {
      auto* h = v.mutable_hand_over();
      h->set_step_id(text);
      h->set_note(text);
      if (n % 4 == 0) h->set_working_seconds(0);
    }
    if (n % 3 != 2) {
      auto* f = v.mutable_file();
      f->set_document_id(text);
      f->set_size(n);
      f->set_href(text);
    }
    v.add_documents()->set_document_id(text);
    v.mutable_documents(0)->set_count(2);
    v.add_documents();
    EXPECT_EQ(ToJson(v, false), ToJsonReference(v, false)) << text;
    v1::CommandResponse r;
    *r.add_events() = v;
    r.add_events();
    r.set_replayed(true);
    EXPECT_EQ(ToJson(r, false), ToJsonReference(r, false)) << text;
    ++n;
  }
}

std::string Utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xc0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xe0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    s += static_cast<char>(0xf0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return s;
}

TEST(JsonTest, EscapesTheSameCodePointsAsProtobuf) {
  // Every ASCII character, and both sides of each escaped range of protobuf's printer.
  std::vector<uint32_t> points;
  for (uint32_t c = 1; c < 0x80; ++c) points.push_back(c);
  for (uint32_t edge :
       {0x80u,    0x9fu,    0xadu,    0x600u,   0x603u,          0x6ddu,          0x70fu,
        0x17b4u,  0x17b5u,  0x200bu,  0x200fu,  0x2028u,         0x202eu,         0x2060u,
        0x2064u,  0x206au,  0x206fu,  0xfeffu,  0xfff9u,         0xfffbu,         0x1d173u,
        0x1d17au, 0xe0001u, 0xe0020u, 0xe007fu, 0x1ea1u /* ạ */, 0x20abu /* ₫ */, 0x1f600u}) {
    points.push_back(edge - 1);
    points.push_back(edge);
    points.push_back(edge + 1);
  }
  for (uint32_t cp : points) {
    v1::Problem p;
    p.set_detail("a" + Utf8(cp) + "b");
    EXPECT_EQ(ToJson(p, false), ToJsonReference(p, false)) << std::hex << cp;
  }
}

TEST(JsonTest, DirectWriterMatchesProtobufOnProcedures) {
  DefinitionSet set = LoadDefinitions(std::string(MOTCUA_SOURCE_DIR) + "/definitions");
  ASSERT_TRUE(set.ok());
  v1::ProcedureList list;
  for (const auto& p : set.procedures) ToProto(*p, list.add_procedures());
  EXPECT_EQ(ToJson(list, false), ToJsonReference(list, false));
  v1::Problem problem;
  problem.set_type("urn:problem:motcua:stale-version");
  problem.set_status(412);
  problem.set_detail("Expected version 7 of dossier 'x', but it is at version 1");
  EXPECT_EQ(ToJson(problem, false), ToJsonReference(problem, false));
  v1::DossierList empty;
  EXPECT_EQ(ToJson(empty, false), "{}");
  EXPECT_EQ(ToJsonReference(empty, false), "{}");
}

}  // namespace
}  // namespace motcua

namespace motcua {
namespace {

// The direct reader takes the plain bodies clients send...
const char* const kPlainBodies[] = {
    R"({"procedure_code":"2.000908","receiving_agency":"000.17.22.H56","applicant":{"name":"Nguyễn Văn An","id_number":"001090012345"},"documents":[{"document_id":"identity_paper","count":1}]})",
    R"( { "mode" : "submit" , "procedureCode" : "1.001193", "documents" : [ ] , "applicant" : { } } )",
    R"({"command":"act","action":"forward"})",
    R"({"command":"act","action":"request_supplement","missing":["a","b\"c","tab\there","slash\/ok"]})",
    R"({"comment":"line\nbreak \\ back","extend_by":"5 WD"})",
    R"({"documents":[{"document_id":"x","count":-3},{"count":2147483647}]})",
    "{}",
};

// ...and hands everything else to protobuf: escapes it does not handle, numbers as strings or
// with fractions, null, unknown or repeated fields, bad UTF-8, trailing data, errors.
const char* const kOtherBodies[] = {
    R"({"comment":"\u0041\u1ea1"})",
    R"({"documents":[{"count":"3"}]})",
    R"({"documents":[{"count":3.0}]})",
    R"({"documents":[{"count":1e2}]})",
    R"({"documents":[{"count":-0}]})",
    R"({"documents":[{"count":01}]})",
    R"({"documents":[{"count":2147483648}]})",
    R"({"comment":null})",
    R"({"nope":1})",
    R"({"comment":"a","comment":"b"})",
    "{\"comment\":\"\xc3\x28\"}",
    "{\"comment\":\"ctl\x01\"}",
    R"({"comment":"a"} trailing)",
    R"({"comment":"a",})",
    R"([1,2])",
    "",
    R"({"applicant":"x"})",
    R"({"documents":{"document_id":"x"}})",
    R"({"missing":"x"})",
};

template <typename M>
void ExpectSameAsProtobuf(const std::string& body, bool direct_expected) {
  M direct;
  const bool handled = DirectJsonToMessage(body, &direct);
  if (direct_expected) {
    EXPECT_TRUE(handled) << body;
  }
  M reference;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  const bool ok = google::protobuf::util::JsonStringToMessage(body, &reference, opts).ok();
  if (handled) {
    ASSERT_TRUE(ok) << "direct reader accepted what protobuf rejects: " << body;
    EXPECT_EQ(direct.SerializeAsString(), reference.SerializeAsString()) << body;
  }
  // The public entry point always agrees with protobuf.
  M combined;
  EXPECT_EQ(JsonToMessage(body, &combined).ok(), ok) << body;
  if (ok) {
    EXPECT_EQ(combined.SerializeAsString(), reference.SerializeAsString()) << body;
  }
}

TEST(JsonReader, PlainBodiesAreReadDirectlyAndEqualProtobuf) {
  for (const char* body : kPlainBodies) {
    const std::string b = body;
    const bool is_command = b.find("command") != std::string::npos ||
                            b.find("missing") != std::string::npos ||
                            b.find("extend_by") != std::string::npos;
    if (is_command) {
      ExpectSameAsProtobuf<v1::DossierCommandRequest>(b, true);
    } else {
      ExpectSameAsProtobuf<v1::CreateDossierRequest>(b, true);
    }
  }
}

TEST(JsonReader, EverythingElseGetsProtobufsAnswer) {
  for (const char* body : kOtherBodies) {
    ExpectSameAsProtobuf<v1::CreateDossierRequest>(body, false);
    ExpectSameAsProtobuf<v1::DossierCommandRequest>(body, false);
  }
}

// A field given twice, under either of its names, is refused by path: protobuf would keep the
// last silently and the request is ambiguous.
TEST(JsonReader, AFieldGivenTwiceIsRefusedByPath) {
  auto twice = [](const std::string& body) {
    v1::CreateDossierRequest m;
    std::string error;
    const bool ok = ReadJsonBody(body, 32, &m, &error);
    return ok ? std::string("accepted") : error;
  };
  EXPECT_EQ(twice(R"({"procedure_code":"a","procedure_code":"b"})"),
            "field 'procedure_code' is given twice");
  EXPECT_EQ(twice(R"({"procedure_code":"a","procedureCode":"b"})"),
            "field 'procedure_code' is given twice");
  EXPECT_EQ(twice(R"({"procedure_code":"a","proc\u0065dure_code":"b"})"),
            "field 'procedure_code' is given twice");
  EXPECT_EQ(twice(R"({"applicant":{"name":"A","phone":"1","name":"B"}})"),
            "field 'applicant.name' is given twice");
  EXPECT_EQ(twice(R"({"documents":[{"document_id":"a"},{"document_id":"b","count":1,"count":2}]})"),
            "field 'documents.count' is given twice");
  // The same name in different objects, and values that look like names, are not twice.
  EXPECT_EQ(twice(R"({"documents":[{"document_id":"a"},{"document_id":"b"}],"comment":"comment"})"),
            "accepted");
  EXPECT_EQ(twice(R"({"comment":"{\"comment\":1}","reason":"x"})"), "accepted");
  // A list field given one value (the parser would take a list of one) is refused.
  EXPECT_EQ(twice(R"({"documents":{"document_id":"a"}})"),
            "field 'documents' is a list: give a JSON array");
  EXPECT_EQ(twice(R"({"documents":null})"), "accepted");
  v1::StreamSubscribe s;
  std::string error;
  // A boolean given as text (the parser takes "no" as true) is refused.
  EXPECT_FALSE(ReadJsonBody(R"({"all":"no"})", 16, &s, &error));
  EXPECT_EQ(error, "field 'all' is a boolean: give true or false");
  EXPECT_TRUE(ReadJsonBody(R"({"all":true})", 16, &s, &error)) << error;
}

// Text from a request is made valid UTF-8 before it reaches a response or a log: well-formed
// sequences stay, every other byte becomes U+FFFD (RFC 3629 boundaries).
TEST(JsonTest, ValidUtf8ReplacesWhatIsNotUtf8) {
  const std::string r = "\xef\xbf\xbd";  // U+FFFD
  EXPECT_EQ(ValidUtf8("Nguyễn \xe2\x82\xac \xf0\x9f\x98\x80"),
            "Nguyễn \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(ValidUtf8("a\xff"
                      "b"),
            "a" + r + "b");
  EXPECT_EQ(ValidUtf8("\xc0\x80"), r + r);                  // overlong
  EXPECT_EQ(ValidUtf8("\xed\xa0\x80"), r + r + r);          // a surrogate
  EXPECT_EQ(ValidUtf8("\xf4\x90\x80\x80"), r + r + r + r);  // past U+10FFFF
  EXPECT_EQ(ValidUtf8("x\xe2\x82"), "x" + r + r);           // cut short
  std::string quoted;
  AppendJsonString(ValidUtf8("say \"hi\"\\\n\xff"), &quoted);
  EXPECT_EQ(quoted, "\"say \\\"hi\\\"\\\\\\n" + r + "\"");
}

}  // namespace
}  // namespace motcua
