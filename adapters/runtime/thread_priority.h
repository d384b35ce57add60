#pragma once
// Background threads (stream fan-out) yield the CPU to the write path on a busy machine.

#include <sys/resource.h>
#include <unistd.h>

namespace motcua {

// How much lower background threads run than the rest: with nice +5 the scheduler gives a
// runnable io or commit thread about three times the CPU of a runnable background thread, and
// an idle core still goes to the background thread at once.
constexpr int kBackgroundNice = 5;

// Lowers the calling thread's priority (Linux: a thread has its own nice value). Never fails
// the caller: a thread left at normal priority only competes more with the writes.
inline void LowerThisThreadPriority(int nice = kBackgroundNice) {
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice);
}

}  // namespace motcua
