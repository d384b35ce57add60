// The content-addressed file store (file_store.h).

#include "adapters/files/file_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>

#include "engine/dossier/dossier.h"

namespace motcua {

namespace {

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error a deferred write may only show here.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status SyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Unavailable(Errno("cannot open directory", dir));
  if (::fsync(fd.get()) != 0) return Unavailable(Errno("cannot sync directory", dir));
  return Status::Ok();
}

// Makes `dir` when missing, syncing its parent so that the new entry is durable.
Status MakeDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0750) == 0) {
    return SyncDir(dir.substr(0, dir.find_last_of('/')));
  }
  if (errno == EEXIST) return Status::Ok();
  return Unavailable(Errno("cannot create directory", dir));
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string RandomName() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // OpenSSL's SHA-256 uses the CPU's SHA extensions: ~1.8 GB/s here, libsodium's ~0.43 GB/s
  // (bench/README.md, "Uploads"). It fails only without memory.
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    const unsigned char c = digest[i];
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Result<std::unique_ptr<FileStore>> FileStore::Open(const std::string& dir, bool read_only,
                                                   size_t* removed_partial) {
  if (removed_partial) *removed_partial = 0;
  std::unique_ptr<FileStore> fs(new FileStore(dir));
  if (read_only) return fs;
  for (const std::string& d : {dir, dir + "/sha256", dir + "/tmp"}) {
    if (Status s = MakeDir(d); !s.ok()) return s;
  }
  // Uploads a crash interrupted: never renamed into place, so nothing refers to them.
  const std::string tmp = dir + "/tmp";
  if (DIR* dp = ::opendir(tmp.c_str())) {
    while (const dirent* e = ::readdir(dp)) {
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      if (::unlink((tmp + "/" + name).c_str()) == 0 && removed_partial) ++*removed_partial;
    }
    ::closedir(dp);
  }
  return fs;
}

std::string FileStore::PathOf(const std::string& sha256) const {
  return dir_ + "/sha256/" + sha256.substr(0, 2) + "/" + sha256;
}

Result<FileStore::Stored> FileStore::Put(std::string_view bytes) const {
  Stored out;
  out.sha256 = Sha256Hex(bytes);
  out.size = static_cast<int64_t>(bytes.size());
  const std::string path = PathOf(out.sha256);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && st.st_size == out.size) {
    // Stored already (by an earlier upload, durably): keep it, fresh for the prune's grace.
    if (::utimensat(AT_FDCWD, path.c_str(), nullptr, 0) != 0) {
      return Unavailable(Errno("cannot touch", path));
    }
    out.existed = true;
    return out;
  }
  const std::string tmp = dir_ + "/tmp/" + RandomName() + ".part";
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0440));
    if (fd.get() < 0) return Unavailable(Errno("cannot create", tmp));
    if (!WriteAll(fd.get(), bytes) || ::fsync(fd.get()) != 0 || fd.Close() != 0) {
      const std::string why = Errno("cannot write", tmp);
      ::unlink(tmp.c_str());
      return Unavailable(why);
    }
  }
  const std::string shard = dir_ + "/sha256/" + out.sha256.substr(0, 2);
  if (Status s = MakeDir(shard); !s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = Errno("cannot rename into", path);
    ::unlink(tmp.c_str());
    return Unavailable(why);
  }
  if (Status s = SyncDir(shard); !s.ok()) return s;
  return out;
}

Result<int64_t> FileStore::Size(const std::string& sha256) const {
  if (!CheckSha256(sha256).empty()) return InvalidArgument("not a SHA-256: " + sha256);
  struct stat st {};
  if (::stat(PathOf(sha256).c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound("no stored file " + sha256);
    return Unavailable(Errno("cannot stat", PathOf(sha256)));
  }
  return static_cast<int64_t>(st.st_size);
}

Result<std::string> FileStore::Read(const std::string& sha256, int64_t offset,
                                    int64_t length) const {
  if (!CheckSha256(sha256).empty()) return InvalidArgument("not a SHA-256: " + sha256);
  const std::string path = PathOf(sha256);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return NotFound("no stored file " + sha256);
    return Unavailable(Errno("cannot open", path));
  }
  std::string out(static_cast<size_t>(std::max<int64_t>(length, 0)), '\0');
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::pread(fd.get(), out.data() + got, out.size() - got,
                              static_cast<off_t>(offset + static_cast<int64_t>(got)));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unavailable(Errno("cannot read", path));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

Status FileStore::Check(const std::string& sha256, int64_t size) const {
  Result<int64_t> have = Size(sha256);
  if (!have.ok()) return have.status();
  if (*have != size) {
    return Internal("file " + sha256 + " has " + std::to_string(*have) + " bytes, expected " +
                    std::to_string(size));
  }
  Result<std::string> bytes = Read(sha256, 0, size);
  if (!bytes.ok()) return bytes.status();
  const std::string actual = Sha256Hex(*bytes);
  if (actual != sha256) return Internal("file " + sha256 + " hashes to " + actual);
  return Status::Ok();
}

Result<std::vector<FileStore::Entry>> FileStore::List() const {
  std::vector<Entry> out;
  const std::string root = dir_ + "/sha256";
  DIR* shards = ::opendir(root.c_str());
  if (shards == nullptr) {
    if (errno == ENOENT) return out;
    return Unavailable(Errno("cannot list", root));
  }
  while (const dirent* s = ::readdir(shards)) {
    const std::string shard = s->d_name;
    if (shard == "." || shard == "..") continue;
    const std::string sdir = root + "/" + shard;
    DIR* files = ::opendir(sdir.c_str());
    if (files == nullptr) continue;
    while (const dirent* f = ::readdir(files)) {
      const std::string name = f->d_name;
      // Only files named by their hash, in their shard (nothing else is ours).
      if (!CheckSha256(name).empty() || name.compare(0, 2, shard) != 0) continue;
      struct stat st {};
      if (::stat((sdir + "/" + name).c_str(), &st) != 0) continue;
      out.push_back({name, static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_mtime)});
    }
    ::closedir(files);
  }
  ::closedir(shards);
  std::sort(out.begin(), out.end(),
            [](const Entry& a, const Entry& b) { return a.sha256 < b.sha256; });
  return out;
}

Result<size_t> FileStore::LinkInto(const std::string& dir) const {
  ASSIGN_OR_RETURN(std::vector<Entry> files, List());
  std::string made_shard;
  for (const Entry& e : files) {
    const std::string shard = dir + "/sha256/" + e.sha256.substr(0, 2);
    if (shard != made_shard) {
      std::error_code ec;
      std::filesystem::create_directories(shard, ec);
      if (ec) return Unavailable("cannot create " + shard + ": " + ec.message());
      made_shard = shard;
    }
    const std::string to = shard + "/" + e.sha256;
    if (::link(PathOf(e.sha256).c_str(), to.c_str()) == 0) continue;
    if (errno == ENOENT) continue;  // pruned since it was listed: no dossier refers to it
    if (errno != EXDEV) return Unavailable(Errno("cannot link " + PathOf(e.sha256) + " to", to));
    // Another file system: a copy.
    std::error_code ec;
    std::filesystem::copy_file(PathOf(e.sha256), to, ec);
    if (ec) return Unavailable("cannot copy " + PathOf(e.sha256) + ": " + ec.message());
  }
  for (const char* sub : {"/sha256", "/tmp"}) {  // an empty store is a store too
    std::error_code ec;
    std::filesystem::create_directories(dir + sub, ec);
    if (ec) return Unavailable("cannot create " + dir + sub + ": " + ec.message());
  }
  return files.size();
}

Status FileStore::Remove(const std::string& sha256) const {
  if (!CheckSha256(sha256).empty()) return InvalidArgument("not a SHA-256: " + sha256);
  const std::string path = PathOf(sha256);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return NotFound("no stored file " + sha256);
    return Unavailable(Errno("cannot remove", path));
  }
  return SyncDir(dir_ + "/sha256/" + sha256.substr(0, 2));
}

}  // namespace motcua
