// Structured JSON logs on stderr (json_log.h).

#include "adapters/cli/json_log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <streambuf>

#include "adapters/json/json_writer.h"
#include "adapters/json/utf8.h"

namespace motcua::cli {

namespace {

void Field(const char* name, const std::string& value, std::string* out) {
  *out += ",\"";
  *out += name;
  *out += "\":";
  AppendJsonString(ValidUtf8(value), out);
}

std::string Timestamp(int64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(unix_ms % 1000));
  return buf;
}

bool Contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

// Writes a whole line to descriptor 2 (retrying a short write).
void WriteLine(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(2, text.data() + done, text.size() - done);
    if (n <= 0) return;  // stderr closed: a log line is dropped, never fatal
    done += static_cast<size_t>(n);
  }
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Each thread's text until its end of line.
void Take(const char* data, size_t n) {
  thread_local std::string line;
  for (size_t i = 0; i < n; ++i) {
    if (data[i] != '\n') {
      line.push_back(data[i]);
      continue;
    }
    WriteLine(JsonLogLine(line, NowMs()) + "\n");
    line.clear();
  }
}

class JsonLineBuf : public std::streambuf {
 protected:
  int overflow(int c) override {
    if (c != traits_type::eof()) {
      const char ch = static_cast<char>(c);
      Take(&ch, 1);
    }
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    Take(s, static_cast<size_t>(n));
    return n;
  }
};

ssize_t CookieWrite(void*, const char* data, size_t n) {
  Take(data, n);
  return static_cast<ssize_t>(n);
}

}  // namespace

namespace {

// The request log's line, METHOD TARGET STATUS 1.23ms actor=A client=C [reason="..."], taken
// apart by hand (no regular expression: a line may be long, and a client may make it so).
struct RequestLine {
  std::string_view method, target, status, ms, actor, client, reason;
};

std::optional<RequestLine> ParseRequestLine(std::string_view line) {
  RequestLine r;
  std::string_view* words[] = {&r.method, &r.target, &r.status, &r.ms, &r.actor, &r.client};
  for (std::string_view* w : words) {
    const size_t space = line.find(' ');
    *w = line.substr(0, space);
    line = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  }
  if (r.status.size() != 3 || r.status.find_first_not_of("0123456789") != std::string_view::npos ||
      r.ms.size() < 3 || r.ms.substr(r.ms.size() - 2) != "ms" ||
      r.ms.substr(0, r.ms.size() - 2).find_first_not_of("0123456789.") != std::string_view::npos ||
      r.actor.rfind("actor=", 0) != 0 || r.client.rfind("client=", 0) != 0) {
    return std::nullopt;
  }
  r.ms.remove_suffix(2);
  r.actor.remove_prefix(6);
  r.client.remove_prefix(7);
  if (!line.empty()) {
    if (line.rfind("reason=", 0) != 0) return std::nullopt;
    r.reason = line.substr(7);
  }
  return r;
}

}  // namespace

std::string JsonLogLine(std::string_view line, int64_t unix_ms) {
  std::string out = "{\"time\":\"" + Timestamp(unix_ms) + "\"";
  const std::string text(line);
  if (std::optional<RequestLine> r = ParseRequestLine(line)) {
    const int status = std::stoi(std::string(r->status));
    Field("level", status >= 500 ? "error" : status >= 400 ? "warn" : "info", &out);
    Field("source", "http", &out);
    Field("msg", text, &out);
    Field("method", std::string(r->method), &out);
    Field("path", std::string(r->target), &out);
    out += ",\"status\":" + std::to_string(status);
    out += ",\"ms\":" + std::to_string(std::strtod(std::string(r->ms).c_str(), nullptr));
    Field("actor", std::string(r->actor), &out);
    Field("client", std::string(r->client), &out);
    if (!r->reason.empty()) {
      // As the text log has it (a quoted string): never pasted in raw.
      std::string reason(r->reason);
      if (reason.size() >= 2 && reason.front() == '"' && reason.back() == '"') {
        reason = reason.substr(1, reason.size() - 2);
      }
      Field("reason", reason, &out);
    }
    return out + "}";
  }
  const bool rocksdb = line.rfind("rocksdb: ", 0) == 0;
  const bool http = line.rfind("websocket ", 0) == 0;
  const bool bad = Contains(line, "failed") || Contains(line, "cannot") || Contains(line, "FAIL") ||
                   Contains(line, "error");
  Field("level", rocksdb ? "warn" : bad ? "error" : "info", &out);
  Field("source", rocksdb ? "rocksdb" : http ? "http" : "motcua", &out);
  Field("msg", text, &out);
  return out + "}";
}

void InstallJsonStderr() {
  // Never destroyed: std::cerr may be written to until the very end of the process.
  static auto* buf = new JsonLineBuf;
  std::cerr.flush();
  std::fflush(stderr);
  std::cerr.rdbuf(buf);
  cookie_io_functions_t io{};
  io.write = &CookieWrite;
  if (FILE* f = fopencookie(nullptr, "w", io)) {
    std::setvbuf(f, nullptr, _IONBF, 0);  // each write reaches Take at once
    stderr = f;
  }
}

}  // namespace motcua::cli
