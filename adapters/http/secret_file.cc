// Credential files (secret_file.h).

#include "adapters/http/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace motcua::http {

Result<YAML::Node> LoadSecretFile(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Status SaveSecretFile(const std::string& path, const YAML::Node& root, const std::string& comment) {
  YAML::Emitter out;
  out << root;
  const std::string text = "# " + comment + "\n" + out.c_str() + "\n";
  // A temporary file of this process, mode 0600 from its creation, synced, then renamed over
  // the file and the directory synced: a reader sees the old file or the new one, a crash
  // leaves one of them, and no one else may read the hashes meanwhile.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot write " + tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Internal("cannot write " + tmp + ": " + why);
    }
    done += static_cast<size_t>(n);
  }
  // Root editing the server's file (`motcua token add` as root): the new file keeps the old one's
  // owner, or the server could no longer read it.
  struct stat old {};
  if (::geteuid() == 0 && ::stat(path.c_str(), &old) == 0) {
    if (::fchown(fd, old.st_uid, old.st_gid) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Internal("cannot give " + tmp + " the owner of " + path + ": " + why);
    }
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Internal("cannot sync " + tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Internal("cannot replace " + path + ": " + why);
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace motcua::http
