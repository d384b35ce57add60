// Handlers: the files of a dossier's documents and of its result (handlers.h, docs/files.md).
//
//   PUT /v1/dossiers/{id}/documents/{document_id}/files            the body is the file
//   GET /v1/dossiers/{id}/documents/{document_id}/files/{sha256}   ETag, ranges
//
// An upload is checked before a byte is written: the dossier visible to the caller, the size, the
// type by content against what the document accepts, and the rules (a dry run of attach_file on
// the dossier as it stands: role, state). Then the file is stored and synced off the io threads
// (FileStore::Put), and only then the attach_file command refers to it; it is acknowledged like
// every write, once durable.

#include <algorithm>

#include "adapters/files/sniff.h"
#include "adapters/http/handlers.h"
#include "engine/common/strings.h"

namespace motcua::http::handlers {

namespace {

std::string MediaTypes(const std::vector<std::string>& names) {
  std::vector<std::string> types;
  for (const std::string& n : names) {
    if (const FileType* t = FindFileType(n)) types.emplace_back(t->media_type);
  }
  return Join(types);
}

// Content-Disposition for a download (RFC 6266): an ASCII fallback and the UTF-8 name.
std::string Disposition(const std::string& name) {
  std::string ascii;
  std::string encoded;
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : name) {
    const bool plain = std::isalnum(c) || c == '.' || c == '-' || c == '_';
    if ((c & 0xC0) != 0x80) {  // one '_' for each character outside printable ASCII
      ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
    }
    if (plain) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

// One byte range of a representation of `size` bytes (RFC 9110 §14.1.2): "bytes=a-b", "bytes=a-"
// or "bytes=-n". nullopt: no usable single range (absent, malformed, or several: the whole
// file is sent); {-1, -1}: unsatisfiable.
std::optional<std::pair<int64_t, int64_t>> ByteRange(const std::string& header, int64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  if (header.compare(0, kUnit.size(), kUnit) != 0) return std::nullopt;
  const std::string spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string::npos) return std::nullopt;
  const size_t dash = spec.find('-');
  if (dash == std::string::npos) return std::nullopt;
  auto number = [](const std::string& s, int64_t* out) {
    if (s.empty() || s.size() > 18) return false;
    int64_t n = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + (c - '0');
    }
    *out = n;
    return true;
  };
  const std::string first = spec.substr(0, dash);
  const std::string last = spec.substr(dash + 1);
  int64_t a = 0;
  int64_t b = 0;
  if (first.empty()) {  // the last n bytes
    if (!number(last, &b)) return std::nullopt;
    if (b == 0 || size == 0) return std::pair<int64_t, int64_t>{-1, -1};
    return std::pair<int64_t, int64_t>{std::max<int64_t>(size - b, 0), size - 1};
  }
  if (!number(first, &a)) return std::nullopt;
  if (last.empty()) {
    b = size - 1;
  } else if (!number(last, &b) || b < a) {
    return std::nullopt;
  }
  if (a >= size) return std::pair<int64_t, int64_t>{-1, -1};
  return std::pair<int64_t, int64_t>{a, std::min(b, size - 1)};
}

}  // namespace

void PutFile(Api& api, Call& call) {
  const std::string& id = call.params[0];
  const std::string& document_id = call.params[1];
  const Principal& p = *call.principal;
  std::shared_ptr<const Dossier> d = VisibleDossier(api, call, id);
  if (!d) return;
  if (!NoDryRun(call) || WritesRefused(api, call)) return;
  std::string key;
  if (!IdempotencyKey(call, &key)) return;
  std::optional<int64_t> expected;
  if (const std::string m = call.request.Header("if-match"); !m.empty()) {
    expected = EtagVersion(m);
    if (!expected) {
      return call.Problem(400, "invalid-field", "Invalid If-Match",
                          "expected the ETag of GET /v1/dossiers/{id}, e.g. \"3\" (or none)",
                          "If-Match");
    }
  }
  if (api.deps().files == nullptr) {
    return call.Problem(503, "files-unavailable", "No file store",
                        "this server keeps no files (no data directory for them)");
  }
  const std::string name = call.query.count("name") ? call.query.at("name") : "";
  if (!TextFieldsValid(call, {{"name", name, kMaxNameBytes}})) return;
  const std::string& body = call.request.body;
  if (body.empty()) {
    return call.Problem(400, "empty-file", "Empty file",
                        "the request body is the file, and it has no bytes", "body");
  }
  if (body.size() > api.options().max_file_bytes) {
    return call.Problem(413, "file-too-large", "File too large",
                        "files are limited to " + std::to_string(api.options().max_file_bytes) +
                            " bytes (max_file_bytes), got " + std::to_string(body.size()));
  }
  const std::shared_ptr<const DefinitionCatalog> catalog = api.deps().catalog();
  const std::shared_ptr<const Procedure> procedure =
      catalog->Version(d->procedure_code, d->procedure_version);
  if (!procedure) {
    return call.Problem(503, "unavailable", "Cannot apply the rules now",
                        "procedure " + d->procedure_code + " version " +
                            std::to_string(d->procedure_version) + " is not loaded",
                        "", {{"Retry-After", "60"}});
  }
  const bool result = document_id == kResultDocumentId;
  const Document* doc = result ? nullptr : procedure->FindDocument(document_id);
  if (!result && doc == nullptr) {
    std::vector<std::string> ids = procedure->DocumentIds();
    ids.push_back(kResultDocumentId);
    return call.Problem(404, "not-found", "Unknown document",
                        "procedure " + procedure->code + " has no document '" + document_id +
                            "'; expected one of " + Join(ids),
                        "document_id");
  }
  const FileType* type = SniffFileType(body);
  const std::vector<std::string> accepted = AcceptedFileTypes(doc);
  if (type == nullptr ||
      std::find(accepted.begin(), accepted.end(), std::string(type->name)) == accepted.end()) {
    return call.Problem(
        415, "unsupported-media-type", "File type not accepted",
        "document '" + document_id + "' accepts " + Join(accepted) + "; the content is " +
            (type ? "a " + std::string(type->name) + " file"
                  : std::string("none of the known types (judged by content, not by name)")),
        "body", {{"Accept", MediaTypes(accepted)}});
  }
  CommandRequest req;
  Command& c = req.command;
  c.type = CommandType::kAttachFile;
  c.dossier_id = id;
  c.expected_version = expected;
  c.actor = Actor{p.id, p.roles};
  AttachedFile file;
  file.document_id = document_id;
  file.sha256 =
      std::string(64, '0');  // a placeholder for the dry run: the hash comes with the write
  file.size = static_cast<int64_t>(body.size());
  file.media_type = std::string(type->media_type);
  file.name = name.empty() ? document_id + std::string(type->extension) : name;
  c.file = std::move(file);
  // What the rules say to attach_file on the dossier as it stands (it is processed again, on
  // the state it meets, once the file is stored).
  if (std::optional<Rejection> r = DryRun(api, c, *d).rejection) {
    return AnswerRejection(call, *r, api.metrics());
  }
  req.idempotency_key = p.id + ":" + key;
  std::shared_ptr<Call> keep = call.shared_from_this();
  Api* front = &api;
  auto store_then_attach = [front, keep, req]() mutable {
    Result<FileStore::Stored> stored = front->deps().files->Put(keep->request.body);
    if (!stored.ok()) {
      front->Defer([keep, why = stored.status().message()] {
        keep->Problem(503, "file-not-stored", "File not stored", why, "", {{"Retry-After", "5"}});
      });
      return;
    }
    std::string().swap(keep->request.body);  // on disk now: free the memory before the commit
    req.command.file->sha256 = stored->sha256;
    req.payload_hash =
        PayloadHash("PUT " + keep->path, stored->sha256 + "\n" + req.command.file->name);
    Execute(*front, *keep, std::move(req), 201, keep->path + "/" + stored->sha256);
  };
  if (!api.deps().run_blocking) return store_then_attach();
  if (!api.deps().run_blocking(store_then_attach)) {
    return call.Problem(503, "overloaded", "Too many uploads at once",
                        "uploads wait to be written; try again shortly", "",
                        {{"Retry-After", "1"}});
  }
}

void GetFile(Api& api, Call& call) {
  const std::string& id = call.params[0];
  const std::string& document_id = call.params[1];
  const std::string& sha256 = call.params[2];
  std::shared_ptr<const Dossier> d = VisibleDossier(api, call, id);
  if (!d) return;
  auto f = std::find_if(d->files.begin(), d->files.end(), [&](const AttachedFile& x) {
    return x.document_id == document_id && x.sha256 == sha256;
  });
  if (f == d->files.end()) {
    return call.Problem(
        404, "not-found", "Unknown file",
        "dossier '" + id + "' has no file " + sha256 + " of document '" + document_id + "'");
  }
  FileStore* files = api.deps().files;
  if (files == nullptr) {
    return call.Problem(503, "files-unavailable", "No file store",
                        "this server keeps no files (no data directory for them)");
  }
  const std::string etag = "\"" + sha256 + "\"";
  HttpResponse r;
  r.headers = {{"ETag", etag},
               {"Accept-Ranges", "bytes"},
               {"Cache-Control", "private, max-age=31536000, immutable"},
               {"X-Content-Type-Options", "nosniff"},
               {"Content-Disposition", Disposition(f->name)}};
  const std::string none_match = call.request.Header("if-none-match");
  if (!none_match.empty() && (none_match == "*" || none_match.find(etag) != std::string::npos)) {
    r.status = 304;
    return call.Reply(std::move(r));
  }
  int64_t offset = 0;
  int64_t length = f->size;
  r.status = 200;
  const std::string if_range = call.request.Header("if-range");
  if (const std::string range = call.request.Header("range");
      !range.empty() && (if_range.empty() || if_range == etag)) {
    if (auto span = ByteRange(range, f->size)) {
      if (span->first < 0) {
        return call.Problem(416, "range-not-satisfiable", "Range not satisfiable",
                            "the file has " + std::to_string(f->size) + " bytes", "Range",
                            {{"Content-Range", "bytes */" + std::to_string(f->size)}});
      }
      offset = span->first;
      length = span->second - span->first + 1;
      r.status = 206;
      r.headers.emplace_back("Content-Range", "bytes " + std::to_string(span->first) + "-" +
                                                  std::to_string(span->second) + "/" +
                                                  std::to_string(f->size));
    }
  }
  Result<std::string> bytes = files->Read(sha256, offset, length);
  if (!bytes.ok() || static_cast<int64_t>(bytes->size()) != length) {
    return call.Problem(500, "file-missing", "Stored file unreadable",
                        bytes.ok()
                            ? "file " + sha256 + " is shorter than recorded (run motcua verify)"
                            : bytes.status().message());
  }
  r.content_type = f->media_type;
  r.body = std::move(bytes).value();
  call.Reply(std::move(r));
}

}  // namespace motcua::http::handlers
