// The fan-out of committed events to stream subscribers (stream_hub.h).

#include "adapters/http/stream_hub.h"

#include <algorithm>

#include "adapters/json/json_writer.h"
#include "adapters/proto/view_codec.h"
#include "motcua/v1/api.pb.h"

namespace motcua::http {

namespace {

// Outbox entries read, made and handed out per round of the hub.
constexpr size_t kPage = 256;

}  // namespace

Result<std::shared_ptr<const StreamEvent>> MakeStreamEvent(Store* store, const OutboxEntry& entry) {
  auto e = std::make_shared<StreamEvent>();
  e->position = entry.position;
  e->dossier_id = entry.event.dossier_id;
  e->to_step = entry.event.to_step;
  ASSIGN_OR_RETURN(std::shared_ptr<const Dossier> d, store->GetShared(entry.event.dossier_id));
  if (d) {
    e->receiving_agency = d->receiving_agency;
    e->competent_agency = d->competent_agency;
    e->current_step = d->current_step;
    e->assignee = d->assignee;
  }
  v1::EventView v;
  FillEvent(entry.event, entry.position, &v);
  e->json = ToJson(v, false);
  return std::shared_ptr<const StreamEvent>(std::move(e));
}

StreamHub::StreamHub(Store* store, CatalogSource catalog, uint64_t committed)
    : store_(store), catalog_(std::move(catalog)), committed_(committed), fanned_(committed) {}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Run(); });
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
  {
    MutexLock lock(&mu_);
    if (position <= committed_) return;
    committed_ = position;
  }
  cv_.Signal();
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
  MutexLock lock(&mu_);
  if (delivered < fanned_) return false;
  sinks_.push_back({sink.get(), sink});
  return true;
}

void StreamHub::Leave(const StreamSink* sink) {
  MutexLock lock(&mu_);
  sinks_.erase(
      std::remove_if(sinks_.begin(), sinks_.end(), [sink](const Live& l) { return l.key == sink; }),
      sinks_.end());
}

void StreamHub::Run() {
  uint64_t from = 0;
  {
    MutexLock lock(&mu_);
    from = fanned_;
  }
  while (true) {
    {
      MutexLock lock(&mu_);
      while (!stop_ && committed_ <= from) cv_.Wait(&mu_);
      if (stop_) return;
    }
    // Read, made and rendered once, whoever wants them.
    Result<std::vector<OutboxEntry>> page = store_->ReadOutbox(from, kPage);
    std::vector<std::shared_ptr<const StreamEvent>> events;
    if (page.ok()) {
      events.reserve(page->size());
      for (const OutboxEntry& o : *page) {
        Result<std::shared_ptr<const StreamEvent>> e = MakeStreamEvent(store_, o);
        if (!e.ok()) break;
        events.push_back(std::move(*e));
      }
    }
    if (events.empty()) {
      // The store failed to read (it logs why); try again shortly rather than spin.
      MutexLock lock(&mu_);
      cv_.WaitFor(&mu_, std::chrono::milliseconds(100));
      continue;
    }
    from = events.back()->position;
    // The sinks live at this page; one that joins later has read it already (Join).
    std::vector<std::shared_ptr<StreamSink>> live;
    {
      MutexLock lock(&mu_);
      fanned_ = from;
      live.reserve(sinks_.size());
      for (auto it = sinks_.begin(); it != sinks_.end();) {
        if (auto s = it->sink.lock()) {
          live.push_back(std::move(s));
          ++it;
        } else {
          it = sinks_.erase(it);
        }
      }
    }
    const std::shared_ptr<const DefinitionCatalog> catalog = catalog_();
    const AgencyRegistry& registry = catalog->Agencies();
    std::vector<std::shared_ptr<const StreamEvent>> wanted;
    for (const auto& sink : live) {
      wanted.clear();
      for (const auto& e : events) {
        if (sink->Wants(*e, registry)) wanted.push_back(e);
      }
      if (!wanted.empty()) sink->Deliver(std::move(wanted));
    }
  }
}

}  // namespace motcua::http
