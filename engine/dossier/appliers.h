#pragma once
// The appliers: the only code that changes a Dossier. There is one per (event type, event
// version), and each applies exactly the fields its event carries.
//
// Records of administrative procedures are kept for years while the rules change with the law.
// Replaying a dossier's stored events through the appliers reproduces its stored record
// (engine/store/verify.h checks it; tests/adapters/rocksdb/golden_store_test.cc keeps a store of
// every kind of event written by version 1). So an applier never changes once events of its
// version are stored: a change of rules adds a new version of the event type, its applier is
// registered beside the old one (appliers.cc), and processors write the newest.

#include "engine/dossier/dossier.h"

namespace motcua {

// The version processors write for events of `type`: its newest registered applier.
int CurrentEventVersion(EventType type);
// Whether this build can replay events of `type` written in `version` (decoders refuse others).
bool KnownEventVersion(EventType type, int version);
// Applies `e`, the next event of `d` (e.version == d.version + 1) of a known version. Anything
// else is our bug: processors emit events for the state they read, decoders refuse unknown
// versions.
void Apply(Dossier& d, const Event& e);

}  // namespace motcua
