// The PDF printer (adapters/report/pdf.h) with stand-in browsers: a page printed, a browser that
// hangs killed at the deadline, one that fails said so, a full queue refused, a stop answering
// what waits.

#include "adapters/report/pdf.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>

namespace motcua {
namespace {

// A shell script standing in for the browser: `body` runs with $pdf set to --print-to-pdf's path.
std::string Browser(const std::string& name, const std::string& body) {
  const std::string path = ::testing::TempDir() + "/motcua-fake-" + name;
  std::ofstream(path) << "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --print-to-pdf=*) "
                         "pdf=\"${a#--print-to-pdf=}\";; esac; done\n"
                      << body << "\n";
  chmod(path.c_str(), 0755);
  return path;
}

Result<std::string> PrintAndWait(PdfPrinter& p, const std::string& html) {
  std::promise<Result<std::string>> done;
  EXPECT_TRUE(p.Print(html, [&done](Result<std::string> r) { done.set_value(std::move(r)); }));
  return done.get_future().get();
}

TEST(PdfPrinterTest, PrintsAPage) {
  PdfPrinter p(Browser("ok", "printf '%%PDF-1.4 page' > \"$pdf\""), std::chrono::seconds(10));
  Result<std::string> pdf = PrintAndWait(p, "<p>Mẫu 01</p>");
  ASSERT_TRUE(pdf.ok()) << pdf.status().message();
  EXPECT_EQ(*pdf, "%PDF-1.4 page");
}

TEST(PdfPrinterTest, ABrowserThatHangsIsKilledAtTheDeadline) {
  PdfPrinter p(Browser("hang", "sleep 30"), std::chrono::seconds(1));
  const auto start = std::chrono::steady_clock::now();
  Result<std::string> pdf = PrintAndWait(p, "<p>x</p>");
  EXPECT_EQ(pdf.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(pdf.status().message().find("took longer than 1 s"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(PdfPrinterTest, ABrowserThatPrintsNothingIsSaidSo) {
  PdfPrinter p(Browser("fail", "exit 3"), std::chrono::seconds(10));
  Result<std::string> pdf = PrintAndWait(p, "<p>x</p>");
  EXPECT_EQ(pdf.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(pdf.status().message().find("printed no PDF (exit status 3)"), std::string::npos)
      << pdf.status().message();
}

TEST(PdfPrinterTest, AFullQueueIsRefusedAndAStopAnswersWhatWaits) {
  std::vector<std::future<Result<std::string>>> answers;
  {
    PdfPrinter p(Browser("slow", "sleep 30"), std::chrono::seconds(60), /*max_waiting=*/2);
    auto queue = [&] {
      auto done = std::make_shared<std::promise<Result<std::string>>>();
      answers.push_back(done->get_future());
      return p.Print("<p>x</p>", [done](Result<std::string> r) { done->set_value(std::move(r)); });
    };
    EXPECT_TRUE(queue());  // printing (once the thread takes it)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_TRUE(queue());
    EXPECT_TRUE(queue());
    EXPECT_FALSE(queue());  // two wait already
    answers.pop_back();
  }  // the stop kills the print under way and answers the two waiting
  for (auto& a : answers) EXPECT_EQ(a.get().status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace motcua
