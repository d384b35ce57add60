// The content-addressed file store and file types by content (adapters/files).

#include "adapters/files/file_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "adapters/files/sniff.h"

namespace motcua {
namespace {

namespace fs = std::filesystem;

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("motcua-files-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  std::unique_ptr<FileStore> Open(size_t* partial = nullptr) {
    Result<std::unique_ptr<FileStore>> s = FileStore::Open(dir_, false, partial);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::string dir_;
};

TEST(Sha256Test, KnownVectors) {
  // FIPS 180-2 examples.
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(FileStoreTest, PutStoresByHashOnceAndReadsRanges) {
  auto fs_ = Open();
  ASSERT_TRUE(fs_);
  const std::string bytes = "%PDF-1.4\nhello\n%%EOF\n";
  Result<FileStore::Stored> a = fs_->Put(bytes);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->sha256, Sha256Hex(bytes));
  EXPECT_EQ(a->size, static_cast<int64_t>(bytes.size()));
  EXPECT_FALSE(a->existed);
  EXPECT_TRUE(fs::exists(dir_ + "/sha256/" + a->sha256.substr(0, 2) + "/" + a->sha256));
  // The same content again is the same file.
  Result<FileStore::Stored> b = fs_->Put(bytes);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->sha256, a->sha256);
  EXPECT_TRUE(b->existed);
  EXPECT_EQ(*fs_->Size(a->sha256), static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(*fs_->Read(a->sha256, 0, 8), "%PDF-1.4");
  EXPECT_EQ(*fs_->Read(a->sha256, 9, 5), "hello");
  EXPECT_EQ(*fs_->Read(a->sha256, 15, 100), "%%EOF\n");  // fewer at the end
  EXPECT_TRUE(fs_->Check(a->sha256, a->size).ok());
  // Nothing is left in tmp.
  EXPECT_TRUE(fs::is_empty(dir_ + "/tmp"));
}

TEST_F(FileStoreTest, MissingAndMalformedHashesAreNamed) {
  auto fs_ = Open();
  ASSERT_TRUE(fs_);
  const std::string none(64, 'a');
  EXPECT_EQ(fs_->Size(none).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->Read(none, 0, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->Check(none, 1).code(), StatusCode::kNotFound);
  // A path is never built from anything but a hash.
  EXPECT_EQ(fs_->Read("../../etc/passwd", 0, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->Remove("ab").code(), StatusCode::kInvalidArgument);
}

TEST_F(FileStoreTest, CheckFindsAChangedFile) {
  auto fs_ = Open();
  ASSERT_TRUE(fs_);
  Result<FileStore::Stored> a = fs_->Put("original bytes");
  ASSERT_TRUE(a.ok());
  const std::string path = fs_->PathOf(a->sha256);
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f << "ORIGINAL";
  }
  Status s = fs_->Check(a->sha256, a->size);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("hashes to " + Sha256Hex("ORIGINAL bytes")), std::string::npos)
      << s.message();
  // Another size is named as such.
  Status t = fs_->Check(a->sha256, a->size + 1);
  EXPECT_NE(t.message().find("has 14 bytes, expected 15"), std::string::npos) << t.message();
}

TEST_F(FileStoreTest, OpenRemovesPartialUploadsAndListSeesOnlyStoredFiles) {
  {
    auto fs_ = Open();
    ASSERT_TRUE(fs_);
    ASSERT_TRUE(fs_->Put("one").ok());
    ASSERT_TRUE(fs_->Put("two").ok());
  }
  // A crash mid-upload leaves a tmp file; stray files in a shard are not ours.
  std::ofstream(dir_ + "/tmp/0123456789abcdef.part") << "half a file";
  std::ofstream(dir_ + "/sha256/README") << "not a file of ours";
  size_t partial = 0;
  auto fs_ = Open(&partial);
  ASSERT_TRUE(fs_);
  EXPECT_EQ(partial, 1u);
  EXPECT_TRUE(fs::is_empty(dir_ + "/tmp"));
  Result<std::vector<FileStore::Entry>> all = fs_->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_LT((*all)[0].sha256, (*all)[1].sha256);
  ASSERT_TRUE(fs_->Remove(Sha256Hex("one")).ok());
  EXPECT_EQ(fs_->List()->size(), 1u);
  EXPECT_EQ(fs_->Remove(Sha256Hex("one")).code(), StatusCode::kNotFound);
}

TEST_F(FileStoreTest, ReadOnlyOpenCreatesNothing) {
  Result<std::unique_ptr<FileStore>> s = FileStore::Open(dir_, true);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(fs::exists(dir_));
  EXPECT_TRUE((*s)->List()->empty());
}

TEST_F(FileStoreTest, AFailedWriteSaysWhyAndLeavesNothing) {
  auto fs_ = Open();
  ASSERT_TRUE(fs_);
  // tmp is no directory (root writes through permissions, not through this).
  fs::remove(dir_ + "/tmp");
  std::ofstream(dir_ + "/tmp") << "in the way";
  Result<FileStore::Stored> r = fs_->Put("bytes");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot create"), std::string::npos) << r.status().message();
  EXPECT_EQ(fs_->Size(Sha256Hex("bytes")).status().code(), StatusCode::kNotFound);
}

std::string Name(std::string_view bytes) {
  const FileType* t = SniffFileType(bytes);
  return t ? std::string(t->name) : "none";
}

TEST(SniffTest, RecognisesTypesByContentNotByName) {
  EXPECT_EQ(Name("%PDF-1.7\n...\n%%EOF\n"), "pdf");
  EXPECT_EQ(Name("%PDF-1.7\n... cut short"), "none");  // no end-of-file marker
  EXPECT_EQ(Name("\xFF\xD8\xFF\xE0\x00\x10JFIF"), "jpg");
  EXPECT_EQ(Name(std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR", 16)), "png");
  EXPECT_EQ(Name(std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIDAT", 16)), "none");
  EXPECT_EQ(Name("<?xml version=\"1.0\"?><HoSo/>"), "xml");
  EXPECT_EQ(Name("\xEF\xBB\xBF\n  <HoSo><Ma>1</Ma></HoSo>"), "xml");
  EXPECT_EQ(Name("<html><script>alert(1)</script></html>"), "none");
  EXPECT_EQ(Name("<HTML>"), "none");
  EXPECT_EQ(Name(std::string("PK\x03\x04....[Content_Types].xml....word/document.xml", 50)),
            "docx");
  EXPECT_EQ(Name("PK\x03\x04 a zip of something else"), "none");
  EXPECT_EQ(Name("MZ\x90\x00 an executable"), "none");
  EXPECT_EQ(Name(std::string("<a\0b>", 5)), "none");  // not text
  EXPECT_EQ(Name(""), "none");
  EXPECT_EQ(std::string(SniffFileType("%PDF-1.4 %%EOF")->media_type), "application/pdf");
}

}  // namespace
}  // namespace motcua
