// Files against dossiers (adapters/files/file_check.h): references gathered dossier by dossier
// into a scratch set, then each file checked once, one size per file, and the stored files no
// dossier refers to listed; the same with the references on disk.

#include "adapters/files/file_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/rocksdb/scratch_set.h"

namespace motcua {
namespace {

using ::testing::ElementsAre;

Dossier WithFile(const std::string& id, const std::string& sha256, int64_t size) {
  Dossier d;
  d.id = id;
  AttachedFile f;
  f.document_id = "identity_paper";
  f.sha256 = sha256;
  f.size = size;
  d.files.push_back(f);
  return d;
}

void ExpectSizesCheckedAndStrayFilesListed(ScratchSet* scratch, const std::string& dir) {
  auto files = FileStore::Open(dir + "/files");
  ASSERT_TRUE(files.ok());
  auto kept = (*files)->Put("a file a dossier refers to");
  auto stray = (*files)->Put("a file nobody refers to");
  ASSERT_TRUE(kept.ok() && stray.ok());
  const int64_t size = static_cast<int64_t>(std::string("a file a dossier refers to").size());
  FileCheck check(scratch);
  ASSERT_TRUE(check.Add(WithFile("d1", kept->sha256, size)).ok());
  ASSERT_TRUE(check.Add(WithFile("d2", kept->sha256, size + 1)).ok());  // the same file, larger?
  Result<FileCheckReport> r = check.Finish(**files);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->references, 2u);
  EXPECT_EQ(r->stored, 2u);
  EXPECT_THAT(r->problems, ElementsAre("dossier d2 document identity_paper file " + kept->sha256 +
                                       ": recorded with " + std::to_string(size + 1) +
                                       " bytes, but dossier d1 document identity_paper records " +
                                       std::to_string(size)));
  ASSERT_EQ(r->unreferenced.size(), 1u);
  EXPECT_EQ(r->unreferenced[0].sha256, stray->sha256);
}

std::string FreshDir(const std::string& name) {
  const std::string d =
      ::testing::TempDir() + "/motcua-file-check-" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

TEST(FileCheckTest, OneSizePerFileAndStrayFilesListed) {
  const std::string dir = FreshDir("memory");
  ExpectSizesCheckedAndStrayFilesListed(nullptr, dir);
  std::filesystem::remove_all(dir);
}

TEST(FileCheckTest, TheSameWithTheReferencesOnDisk) {
  const std::string dir = FreshDir("disk");
  {
    auto scratch = RocksScratchSet::Create(dir + "/scratch");
    ASSERT_TRUE(scratch.ok());
    ExpectSizesCheckedAndStrayFilesListed(scratch->get(), dir);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace motcua
