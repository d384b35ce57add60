// File types by content (sniff.h).

#include "adapters/files/sniff.h"

#include <algorithm>
#include <cctype>

namespace motcua {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// PDF (ISO 32000-1 §7.5): "%PDF-" first, "%%EOF" within the last kilobyte (a truncated upload
// has none).
bool IsPdf(std::string_view b) {
  if (!StartsWith(b, "%PDF-")) return false;
  const std::string_view tail = b.substr(b.size() > 1024 ? b.size() - 1024 : 0);
  return tail.find("%%EOF") != std::string_view::npos;
}

// JPEG: the SOI marker and the start of another marker.
bool IsJpeg(std::string_view b) { return StartsWith(b, "\xFF\xD8\xFF"); }

// PNG: the signature and the IHDR chunk that must come first.
bool IsPng(std::string_view b) {
  return StartsWith(b, "\x89PNG\r\n\x1A\n") && b.size() >= 16 && b.substr(12, 4) == "IHDR";
}

// DOCX (ECMA-376): a ZIP whose parts name the content types and the main document.
bool IsDocx(std::string_view b) {
  return StartsWith(b, "PK\x03\x04") && b.find("[Content_Types].xml") != std::string_view::npos &&
         b.find("word/") != std::string_view::npos;
}

// XML: text (no NUL), after an optional byte-order mark and white space a declaration or an
// element; not HTML.
bool IsXml(std::string_view b) {
  if (b.find('\0') != std::string_view::npos) return false;
  if (StartsWith(b, "\xEF\xBB\xBF")) b.remove_prefix(3);
  while (!b.empty() && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n')) {
    b.remove_prefix(1);
  }
  if (StartsWith(b, "<?xml")) return true;
  if (b.size() < 2 || b[0] != '<' || !std::isalpha(static_cast<unsigned char>(b[1]))) return false;
  std::string head(b.substr(0, 5));
  std::transform(head.begin(), head.end(), head.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return head != "<html";
}

}  // namespace

const FileType* SniffFileType(std::string_view bytes) {
  const char* name = IsPdf(bytes)    ? "pdf"
                     : IsJpeg(bytes) ? "jpg"
                     : IsPng(bytes)  ? "png"
                     : IsDocx(bytes) ? "docx"
                     : IsXml(bytes)  ? "xml"
                                     : nullptr;
  return name ? FindFileType(name) : nullptr;
}

}  // namespace motcua
