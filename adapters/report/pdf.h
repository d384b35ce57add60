#pragma once
// Printing HTML pages to PDF with a headless browser (Chromium's --print-to-pdf): the printed
// forms' `?format=pdf`, when `pdf_renderer` names a browser. One page at a time on the printer's
// own thread, each in a fresh temporary directory and within a deadline (the browser is killed
// past it); a few pages may wait, more are refused at once, so a burst of prints never holds the
// API's threads or piles up browsers.

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <thread>

#include "adapters/runtime/cond_var.h"
#include "engine/common/mutex.h"
#include "engine/common/status.h"

namespace motcua {

class PdfPrinter {
 public:
  using Done = std::function<void(Result<std::string> pdf)>;

  // `browser`: the path of a Chromium-compatible browser.
  PdfPrinter(std::string browser, std::chrono::seconds deadline, size_t max_waiting = 4);
  // Kills a print under way and answers every waiting page kUnavailable.
  ~PdfPrinter();
  PdfPrinter(const PdfPrinter&) = delete;
  PdfPrinter& operator=(const PdfPrinter&) = delete;

  // Queues `html`; `done` is called once, on the printer's thread, with the PDF or why there is
  // none. False (and `done` never called) when the queue is full.
  bool Print(std::string html, Done done);

 private:
  // Prints one page on the printer's thread.
  Result<std::string> PrintNow(const std::string& html);

  struct Job {
    std::string html;
    Done done;
  };
  void Loop();

  const std::string browser_;
  const std::chrono::seconds deadline_;
  const size_t max_waiting_;
  Mutex mu_;
  CondVar cv_;
  std::deque<Job> jobs_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  pid_t running_ GUARDED_BY(mu_) = 0;  // the browser printing now, killed on stop
  std::thread thread_;
};

}  // namespace motcua
