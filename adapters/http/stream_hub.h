#pragma once
// The fan-out of committed events to /v1/stream subscribers, without Beast (tested without a
// socket, stream_hub_test.cc). One hub thread takes each committed event once, renders its JSON
// once, and hands the shared bytes with the facts subscriptions filter on (StreamEvent) to every
// live subscriber that wants them, a page of events at a time. The committer hands over the
// events it made durable with their dossiers as they now stand (CommittedEvents), and only
// queues them and signals: HTTP answers of a committed batch never wait behind fan-out work.
// Events not held in memory (a hub further behind than kHeldEvents, or told only a position)
// are read from the outbox, and their dossiers through the store's record cache.
//
// A subscriber that starts behind (a resume from an earlier position) reads its backlog from the
// store itself, paced by its client, and joins the hub once it has caught up (Join).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "adapters/runtime/cond_var.h"
#include "engine/common/mutex.h"
#include "engine/common/status.h"
#include "engine/definition/catalog.h"
#include "engine/dossier/dossier.h"
#include "engine/store/store.h"

namespace motcua::http {

// Rounds start at most every 25 ms, or up to every 100 ms when many subscribers get events
// (stream_hub.cc): the events committed meanwhile go out together, several to a subscriber's
// socket write, at the cost of that much delivery lag (a backlog is read without waiting). With
// nobody subscribed the hub holds and reads nothing, and an event nobody wants is never rendered.
//
// One committed event as the stream sends it, with what subscriptions filter on: made once.
struct StreamEvent {
  uint64_t position = 0;
  std::string dossier_id;
  // Of the dossier as its commit left it (handed over in memory), or as it is when the event is
  // read back from the outbox (an empty agency: the dossier is gone).
  std::string receiving_agency;
  std::string competent_agency;
  std::string current_step;
  std::string to_step;  // the step the event moved the dossier into, if it did
  std::string assignee;
  std::string json;  // the v1.EventView
};

// Reads the event's dossier through Store::GetShared (the record cache) and renders the view.
Result<std::shared_ptr<const StreamEvent>> MakeStreamEvent(Store* store, const OutboxEntry& entry);

// A subscriber as the hub sees it (the WebSocket session implements it).
class StreamSink {
 public:
  // Where the hub files a subscriber, so that an event is offered only to those that may want
  // it: the subscribers of its dossier, of its agencies and the agencies above them, and those
  // subscribed to everything.
  struct Route {
    std::string dossier;  // the events of this dossier
    std::string agency;   // else the events of this agency and the units below it
  };                      // neither: every event (in the subscriber's scope)

  virtual ~StreamSink() = default;
  virtual Route route() const = 0;
  // Whether it wants `e` (its subscription's filter and its principal's scope).
  virtual bool Wants(const StreamEvent& e, const AgencyRegistry& registry) const = 0;
  // Events it wants, in position order, on the hub thread: must not block.
  virtual void Deliver(std::vector<std::shared_ptr<const StreamEvent>> events) = 0;
};

class StreamHub {
 public:
  using CatalogSource = std::function<std::shared_ptr<const DefinitionCatalog>()>;
  // Fans out what is committed after `committed` (the outbox position at start).
  StreamHub(Store* store, CatalogSource catalog, uint64_t committed);
  ~StreamHub();

  void Start() EXCLUDES(mu_);
  void Stop() EXCLUDES(mu_);
  // From the committer: the outbox holds events up to `position`. Cheap; never blocks on
  // fan-out. The hub reads them from the store.
  void Committed(uint64_t position) EXCLUDES(mu_);
  // From the committer: these events are durable, handed over in memory (not read back).
  void Committed(std::shared_ptr<const CommittedEvents> events) EXCLUDES(mu_);
  uint64_t committed() const EXCLUDES(mu_);
  // Adds `sink` as a live subscriber that has every event up to `delivered`. False when the
  // hub has already fanned out events after it: the sink reads those from the store, then
  // joins again.
  bool Join(const std::shared_ptr<StreamSink>& sink, uint64_t delivered) EXCLUDES(mu_);
  void Leave(const StreamSink* sink) EXCLUDES(mu_);

  // For metrics and tests.
  uint64_t fanned() const EXCLUDES(mu_);
  size_t live() const EXCLUDES(mu_);

 private:
  struct Live {
    const StreamSink* key;
    std::weak_ptr<StreamSink> sink;
    StreamSink::Route route;
  };
  // The live subscribers filed by route, as the hub thread uses them between changes.
  struct Routes {
    std::vector<std::shared_ptr<StreamSink>> all;
    std::unordered_map<std::string, std::vector<std::shared_ptr<StreamSink>>> by_agency;
    std::unordered_map<std::string, std::vector<std::shared_ptr<StreamSink>>> by_dossier;
  };
  // One event to fan out, from a commit held in memory (with its dossier) or from the outbox
  // (`dossier` null: read through the record cache).
  struct Item {
    uint64_t position;
    const Event* event;
    const Dossier* dossier;
  };
  void Run() EXCLUDES(mu_);
  // The subscribers that may want `e`, each once.
  void Candidates(const Routes& routes, const StreamEvent& e, const AgencyRegistry& registry,
                  std::vector<StreamSink*>* out) const;

  Store* store_;
  CatalogSource catalog_;
  mutable Mutex mu_;
  CondVar cv_;
  uint64_t committed_ GUARDED_BY(mu_);
  uint64_t fanned_ GUARDED_BY(mu_);  // every event up to here went to the live sinks
  // Commits handed over and not yet taken by the hub thread, and how many events they hold.
  std::vector<std::shared_ptr<const CommittedEvents>> incoming_ GUARDED_BY(mu_);
  size_t incoming_events_ GUARDED_BY(mu_) = 0;
  bool stop_ GUARDED_BY(mu_) = false;
  bool idle_ GUARDED_BY(mu_) = false;  // the hub thread waits for events
  std::vector<Live> sinks_ GUARDED_BY(mu_);
  uint64_t sinks_version_ GUARDED_BY(mu_) = 0;  // bumped by every Join and Leave
  std::thread thread_;
};

}  // namespace motcua::http
