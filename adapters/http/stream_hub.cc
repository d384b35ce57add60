// The fan-out of committed events to stream subscribers (stream_hub.h).

#include "adapters/http/stream_hub.h"

#include <pthread.h>

#include <algorithm>
#include <deque>

#include "adapters/json/json_writer.h"
#include "adapters/proto/view_codec.h"
#include "adapters/runtime/thread_priority.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http {

namespace {

// Outbox entries read, made and handed out per round of the hub.
constexpr size_t kPage = 256;
constexpr int kPagesPerRound = 8;
// Rounds start at most this often: events committed meanwhile go out together, so that a
// subscriber gets several per socket write instead of one write per commit.
constexpr auto kRoundInterval = std::chrono::milliseconds(25);
// Each subscriber with events in a round costs a socket write (and on loopback the reader's
// wake-up too): beyond this many in a round, rounds lengthen in proportion, up to
// kMaxRoundInterval, so that the fan-out makes about 10,000 socket writes a second at most
// however many subscribe (a thousand busy subscribers: a round every 100 ms).
constexpr size_t kSinksPerRound = 250;
constexpr auto kMaxRoundInterval = std::chrono::milliseconds(100);
// Events of commits held in memory for the hub at most: a hub further behind reads the rest
// from the outbox.
constexpr size_t kHeldEvents = 50000;

}  // namespace

namespace {

// What filters need: the event's dossier as the commit left it, or as it is now (read through the
// record cache).
Status FillFacts(Store* store, uint64_t position, const Event& event, const Dossier* dossier,
                 StreamEvent* e) {
  e->position = position;
  e->dossier_id = event.dossier_id;
  e->to_step = event.to_step;
  std::shared_ptr<const Dossier> read;
  if (!dossier) {
    ASSIGN_OR_RETURN(read, store->GetShared(event.dossier_id));
    dossier = read.get();
  }
  if (dossier) {
    e->receiving_agency = dossier->receiving_agency;
    e->competent_agency = dossier->competent_agency;
    e->current_step = dossier->current_step;
    e->assignee = dossier->assignee;
  }
  return Status::Ok();
}

void Render(uint64_t position, const Event& event, StreamEvent* e) {
  v1::EventView v;
  FillEvent(event, position, &v);
  e->json = ToJson(v, false);
}

}  // namespace

Result<std::shared_ptr<const StreamEvent>> MakeStreamEvent(Store* store, const OutboxEntry& entry) {
  auto e = std::make_shared<StreamEvent>();
  if (Status s = FillFacts(store, entry.position, entry.event, nullptr, e.get()); !s.ok()) return s;
  Render(entry.position, entry.event, e.get());
  return std::shared_ptr<const StreamEvent>(std::move(e));
}

StreamHub::StreamHub(Store* store, CatalogSource catalog, uint64_t committed)
    : store_(store), catalog_(std::move(catalog)), committed_(committed), fanned_(committed) {}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "motcua-streams");
    LowerThisThreadPriority();
    Run();
  });
}

void StreamHub::Stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void StreamHub::Committed(uint64_t position) {
  bool wake = false;
  {
    MutexLock lock(&mu_);
    if (position <= committed_) return;
    committed_ = position;
    wake = idle_;
  }
  if (wake) cv_.Signal();
}

void StreamHub::Committed(std::shared_ptr<const CommittedEvents> events) {
  if (!events || events->event_count == 0) return;
  bool wake = false;
  {
    MutexLock lock(&mu_);
    if (events->last_position() <= committed_) return;
    committed_ = events->last_position();
    // Only a hub with subscribers takes them; one far behind reads the oldest from the store.
    if (!sinks_.empty()) {
      incoming_events_ += events->event_count;
      incoming_.push_back(std::move(events));
      while (incoming_events_ > kHeldEvents) {
        incoming_events_ -= incoming_.front()->event_count;
        incoming_.erase(incoming_.begin());
      }
    }
    wake = idle_;
  }
  if (wake) cv_.Signal();
}

uint64_t StreamHub::committed() const {
  MutexLock lock(&mu_);
  return committed_;
}

uint64_t StreamHub::fanned() const {
  MutexLock lock(&mu_);
  return fanned_;
}

size_t StreamHub::live() const {
  MutexLock lock(&mu_);
  return sinks_.size();
}

bool StreamHub::Join(const std::shared_ptr<StreamSink>& sink, uint64_t delivered) {
  StreamSink::Route route = sink->route();
  MutexLock lock(&mu_);
  if (delivered < fanned_) return false;
  sinks_.push_back({sink.get(), sink, std::move(route)});
  ++sinks_version_;
  return true;
}

void StreamHub::Leave(const StreamSink* sink) {
  MutexLock lock(&mu_);
  const size_t before = sinks_.size();
  sinks_.erase(
      std::remove_if(sinks_.begin(), sinks_.end(), [sink](const Live& l) { return l.key == sink; }),
      sinks_.end());
  if (sinks_.size() != before) ++sinks_version_;
}

void StreamHub::Candidates(const Routes& routes, const StreamEvent& e,
                           const AgencyRegistry& registry, std::vector<StreamSink*>* out) const {
  out->clear();
  for (const auto& s : routes.all) out->push_back(s.get());
  if (auto it = routes.by_dossier.find(e.dossier_id); it != routes.by_dossier.end()) {
    for (const auto& s : it->second) out->push_back(s.get());
  }
  // The event's agencies and every agency above them (a subscription covers its units).
  std::string chain[16];
  size_t n = 0;
  for (const std::string* start : {&e.receiving_agency, &e.competent_agency}) {
    std::string code = *start;
    for (int depth = 0; depth < 8 && !code.empty() && n < 16; ++depth) {
      if (std::find(chain, chain + n, code) == chain + n) chain[n++] = code;
      const Agency* a = registry.Find(code);
      code = a ? a->parent : std::string();
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (auto it = routes.by_agency.find(chain[i]); it != routes.by_agency.end()) {
      for (const auto& s : it->second) out->push_back(s.get());
    }
  }
}

void StreamHub::Run() {
  Routes routes;
  uint64_t routes_version = ~uint64_t{0};
  std::vector<StreamSink*> candidates;
  std::vector<StreamSink*> wanting;
  std::unordered_map<StreamSink*, std::vector<std::shared_ptr<const StreamEvent>>> pending;
  // Commits taken from the committer, oldest first, until every event in them went out.
  std::deque<std::shared_ptr<const CommittedEvents>> held;
  std::vector<Item> items;        // one page of events to fan out
  std::vector<OutboxEntry> read;  // what a page read from the outbox holds
  uint64_t from = 0;
  {
    MutexLock lock(&mu_);
    from = fanned_;
  }
  auto last_round = std::chrono::steady_clock::now() - kRoundInterval;
  std::chrono::milliseconds interval = kRoundInterval;  // grows with the subscribers served
  bool behind = false;  // the last round stopped before what was committed
  while (true) {
    uint64_t upto = 0;
    {
      MutexLock lock(&mu_);
      idle_ = true;  // Committed() wakes only a hub that waits for events
      while (!stop_ && committed_ <= from) cv_.Wait(&mu_);
      idle_ = false;
      // A burst of commits right after a round waits for the next one; a backlog does not.
      const auto next_round = last_round + interval;
      while (!stop_ && !behind && std::chrono::steady_clock::now() < next_round) {
        cv_.WaitFor(&mu_, std::chrono::duration_cast<std::chrono::milliseconds>(
                              next_round - std::chrono::steady_clock::now()) +
                              std::chrono::milliseconds(1));
      }
      if (stop_) return;
      for (auto& c : incoming_) held.push_back(std::move(c));
      incoming_.clear();
      incoming_events_ = 0;
      if (sinks_.empty()) {
        // Nobody to deliver to: nothing to read. A subscriber catching up reads the store
        // itself up to here before it joins.
        from = fanned_ = committed_;
        held.clear();
        behind = false;
        continue;
      }
      upto = committed_;
    }
    last_round = std::chrono::steady_clock::now();
    // A round takes what was committed since the last one (up to kPagesPerRound pages), then
    // hands each subscriber its part in one delivery.
    for (int pages = 0; pages < kPagesPerRound; ++pages) {
      while (!held.empty() && held.front()->last_position() <= from) held.pop_front();
      items.clear();
      read.clear();
      if (!held.empty() && held.front()->first_position <= from + 1) {
        // The next events are in memory, up to a gap (commits dropped while the hub was far
        // behind: the next page reads those from the outbox).
        uint64_t next = from + 1;
        for (const auto& commit : held) {
          if (commit->first_position > next || items.size() == kPage) break;
          uint64_t position = commit->first_position;
          for (const CommittedEvents::Change& c : commit->changes) {
            for (const Event& event : c.events) {
              if (position == next && position <= upto && items.size() < kPage) {
                items.push_back({position, &event, c.dossier.get()});
                ++next;
              }
              ++position;
            }
          }
        }
      } else {
        Result<std::vector<OutboxEntry>> page = store_->ReadOutbox(from, kPage);
        if (!page.ok()) {
          // The store failed to read (it logs why); try again shortly rather than spin.
          MutexLock lock(&mu_);
          cv_.WaitFor(&mu_, std::chrono::milliseconds(100));
          behind = false;
          break;
        }
        read = std::move(*page);
        for (const OutboxEntry& o : read) items.push_back({o.position, &o.event, nullptr});
      }
      if (items.empty()) {
        behind = false;
        break;
      }
      // The sinks live at this page; one that joins later has read it already (Join). Filed
      // by route again only when subscribers came or went.
      {
        MutexLock lock(&mu_);
        fanned_ = items.back().position;
        if (routes_version != sinks_version_) {
          routes_version = sinks_version_;
          // What was gathered for the old routes goes out first.
          for (auto& [sink, list] : pending) {
            if (!list.empty()) sink->Deliver(std::move(list));
          }
          pending.clear();
          routes = Routes{};
          // Subscribers that are gone without leaving are forgotten here.
          sinks_.erase(std::remove_if(sinks_.begin(), sinks_.end(),
                                      [](const Live& l) { return l.sink.expired(); }),
                       sinks_.end());
          for (const Live& l : sinks_) {
            std::shared_ptr<StreamSink> s = l.sink.lock();
            if (!s) continue;
            if (!l.route.dossier.empty()) {
              routes.by_dossier[l.route.dossier].push_back(std::move(s));
            } else if (!l.route.agency.empty()) {
              routes.by_agency[l.route.agency].push_back(std::move(s));
            } else {
              routes.all.push_back(std::move(s));
            }
          }
        }
      }
      from = items.back().position;
      behind = from < upto;
      const std::shared_ptr<const DefinitionCatalog> catalog = catalog_();
      const AgencyRegistry& registry = catalog->Agencies();
      // Each event: its facts, the subscribers that want it, and only then its rendering, once.
      for (const Item& item : items) {
        auto e = std::make_shared<StreamEvent>();
        if (!FillFacts(store_, item.position, *item.event, item.dossier, e.get()).ok()) continue;
        Candidates(routes, *e, registry, &candidates);
        wanting.clear();
        for (StreamSink* sink : candidates) {
          if (sink->Wants(*e, registry)) wanting.push_back(sink);
        }
        if (wanting.empty()) continue;
        Render(item.position, *item.event, e.get());
        std::shared_ptr<const StreamEvent> shared = std::move(e);
        for (StreamSink* sink : wanting) {
          std::vector<std::shared_ptr<const StreamEvent>>& list = pending[sink];
          if (list.empty() || list.back() != shared) list.push_back(shared);
        }
      }
      if (!behind) break;
    }
    size_t served = 0;
    for (auto& [sink, list] : pending) {
      if (list.empty()) continue;
      sink->Deliver(std::move(list));
      list.clear();
      ++served;
    }
    interval = std::min(kMaxRoundInterval,
                        std::max(kRoundInterval, kRoundInterval * static_cast<int>(served) /
                                                     static_cast<int>(kSinksPerRound)));
  }
}

}  // namespace motcua::http
