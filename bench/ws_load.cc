// The WebSocket load client for /v1/stream: many subscriptions on one epoll thread, each checked
// for order (positions strictly increasing: no duplicate), and the delivery lag measured with
// probes: every `probe_ms` a dossier is received over HTTP at one of the agencies, and the lag is
// the time from that request's 201 to the arrival of its `received` event at each subscriber of
// that agency. Runs next to a write load (bench/http_load), which the script starts.
//
//   ws_load <port> <token> <subscribers> <seconds> [agencies] [steps] [slow] [probe_ms]
//
// Subscriber i subscribes to agencies[i % n] (comma-separated list, default 000.17.22.H56);
// with `steps` = 1, every other subscriber of an agency narrows to the step queue "appraise".
// The first `slow` subscribers never read after subscribing: they must be cut, the others not.
// Each subscriber sends its subscription once the 101 is in, as browsers do.
// Timeline: connect and subscribe, 2 s to settle, probes for `seconds`, 2 s to drain. Prints one
// line of key=value pairs.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench/loopback.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string Between(const std::string& s, size_t from, const std::string& a, char end) {
  size_t p = s.find(a, from);
  if (p == std::string::npos) return "";
  p += a.size();
  return s.substr(p, s.find(end, p) - p);
}

// A masked client text frame.
std::string TextFrame(const std::string& text) {
  std::string f(1, static_cast<char>(0x81));
  const unsigned char mask[4] = {1, 2, 3, 4};
  f.push_back(static_cast<char>(0x80 | text.size()));  // subscriptions are short (< 126)
  f.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < text.size(); ++i) f.push_back(static_cast<char>(text[i] ^ mask[i % 4]));
  return f;
}

// Probes: dossier id → when its creation was acknowledged.
struct Probes {
  std::mutex mu;
  std::unordered_map<std::string, Clock::time_point> acked;
  long sent = 0;
  long failed = 0;
};

struct Sub {
  int fd = -1;
  int group = 0;  // subscribers of one subscription compare their counts
  bool slow = false;
  bool upgraded = false;
  std::string in;
  std::string subscription;  // sent once the 101 is in, as browsers do
  uint64_t last = 0;
  long events = 0;
  long disorder = 0;  // a position not above the previous one
  bool cut = false;
  int close_code = 0;
  std::string close_reason;
  std::vector<std::pair<std::string, Clock::time_point>> arrivals;  // probe ids seen
};

// Parses the frames in s.in; records events, probes' arrivals and a close.
void Frames(Sub& s, const Clock::time_point now) {
  size_t at = 0;
  while (s.in.size() - at >= 2) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.in.data() + at);
    uint64_t len = p[1] & 0x7f;
    size_t hdr = 2;
    if (len == 126) {
      if (s.in.size() - at < 4) break;
      len = (uint64_t{p[2]} << 8) | p[3];
      hdr = 4;
    } else if (len == 127) {
      if (s.in.size() - at < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      hdr = 10;
    }
    if (s.in.size() - at < hdr + len) break;
    const int opcode = p[0] & 0x0f;
    const size_t body = at + hdr;
    if (opcode == 1) {
      const std::string pos = Between(s.in, body, "\"position\":\"", '"');
      const uint64_t position = std::strtoull(pos.c_str(), nullptr, 10);
      if (position <= s.last) ++s.disorder;
      s.last = position;
      ++s.events;
      if (s.in.compare(body, 17, "{\"type\":\"received") == 0) {
        s.arrivals.emplace_back(Between(s.in, body, "\"dossier_id\":\"", '"'), now);
      }
    } else if (opcode == 8) {
      s.cut = true;
      if (len >= 2) s.close_code = (p[hdr] << 8) | p[hdr + 1];
      if (len > 2) s.close_reason = s.in.substr(body + 2, len - 2);
    }
    at += hdr + len;
  }
  s.in.erase(0, at);
}

// Receives dossiers at the agencies in turn, one every `probe_ms`, until `stop`.
void Probe(uint16_t port, const std::string& token, const std::vector<std::string>& agencies,
           int probe_ms, const std::atomic<bool>& stop, Probes* probes) {
  const int fd = motcua::bench::ConnectLoopback(port, true);
  long n = 0;
  const long run = static_cast<long>(Clock::now().time_since_epoch().count() % 1000000007);
  std::string in;
  auto next = Clock::now();
  while (!stop.load() && fd >= 0) {
    const std::string& agency = agencies[n % agencies.size()];
    const std::string body =
        "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"" + agency +
        "\",\"applicant\":{\"name\":\"Probe\",\"id_number\":\"001090012345\"},\"documents\":"
        "[{\"document_id\":\"identity_paper\",\"count\":1}]}";
    const std::string req =
        "POST /v1/dossiers HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
        "Bearer " +
        token + "\r\nIdempotency-Key: probe-" + std::to_string(run) + "-" + std::to_string(n) +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ++n;
    if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) break;
    // One answer: headers, then Content-Length bytes.
    in.clear();
    size_t need = std::string::npos;
    char buf[8192];
    while (need == std::string::npos || in.size() < need) {
      const ssize_t got = recv(fd, buf, sizeof buf, 0);
      if (got <= 0) break;
      in.append(buf, static_cast<size_t>(got));
      const size_t end = in.find("\r\n\r\n");
      if (end != std::string::npos && need == std::string::npos) {
        const size_t cl = in.find("Content-Length: ");
        need = end + 4 + (cl < end ? std::strtoul(in.c_str() + cl + 16, nullptr, 10) : 0);
      }
    }
    const auto acked = Clock::now();
    {
      std::lock_guard<std::mutex> lock(probes->mu);
      ++probes->sent;
      if (in.compare(0, 12, "HTTP/1.1 201") == 0) {
        probes->acked[Between(in, 0, "\"id\":\"", '"')] = acked;
      } else {
        ++probes->failed;
      }
    }
    next += std::chrono::milliseconds(probe_ms);
    std::this_thread::sleep_until(next);
  }
  if (fd >= 0) close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: ws_load <port> <token> <subscribers> <seconds> [agencies] [steps=0] "
                 "[slow=0] [probe_ms=20]\n");
    return 2;
  }
  const uint16_t port = static_cast<uint16_t>(std::atoi(argv[1]));
  const std::string token = argv[2];
  const int count = std::atoi(argv[3]);
  const double seconds = std::atof(argv[4]);
  std::vector<std::string> agencies;
  {
    const std::string list = argc > 5 ? argv[5] : "000.17.22.H56";
    for (size_t at = 0; at <= list.size();) {
      const size_t comma = std::min(list.find(',', at), list.size());
      if (comma > at) agencies.push_back(list.substr(at, comma - at));
      at = comma + 1;
    }
  }
  const bool steps = argc > 6 && std::atoi(argv[6]) != 0;
  const int slow = argc > 7 ? std::atoi(argv[7]) : 0;
  const int probe_ms = argc > 8 ? std::atoi(argv[8]) : 20;

  // Connect, upgrade and subscribe every subscriber.
  const int ep = epoll_create1(0);
  std::vector<Sub> subs(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    Sub& s = subs[i];
    const size_t a = static_cast<size_t>(i) % agencies.size();
    const bool step = steps && (i / agencies.size()) % 2 == 1;
    s.group = static_cast<int>(a * 2 + (step ? 1 : 0));
    s.slow = i < slow;
    s.fd = motcua::bench::ConnectLoopback(port, false);
    if (s.fd < 0) {
      std::fprintf(stderr, "ws_load: cannot connect\n");
      return 1;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, s.fd, &ev);
    const std::string hello =
        "GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
        "13\r\nAuthorization: Bearer " +
        token + "\r\n\r\n";
    s.subscription = TextFrame("{\"agency\":\"" + agencies[a] + "\"" +
                               (step ? ",\"step\":\"appraise\"" : "") + "}");
    // Non-blocking connect: wait for it, then send the handshake.
    for (int tries = 0; tries < 1000; ++tries) {
      if (send(s.fd, hello.data(), hello.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(hello.size())) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::atomic<bool> stop_probes{false};
  Probes probes;
  std::thread prober;
  const auto t0 = Clock::now();
  const auto probe_from = t0 + std::chrono::seconds(2);
  const auto probe_until = probe_from + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(seconds));
  const auto drain_until = probe_until + std::chrono::seconds(2);
  bool probing = false;
  epoll_event events[256];
  char buf[65536];
  long upgrades_failed = 0;
  while (true) {
    const auto now = Clock::now();
    if (!probing && now >= probe_from) {
      probing = true;
      prober = std::thread([&] { Probe(port, token, agencies, probe_ms, stop_probes, &probes); });
    }
    if (probing && now >= probe_until) stop_probes = true;
    if (now >= drain_until) break;
    const int n = epoll_wait(ep, events, 256, 50);
    const auto at = Clock::now();
    for (int k = 0; k < n; ++k) {
      Sub& s = subs[events[k].data.u32];
      if (s.slow && s.upgraded) continue;  // a subscriber that never reads
      const ssize_t got = recv(s.fd, buf, sizeof buf, 0);
      if (got <= 0) {
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
          epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);
          if (!s.upgraded) ++upgrades_failed;
          s.cut = true;
        }
        continue;
      }
      s.in.append(buf, static_cast<size_t>(got));
      if (!s.upgraded) {
        const size_t end = s.in.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        if (s.in.compare(0, 12, "HTTP/1.1 101") != 0) {
          ++upgrades_failed;
          s.cut = true;
          epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);
          continue;
        }
        s.upgraded = true;
        s.in.erase(0, end + 4);
        send(s.fd, s.subscription.data(), s.subscription.size(), MSG_NOSIGNAL);
        if (s.slow) {
          epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);  // it reads nothing more until the end
          continue;
        }
      }
      Frames(s, at);
    }
  }
  if (prober.joinable()) prober.join();
  // The slow subscribers read at last: was each closed as a slow consumer?
  for (Sub& s : subs) {
    if (!s.slow || !s.upgraded) continue;
    const auto until = Clock::now() + std::chrono::seconds(10);
    while (!s.cut && Clock::now() < until) {
      const ssize_t got = recv(s.fd, buf, sizeof buf, 0);
      if (got == 0) break;
      if (got < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      s.in.append(buf, static_cast<size_t>(got));
      Frames(s, Clock::now());
    }
    std::fprintf(stderr, "ws_load: the slow subscriber: %s %d %s (after %ld events)\n",
                 s.cut ? "closed" : "NOT closed", s.close_code, s.close_reason.c_str(), s.events);
  }

  // Lags of every probe at every subscriber that got it.
  std::vector<double> lags;
  long cut_reading = 0, cut_slow = 0, disorder = 0, events_total = 0;
  std::map<int, long> most;  // per group: the most events a subscriber got
  for (const Sub& s : subs) {
    if (!s.slow && !s.cut) most[s.group] = std::max(most[s.group], s.events);
  }
  long short_of_group = 0;
  for (const Sub& s : subs) {
    if (s.slow) {
      cut_slow += s.cut ? 1 : 0;
      continue;
    }
    if (s.cut) {
      ++cut_reading;
      std::fprintf(stderr, "ws_load: a reading subscriber was cut: %d %s\n", s.close_code,
                   s.close_reason.c_str());
    } else if (s.events < most[s.group]) {
      ++short_of_group;
    }
    disorder += s.disorder;
    events_total += s.events;
    for (const auto& [id, when] : s.arrivals) {
      auto it = probes.acked.find(id);
      if (it == probes.acked.end()) continue;
      lags.push_back(
          std::max(0.0, std::chrono::duration<double, std::milli>(when - it->second).count()));
    }
  }
  std::sort(lags.begin(), lags.end());
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double client_cpu = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
                            (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  auto pct = [&lags](double p) {
    return lags.empty() ? 0 : lags[static_cast<size_t>(p * (lags.size() - 1))];
  };
  std::printf(
      "subscribers=%d upgrades_failed=%ld events=%ld probes=%ld probes_failed=%ld lags=%zu "
      "lag_p50_ms=%.1f lag_p99_ms=%.1f lag_max_ms=%.1f cut_reading=%ld cut_slow=%ld/%d "
      "disorder=%ld short_of_group=%ld client_cpu_s=%.1f\n",
      count, upgrades_failed, events_total, probes.sent, probes.failed, lags.size(), pct(0.5),
      pct(0.99), lags.empty() ? 0 : lags.back(), cut_reading, cut_slow, slow, disorder,
      short_of_group, client_cpu);
  for (Sub& s : subs) close(s.fd);
  close(ep);
  return 0;
}
