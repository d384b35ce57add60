#pragma once
// A fresh, empty directory under the test temp dir, unique per process and call.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace motcua::testing {

inline std::string FreshDir(const std::string& name) {
  static std::atomic<int> n{0};
  std::string dir = ::testing::TempDir() + "/motcua-" + name + "-" + std::to_string(getpid()) +
                    "-" + std::to_string(n++);
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace motcua::testing
