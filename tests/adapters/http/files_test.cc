// Files of a dossier's documents and of its result (adapters/http/files.cc) through the API
// without a socket: upload, type by content (415), size (413), the rules' refusals before a byte is
// stored, scope, downloads with ETag, ranges and 304, and the public lookup without files.

#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/files/file_store.h"
#include "engine/store/memory_store.h"
#include "tests/adapters/http/api_dossiers.h"

namespace motcua {
namespace {

const char kA[] = "000.17.22.H56";
const char kPdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

class FilesApiTest : public ::testing::Test {
 protected:
  static std::string Dir() {
    return ::testing::TempDir() + "/motcua-files-api-" + std::to_string(::getpid()) + "/";
  }
  FilesApiTest() : harness_(&store_, Tokens(), Principals(), Options()) {
    harness_.clock().Set(*ParseLocalDateTime("2026-03-02T08:00", 7 * 3600));
    id_ = testing::ReceiveCopyDossier(harness_, "cb1", kA, "Nguyễn Văn An", "r1", false);
  }
  ~FilesApiTest() override { std::filesystem::remove_all(Dir()); }
  static std::string Tokens() {
    std::filesystem::remove_all(Dir());
    std::filesystem::create_directories(Dir());
    return Dir() + "tokens.yaml";
  }
  static std::vector<testing::TestPrincipal> Principals() {
    return {
        {"cb1", "counter", kA}, {"sp1", "specialist", kA}, {"other", "counter", "000.18.22.H56"}};
  }
  static http::ApiOptions Options() {
    http::ApiOptions o;
    o.max_file_bytes = 4096;
    return o;
  }
  http::HttpResponse Put(const std::string& who, const std::string& document,
                         const std::string& body, const std::string& key,
                         std::map<std::string, std::string> headers = {},
                         const std::string& query = "") {
    headers["idempotency-key"] = key;
    return harness_.Answer("PUT",
                           "/v1/dossiers/" + id_ + "/documents/" + document + "/files" + query,
                           body, who, headers);
  }
  http::HttpResponse Get(const std::string& who, const std::string& target,
                         const std::map<std::string, std::string>& headers = {}) {
    return harness_.Answer("GET", target, "", who, headers);
  }
  static std::string Header(const http::HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  MemoryStore store_;
  testing::ApiHarness harness_;
  std::string id_;
};

TEST_F(FilesApiTest, AnUploadIsStoredByItsHashAndAttached) {
  http::HttpResponse r = Put("cb1", "identity_paper", kPdf, "u1", {}, "?name=CCCD%20B%C3%ACnh.pdf");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string sha = Sha256Hex(kPdf);
  const std::string href = "/v1/dossiers/" + id_ + "/documents/identity_paper/files/" + sha;
  EXPECT_EQ(Header(r, "Location"), href);
  EXPECT_EQ(Header(r, "ETag"), "\"2\"");
  EXPECT_NE(r.body.find("\"type\":\"file_attached\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"name\":\"CCCD Bình.pdf\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"media_type\":\"application/pdf\""), std::string::npos);
  EXPECT_NE(r.body.find("\"href\":\"" + href + "\""), std::string::npos);
  EXPECT_TRUE(harness_.files->Check(sha, static_cast<int64_t>(sizeof kPdf - 1)).ok());
  // The dossier lists it.
  http::HttpResponse d = Get("cb1", "/v1/dossiers/" + id_);
  EXPECT_NE(d.body.find("\"files\":[{\"document_id\":\"identity_paper\",\"sha256\":\"" + sha),
            std::string::npos)
      << d.body;
  // A retry with the same key replays the outcome; the same key with another file is refused.
  http::HttpResponse again =
      Put("cb1", "identity_paper", kPdf, "u1", {}, "?name=CCCD%20B%C3%ACnh.pdf");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_NE(again.body.find("\"replayed\":true"), std::string::npos);
  EXPECT_EQ(Put("cb1", "identity_paper", "%PDF-1.5\n%%EOF", "u1").status, 422);
  // The same content again under a new key: attached already.
  http::HttpResponse dup = Put("cb1", "identity_paper", kPdf, "u2");
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_NE(dup.body.find("attached already"), std::string::npos) << dup.body;
}

TEST_F(FilesApiTest, TypeIsJudgedByContentAndSizeIsBounded) {
  // A text file named .pdf is not a PDF.
  http::HttpResponse r =
      Put("cb1", "identity_paper", "just text, named like a PDF", "t1", {}, "?name=scan.pdf");
  EXPECT_EQ(r.status, 415) << r.body;
  EXPECT_NE(r.body.find("accepts pdf, jpg, png, xml; the content is none of the known types"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(Header(r, "Accept"), "application/pdf, image/jpeg, image/png, application/xml");
  // An XML file for a document that takes pdf, jpg and png only.
  r = Put("cb1", "relationship_proof", "<?xml version=\"1.0\"?><a/>", "t2");
  EXPECT_EQ(r.status, 415) << r.body;
  EXPECT_NE(r.body.find("document 'relationship_proof' accepts pdf, jpg, png; the content is a "
                        "xml file"),
            std::string::npos)
      << r.body;
  r = Put("cb1", "identity_paper", "%PDF-1.4\n" + std::string(5000, 'x') + "\n%%EOF", "t3");
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_NE(r.body.find("files are limited to 4096 bytes (max_file_bytes), got 5015"),
            std::string::npos)
      << r.body;
  r = Put("cb1", "identity_paper", "", "t4");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("empty-file"), std::string::npos);
  r = Put("cb1", "no_such_document", kPdf, "t5");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("has no document 'no_such_document'; expected one of identity_paper"),
            std::string::npos)
      << r.body;
  // Nothing refused was stored.
  EXPECT_TRUE(harness_.files->List()->empty());
}

TEST_F(FilesApiTest, TheRulesRefuseBeforeAByteIsStored) {
  // The specialist's step has not come: the dossier is at the counter's reception step.
  http::HttpResponse r = Put("sp1", "identity_paper", kPdf, "s1");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("Expected role 'counter' to attach a file to"), std::string::npos)
      << r.body;
  // A stale If-Match is refused; a malformed one is named.
  EXPECT_EQ(Put("cb1", "identity_paper", kPdf, "s2", {{"if-match", "\"7\""}}).status, 412);
  EXPECT_EQ(Put("cb1", "identity_paper", kPdf, "s3", {{"if-match", "7"}}).status, 400);
  // Writes need a key.
  EXPECT_EQ(
      harness_.Answer("PUT", "/v1/dossiers/" + id_ + "/documents/identity_paper/files", kPdf, "cb1")
          .status,
      400);
  EXPECT_TRUE(harness_.files->List()->empty());
}

TEST_F(FilesApiTest, OutsideTheScopeTheDossierAndItsFilesAreUnknown) {
  ASSERT_EQ(Put("cb1", "identity_paper", kPdf, "o1").status, 201);
  const std::string href =
      "/v1/dossiers/" + id_ + "/documents/identity_paper/files/" + Sha256Hex(kPdf);
  http::HttpResponse r = Get("other", href);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("no dossier '" + id_ + "'"), std::string::npos);
  EXPECT_EQ(Put("other", "identity_paper", "%PDF-1.7\n%%EOF", "o2").status, 404);
  EXPECT_EQ(Get("", href).status, 401);
  // A hash the dossier does not hold, and a document it is not filed under.
  EXPECT_EQ(
      Get("cb1", "/v1/dossiers/" + id_ + "/documents/identity_paper/files/" + std::string(64, 'a'))
          .status,
      404);
  EXPECT_EQ(
      Get("cb1", "/v1/dossiers/" + id_ + "/documents/relationship_proof/files/" + Sha256Hex(kPdf))
          .status,
      404);
}

TEST_F(FilesApiTest, DownloadsHaveTheHashAsETagAndServeRanges) {
  ASSERT_EQ(Put("cb1", "identity_paper", kPdf, "d1", {}, "?name=CCCD%20B%C3%ACnh.pdf").status, 201);
  const std::string sha = Sha256Hex(kPdf);
  const std::string href = "/v1/dossiers/" + id_ + "/documents/identity_paper/files/" + sha;
  const std::string size = std::to_string(sizeof kPdf - 1);
  http::HttpResponse r = Get("cb1", href);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, kPdf);
  EXPECT_EQ(r.content_type, "application/pdf");
  EXPECT_EQ(Header(r, "ETag"), "\"" + sha + "\"");
  EXPECT_EQ(Header(r, "Accept-Ranges"), "bytes");
  EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Header(r, "Content-Disposition"),
            "attachment; filename=\"CCCD B_nh.pdf\"; filename*=UTF-8''CCCD%20B%C3%ACnh.pdf");
  r = Get("cb1", href, {{"if-none-match", "\"" + sha + "\""}});
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  r = Get("cb1", href, {{"range", "bytes=0-7"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "%PDF-1.4");
  EXPECT_EQ(Header(r, "Content-Range"), "bytes 0-7/" + size);
  r = Get("cb1", href, {{"range", "bytes=-6"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "%%EOF\n");
  r = Get("cb1", href, {{"range", "bytes=40-"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "%EOF\n");
  r = Get("cb1", href, {{"range", "bytes=9999-"}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(Header(r, "Content-Range"), "bytes */" + size);
  // Several ranges, or a validator that no longer matches: the whole file.
  EXPECT_EQ(Get("cb1", href, {{"range", "bytes=0-1,4-5"}}).status, 200);
  EXPECT_EQ(Get("cb1", href, {{"range", "bytes=0-1"}, {"if-range", "\"old\""}}).status, 200);
  EXPECT_EQ(Get("cb1", href, {{"range", "items=0-1"}}).status, 200);
}

TEST_F(FilesApiTest, AFileLostFromTheStoreIsAnErrorNotAnEmptyAnswer) {
  ASSERT_EQ(Put("cb1", "identity_paper", kPdf, "l1").status, 201);
  ASSERT_TRUE(harness_.files->Remove(Sha256Hex(kPdf)).ok());
  http::HttpResponse r =
      Get("cb1", "/v1/dossiers/" + id_ + "/documents/identity_paper/files/" + Sha256Hex(kPdf));
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_NE(r.body.find("file-missing"), std::string::npos);
}

}  // namespace
}  // namespace motcua
