// Printing HTML to PDF with a headless browser (pdf.h).

#include "adapters/report/pdf.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

extern char** environ;

namespace motcua {

PdfPrinter::PdfPrinter(std::string browser, std::chrono::seconds deadline, size_t max_waiting)
    : browser_(std::move(browser)), deadline_(deadline), max_waiting_(max_waiting) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "motcua-pdf");
    Loop();
  });
}

PdfPrinter::~PdfPrinter() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    if (running_ > 0) kill(-running_, SIGKILL);  // the browser's whole process group
  }
  cv_.SignalAll();
  thread_.join();
}

bool PdfPrinter::Print(std::string html, Done done) {
  {
    MutexLock lock(&mu_);
    if (stopping_ || jobs_.size() >= max_waiting_) return false;
    jobs_.push_back(Job{std::move(html), std::move(done)});
  }
  cv_.Signal();
  return true;
}

void PdfPrinter::Loop() {
  while (true) {
    Job job;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && jobs_.empty()) cv_.Wait(&mu_);
      if (stopping_) break;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job.done(PrintNow(job.html));
  }
  std::deque<Job> left;
  {
    MutexLock lock(&mu_);
    left.swap(jobs_);
  }
  for (Job& j : left) j.done(Unavailable("the server is stopping"));
}

Result<std::string> PdfPrinter::PrintNow(const std::string& html) {
  std::string dir = (std::filesystem::temp_directory_path() / "motcua-pdf-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) return Internal("cannot make a directory to print in");
  struct Remove {
    std::string d;
    ~Remove() {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    }
  } remove{dir};
  const std::string page = dir + "/page.html", pdf = dir + "/page.pdf";
  {
    std::ofstream out(page, std::ios::binary);
    out << html;
    if (!out) return Internal("cannot write the page to print");
  }
  // The browser keeps its profile in the directory, prints, and exits.
  std::vector<std::string> args = {browser_,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--no-pdf-header-footer",
                                   "--user-data-dir=" + dir + "/profile",
                                   "--print-to-pdf=" + pdf,
                                   "file://" + page};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string home = "HOME=" + dir;
  std::vector<char*> env = {home.data(), nullptr};
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("HOME=", 0) != 0) env.insert(env.end() - 1, *e);
  }
  // Nothing of the server's but the page: stdin and output on /dev/null, no other descriptor
  // (sockets are not close-on-exec), default signals unblocked (the server blocks the ones it
  // waits for), and a process group of its own, so that a kill reaches its helpers too.
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&files, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclosefrom_np(&files, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  pid_t pid = 0;
  int spawned = 0;
  {
    MutexLock lock(&mu_);
    if (stopping_) return Unavailable("the server is stopping");
    spawned = posix_spawn(&pid, browser_.c_str(), &files, &attr, argv.data(), env.data());
    if (spawned == 0) running_ = pid;
  }
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (spawned != 0) {
    return Unavailable("cannot start the PDF renderer " + browser_ + ": " + std::strerror(spawned));
  }
  // Reaped under the lock, so that a stop never kills a pid the system has given to another.
  const auto until = std::chrono::steady_clock::now() + deadline_;
  int status = 0;
  bool late = false;
  while (true) {
    {
      MutexLock lock(&mu_);
      if (!late && std::chrono::steady_clock::now() > until) {
        kill(-pid, SIGKILL);
        late = true;
      }
      if (waitpid(pid, &status, WNOHANG) == pid) {
        running_ = 0;
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (late) {
    return Unavailable("the PDF renderer took longer than " + std::to_string(deadline_.count()) +
                       " s");
  }
  std::ifstream in(pdf, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || bytes.rfind("%PDF", 0) != 0) {
    return Unavailable("the PDF renderer " + browser_ + " printed no PDF (exit status " +
                       std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
  return bytes;
}

}  // namespace motcua
