// Structured JSON logs on stderr (json_log.h).

#include "adapters/cli/json_log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <regex>
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

std::string JsonLogLine(std::string_view line, int64_t unix_ms) {
  std::string out = "{\"time\":\"" + Timestamp(unix_ms) + "\"";
  // The request log: METHOD TARGET STATUS 1.23ms actor=A client=C [reason="..."].
  static const std::regex kRequest(
      R"(^(\S+) (\S+) (\d{3}) ([0-9.]+)ms actor=(\S+) client=(\S+)(?: reason=(".*"))?$)");
  std::cmatch m;
  const std::string text(line);
  if (std::regex_match(text.c_str(), m, kRequest)) {
    const int status = std::stoi(m[3].str());
    Field("level", status >= 500 ? "error" : status >= 400 ? "warn" : "info", &out);
    Field("source", "http", &out);
    Field("msg", text, &out);
    Field("method", m[1].str(), &out);
    Field("path", m[2].str(), &out);
    out += ",\"status\":" + std::to_string(status);
    out += ",\"ms\":" + m[4].str();
    Field("actor", m[5].str(), &out);
    Field("client", m[6].str(), &out);
    if (m[7].matched) out += ",\"reason\":" + m[7].str();  // already a JSON string
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
  static JsonLineBuf buf;
  std::cerr.flush();
  std::fflush(stderr);
  std::cerr.rdbuf(&buf);
  cookie_io_functions_t io{};
  io.write = &CookieWrite;
  if (FILE* f = fopencookie(nullptr, "w", io)) {
    std::setvbuf(f, nullptr, _IONBF, 0);  // each write reaches Take at once
    stderr = f;
  }
}

}  // namespace motcua::cli
