#pragma once
// Minimal blocking HTTP/1.1 and WebSocket clients over POSIX sockets, for end-to-end tests of
// the real server on a real port. Deliberately independent of Beast: the tests speak the wire
// protocol the way any client would, including malformed requests.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>

namespace motcua::testing {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool closed = false;  // the server closed without a response
};

class Conn {
 public:
  // `receive_buffer` > 0 shrinks the kernel receive buffer (to play a slow consumer).
  explicit Conn(uint16_t port, int receive_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Conn() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }

  // Drops the connection with a TCP reset, as a client that vanishes does (no close handshake).
  void Reset() {
    linger l{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd_);
    fd_ = -1;
  }

  bool Send(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads until `pred(buffer)` or EOF/timeout; returns false on timeout or EOF first.
  template <typename Pred>
  bool ReadUntil(Pred pred, int timeout_ms = 10000) {
    while (!pred(buf_)) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return false;
      char tmp[65536];
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) {
        eof_ = true;
        return false;
      }
      buf_.append(tmp, static_cast<size_t>(n));
    }
    return true;
  }

  // Whether the server closed the connection within `timeout_ms`.
  bool ClosedWithin(int timeout_ms) {
    ReadUntil([](const std::string&) { return false; }, timeout_ms);
    return eof_;
  }

  // `head_only`: the answer to a HEAD request, whose Content-Length announces no body.
  Reply ReadReply(int timeout_ms = 10000, bool head_only = false) {
    Reply r;
    if (!ReadUntil([](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; },
                   timeout_ms)) {
      r.closed = true;
      return r;
    }
    size_t end = buf_.find("\r\n\r\n");
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    r.status = std::stoi(head.substr(9, 3));
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string k = line.substr(0, colon);
        for (char& c : k) c = static_cast<char>(tolower(c));
        std::string v = line.substr(colon + 1);
        while (!v.empty() && v[0] == ' ') v.erase(0, 1);
        r.headers[k] = v;
      }
      pos = next;
    }
    size_t len = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    if (head_only) return r;
    ReadUntil([len](const std::string& b) { return b.size() >= len; }, timeout_ms);
    r.body = buf_.substr(0, len);
    buf_.erase(0, std::min(len, buf_.size()));
    return r;
  }

  Reply Request(const std::string& method, const std::string& target, const std::string& body = "",
                const std::map<std::string, std::string>& headers = {}) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST")
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    if (!Send(req)) return Reply{0, {}, "", true};
    return ReadReply();
  }

  // ---- WebSocket (client frames are masked) ----
  // `then`: bytes sent in the same write, right behind the request (a client that does not wait
  // for the 101).
  bool WsHandshake(const std::string& target, const std::string& token,
                   const std::string& then = "") {
    Send("GET " + target +
         " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " +
         token + "\r\n\r\n" + then);
    if (!ReadUntil([](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; })) {
      return false;
    }
    size_t end = buf_.find("\r\n\r\n");
    bool ok = buf_.compare(0, 12, "HTTP/1.1 101") == 0;
    handshake_status_ = buf_.substr(9, 3);
    buf_.erase(0, end + 4);
    return ok;
  }
  const std::string& handshake_status() const { return handshake_status_; }

  bool WsSendText(const std::string& text) { return Send(WsFrame(0x1, text)); }

  // One frame with FIN set; clients must mask (`masked` false breaks the protocol on purpose).
  bool WsSendFrame(int opcode, const std::string& payload, bool masked = true) {
    return Send(WsFrame(opcode, payload, masked));
  }
  static std::string WsFrame(int opcode, const std::string& payload, bool masked = true) {
    std::string f;
    f.push_back(static_cast<char>(0x80 | opcode));
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    const char bit = masked ? static_cast<char>(0x80) : 0;
    if (payload.size() < 126) {
      f.push_back(static_cast<char>(bit | payload.size()));
    } else {
      f.push_back(static_cast<char>(bit | 126));
      f.push_back(static_cast<char>(payload.size() >> 8));
      f.push_back(static_cast<char>(payload.size() & 0xff));
    }
    if (!masked) return f + payload;
    f.append(reinterpret_cast<const char*>(mask), 4);
    for (size_t i = 0; i < payload.size(); ++i) {
      f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
    }
    return f;
  }

  // The raw handshake answer's head (for refusals).
  const std::string& buffered() const { return buf_; }

  struct Frame {
    int opcode = -1;  // 1 text, 8 close; -1 nothing (timeout/EOF)
    std::string payload;
    int close_code = 0;
  };

  Frame WsRead(int timeout_ms = 5000) {
    Frame fr;
    if (!ReadUntil([](const std::string& b) { return b.size() >= 2; }, timeout_ms)) return fr;
    uint64_t len = static_cast<unsigned char>(buf_[1]) & 0x7f;
    size_t hdr = 2;
    if (len == 126) {
      if (!ReadUntil([](const std::string& b) { return b.size() >= 4; }, timeout_ms)) return fr;
      len = (uint64_t(static_cast<unsigned char>(buf_[2])) << 8) |
            static_cast<unsigned char>(buf_[3]);
      hdr = 4;
    } else if (len == 127) {
      if (!ReadUntil([](const std::string& b) { return b.size() >= 10; }, timeout_ms)) return fr;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | static_cast<unsigned char>(buf_[2 + i]);
      hdr = 10;
    }
    const size_t total = hdr + len;
    if (!ReadUntil([total](const std::string& b) { return b.size() >= total; }, timeout_ms))
      return fr;
    fr.opcode = static_cast<unsigned char>(buf_[0]) & 0x0f;
    fr.payload = buf_.substr(hdr, len);
    buf_.erase(0, total);
    if (fr.opcode == 8 && fr.payload.size() >= 2) {
      fr.close_code = (static_cast<unsigned char>(fr.payload[0]) << 8) |
                      static_cast<unsigned char>(fr.payload[1]);
      fr.payload = fr.payload.substr(2);
    }
    return fr;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buf_;
  std::string handshake_status_;
};

}  // namespace motcua::testing
