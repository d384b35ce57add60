#pragma once
// The port through which the engine runs work on several threads without starting any: the
// adapters own the threads (adapters/runtime/worker.h). Verification checks dossiers with it.

#include <cstddef>
#include <functional>
#include <vector>

namespace motcua {

// Runs jobs, perhaps several at once on threads the adapters own (the engine starts none:
// adapters/runtime/worker.h has one on a Worker's threads).
class JobRunner {
 public:
  virtual ~JobRunner() = default;
  // How many jobs may run at once.
  virtual size_t threads() const = 0;
  // Starts each job; they may run at once, in any order.
  virtual void Start(std::vector<std::function<void()>> jobs) = 0;
  // Returns once every job started has run.
  virtual void Wait() = 0;
};

}  // namespace motcua
