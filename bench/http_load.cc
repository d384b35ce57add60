// The HTTP write-mix load client: `connections` keep-alive connections, each receiving a
// 2.000908 dossier at the counter and advancing it through every step to the returned result
// (receive → forward → forward → forward → issue → return_result: six durable transitions a
// dossier), each request with its own Idempotency-Key and the If-Match of the previous answer.
// wrk cannot keep per-connection state in Lua, hence this client. Like wrk, it drives the
// connections from a few threads with epoll (two by default), so that the load generator takes
// little of the CPU it shares with the server. Prints requests/s, p50, p99 and errors.
//
//   http_load <port> <token> [connections=64] [seconds=10] [threads=2] [agencies] [rate]
//
// `agencies` (comma-separated, default 000.17.22.H56): connection i receives its dossiers at
// agencies[i % n], to spread the mix over a province. `rate` (default 0: as fast as answered):
// at most this many requests a second in all, each connection paced evenly.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/loopback.h"

namespace {

using Clock = std::chrono::steady_clock;

const char* const kSteps[] = {
    "{\"command\":\"act\",\"action\":\"forward\"}", "{\"command\":\"act\",\"action\":\"forward\"}",
    "{\"command\":\"act\",\"action\":\"forward\"}", "{\"command\":\"act\",\"action\":\"issue\"}",
    "{\"command\":\"return_result\"}"};
constexpr int kStepCount = 5;
std::string CreateAt(const std::string& agency) {
  return "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"" + agency +
         "\",\"applicant\":{\"name\":\"Nguyễn Văn An\",\"id_number\":\"001090012345\"},"
         "\"documents\":[{\"document_id\":\"identity_paper\",\"count\":1}]}";
}

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

// One connection's dossier life as a state machine: step -1 is the creation, 0..4 the commands.
struct Conn {
  int fd = -1;
  int index = 0;
  long dossier = 0;  // dossiers started on this connection
  int step = -1;
  std::string create;  // the creation's body, at this connection's agency
  std::string id, version, out, in;
  size_t sent = 0;
  Clock::time_point t0;
  Clock::time_point next_at;  // paced: the next request goes no earlier

  std::string Next(const std::string& token, long run) {
    const std::string base =
        std::to_string(run) + "-" + std::to_string(index) + "-" + std::to_string(dossier);
    if (step < 0) return Post("/v1/dossiers", token, base + "-0", "", create);
    return Post("/v1/dossiers/" + id + "/commands", token, base + "-" + std::to_string(step + 1),
                version, kSteps[step]);
  }

  // A complete response in `in`: its status and body; false while incomplete.
  bool Parse(int* status, std::string* body) {
    const size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    const size_t cl = in.find("Content-Length: ");
    const size_t len = cl < end ? std::strtoul(in.c_str() + cl + 16, nullptr, 10) : 0;
    if (in.size() < end + 4 + len) return false;
    *status = std::atoi(in.c_str() + 9);
    body->assign(in, end + 4, len);
    in.erase(0, end + 4 + len);
    return true;
  }
};

struct Totals {
  std::vector<double> latencies_ms;
  long errors = 0;
  bool broken = false;  // a connection failed: the run does not count
};

// Runs `conns` until `stop`; every connection always has one request outstanding.
void Drive(std::vector<Conn>& conns, const std::string& token, long run,
           const std::atomic<bool>& stop, Clock::duration interval, Totals* totals) {
  const int ep = epoll_create1(0);
  for (Conn& c : conns) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.ptr = &c;
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    c.out = c.Next(token, run);
    c.t0 = Clock::now();
  }
  auto flush = [](Conn& c) -> bool {  // false: the connection failed
    while (c.sent < c.out.size()) {
      const ssize_t n = send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
      c.sent += static_cast<size_t>(n);
    }
    return true;
  };
  epoll_event events[64];
  std::string body;
  std::vector<Conn*> waiting;  // paced connections whose next request is not due yet
  auto send_next = [&](Conn& c) {
    c.sent = 0;
    c.t0 = Clock::now();
    if (!flush(c)) totals->broken = true;
    if (c.sent < c.out.size()) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT;
      ev.data.ptr = &c;
      epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
    }
  };
  while (!stop.load(std::memory_order_relaxed) && !totals->broken) {
    int timeout_ms = 100;
    const auto now = Clock::now();
    for (auto it = waiting.begin(); it != waiting.end();) {
      if ((*it)->next_at <= now) {
        send_next(**it);
        it = waiting.erase(it);
      } else {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>((*it)->next_at - now).count();
        timeout_ms = std::min<int>(timeout_ms, static_cast<int>(ms) + 1);
        ++it;
      }
    }
    const int n = epoll_wait(ep, events, 64, timeout_ms);
    for (int i = 0; i < n && !totals->broken; ++i) {
      Conn& c = *static_cast<Conn*>(events[i].data.ptr);
      if (events[i].events & (EPOLLERR | EPOLLHUP)) {
        totals->broken = true;
        break;
      }
      if (events[i].events & EPOLLOUT) {
        if (!flush(c)) totals->broken = true;
        if (c.sent == c.out.size()) {
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.ptr = &c;
          epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        }
      }
      if (!(events[i].events & EPOLLIN)) continue;
      char tmp[16384];
      const ssize_t got = recv(c.fd, tmp, sizeof tmp, 0);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        totals->broken = true;
        break;
      }
      if (got > 0) c.in.append(tmp, static_cast<size_t>(got));
      int status = 0;
      if (!c.Parse(&status, &body)) continue;
      totals->latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - c.t0).count());
      const bool ok = c.step < 0 ? status == 201 : status == 200;
      if (!ok) ++totals->errors;
      if (ok && c.step < 0) c.id = Between(body, "\"id\":\"", '"');
      if (ok) c.version = Between(body, "\"version\":", ',');
      // Next transition of this dossier; after the last one, or a failure, a new dossier.
      if (ok && c.step + 1 < kStepCount) {
        ++c.step;
      } else {
        c.step = -1;
        ++c.dossier;
      }
      c.out = c.Next(token, run);
      if (interval.count() > 0) {
        c.next_at += interval;
        if (c.next_at > Clock::now()) {
          waiting.push_back(&c);
          continue;
        }
      }
      send_next(c);
    }
  }
  close(ep);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: http_load <port> <token> [connections=64] [seconds=10] [threads=2] "
                 "[agencies=000.17.22.H56] [rate=0]\n");
    return 2;
  }
  const uint16_t port = static_cast<uint16_t>(std::atoi(argv[1]));
  const std::string token = argv[2];
  const int connections = argc > 3 ? std::atoi(argv[3]) : 64;
  const double seconds = argc > 4 ? std::atof(argv[4]) : 10;
  const int threads = std::max(1, std::min(connections, argc > 5 ? std::atoi(argv[5]) : 2));
  std::vector<std::string> agencies;
  {
    std::string list = argc > 6 ? argv[6] : "000.17.22.H56";
    for (size_t at = 0; at <= list.size();) {
      const size_t comma = std::min(list.find(',', at), list.size());
      if (comma > at) agencies.push_back(list.substr(at, comma - at));
      at = comma + 1;
    }
  }
  const double rate = argc > 7 ? std::atof(argv[7]) : 0;
  const Clock::duration interval = rate > 0 ? std::chrono::duration_cast<Clock::duration>(
                                                  std::chrono::duration<double>(connections / rate))
                                            : Clock::duration::zero();
  const auto start = Clock::now();
  const long run = static_cast<long>(start.time_since_epoch().count() % 1000000007);
  std::vector<std::vector<Conn>> shards(threads);
  for (int c = 0; c < connections; ++c) {
    Conn conn;
    conn.index = c;
    conn.create = CreateAt(agencies[c % agencies.size()]);
    conn.next_at = Clock::now();
    conn.fd = motcua::bench::ConnectLoopback(port);
    if (conn.fd < 0) {
      std::fprintf(stderr, "http_load: cannot connect to 127.0.0.1:%u\n", port);
      return 1;
    }
    shards[c % threads].push_back(std::move(conn));
  }
  std::atomic<bool> stop{false};
  std::vector<Totals> totals(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] { Drive(shards[t], token, run, stop, interval, &totals[t]); });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  long errors = 0;
  for (const Totals& t : totals) {
    if (t.broken) {
      std::fprintf(stderr, "http_load: a connection failed\n");
      return 1;
    }
    all.insert(all.end(), t.latencies_ms.begin(), t.latencies_ms.end());
    errors += t.errors;
  }
  for (auto& shard : shards) {
    for (Conn& c : shard) close(c.fd);
  }
  std::sort(all.begin(), all.end());
  auto pct = [&all](double p) {
    return all.empty() ? 0 : all[static_cast<size_t>(p * (all.size() - 1))];
  };
  std::printf("%.0f %.2fms %.2fms %ld\n", all.size() / elapsed, pct(0.5), pct(0.99), errors);
  return 0;
}
