// The HTTP write-mix load client: `connections` keep-alive connections, each receiving a
// 2.000908 dossier at the counter and advancing it through every step to the returned result
// (receive → forward → forward → forward → issue → return_result: six durable transitions a
// dossier), each request with its own Idempotency-Key and the If-Match of the previous answer.
// wrk cannot keep per-connection state in Lua, hence this client. Prints requests/s, p50/p99.
//
//   http_load <port> <token> [connections=64] [seconds=10]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Conn {
  int fd = -1;
  std::string buf;
  bool Open(uint16_t port) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  // Sends a request, returns the status and the body.
  int Call(const std::string& req, std::string* body) {
    if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return -1;
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      char tmp[16384];
      ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) return -1;
      buf.append(tmp, static_cast<size_t>(n));
    }
    const int status = std::atoi(buf.c_str() + 9);
    size_t cl = buf.find("Content-Length: ");
    size_t len = cl < end ? std::strtoul(buf.c_str() + cl + 16, nullptr, 10) : 0;
    while (buf.size() < end + 4 + len) {
      char tmp[16384];
      ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) return -1;
      buf.append(tmp, static_cast<size_t>(n));
    }
    *body = buf.substr(end + 4, len);
    buf.erase(0, end + 4 + len);
    return status;
  }
};

std::string Post(const std::string& target, const std::string& token, const std::string& key,
                 const std::string& if_match, const std::string& body) {
  std::string r = "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                  token + "\r\nIdempotency-Key: " + key + "\r\nContent-Type: application/json\r\n";
  if (!if_match.empty()) r += "If-Match: \"" + if_match + "\"\r\n";
  return r + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string Between(const std::string& s, const std::string& a, char end) {
  size_t p = s.find(a);
  if (p == std::string::npos) return "";
  p += a.size();
  return s.substr(p, s.find(end, p) - p);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const uint16_t port = static_cast<uint16_t>(std::atoi(argv[1]));
  const std::string token = argv[2];
  const int connections = argc > 3 ? std::atoi(argv[3]) : 64;
  const double seconds = argc > 4 ? std::atof(argv[4]) : 10;
  const char* steps[] = {"{\"command\":\"act\",\"action\":\"forward\"}",
                         "{\"command\":\"act\",\"action\":\"forward\"}",
                         "{\"command\":\"act\",\"action\":\"forward\"}",
                         "{\"command\":\"act\",\"action\":\"issue\"}",
                         "{\"command\":\"return_result\"}"};
  const std::string create =
      "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"000.17.22.H56\",\"applicant\":"
      "{\"name\":\"Nguyễn Văn An\",\"id_number\":\"001090012345\"},\"documents\":"
      "[{\"document_id\":\"identity_paper\",\"count\":1}]}";
  std::atomic<bool> stop{false};
  std::atomic<long> errors{0};
  std::vector<std::vector<double>> lat(connections);
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  const long run = static_cast<long>(start.time_since_epoch().count() % 1000000007);
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      Conn conn;
      if (!conn.Open(port)) return;
      std::string body;
      for (long n = 0; !stop.load(); ++n) {
        auto t0 = std::chrono::steady_clock::now();
        const std::string base = std::to_string(run) + "-" + std::to_string(c) + "-" + std::to_string(n);
        int st = conn.Call(Post("/v1/dossiers", token, base + "-0", "", create), &body);
        lat[c].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (st != 201) {
          errors++;
          if (st < 0) return;
          continue;
        }
        const std::string id = Between(body, "\"id\":\"", '"');
        std::string version = Between(body, "\"version\":", ',');
        for (int s = 0; s < 5 && !stop.load(); ++s) {
          t0 = std::chrono::steady_clock::now();
          st = conn.Call(Post("/v1/dossiers/" + id + "/commands", token,
                              base + "-" + std::to_string(s + 1), version, steps[s]),
                         &body);
          lat[c].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
          if (st != 200) {
            errors++;
            if (st < 0) return;
            break;
          }
          version = Between(body, "\"version\":", ',');
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&all](double p) { return all.empty() ? 0 : all[static_cast<size_t>(p * (all.size() - 1))]; };
  std::printf("%.0f %.2fms %.2fms %ld\n", all.size() / elapsed, pct(0.5), pct(0.99), errors.load());
  return 0;
}
