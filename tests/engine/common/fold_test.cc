// Vietnamese folding for search (engine/common/fold.h): as people type names on a keyboard
// without the Vietnamese layout.

#include "engine/common/fold.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

TEST(FoldTest, NamesFoldToPlainLowerCase) {
  EXPECT_EQ(FoldVietnamese("Nguyễn Văn An"), "nguyen van an");
  EXPECT_EQ(FoldVietnamese("ĐẶNG THỊ HƯỜNG"), "dang thi huong");
  EXPECT_EQ(FoldVietnamese("Đỗ Quốc Việt"), "do quoc viet");
  EXPECT_EQ(FoldVietnamese("Lý Thị Ỷ"), "ly thi y");
  // Every vowel with every tone, both cases.
  EXPECT_EQ(
      FoldVietnamese("àáảãạăằắẳẵặâầấẩẫậ ÈÉẺẼẸÊỀẾỂỄỆ ìíỉĩị ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ ùúủũụưừứửữự ỲÝỶỸỴ"),
      "aaaaaaaaaaaaaaaaa eeeeeeeeeee iiiii ooooooooooooooooo uuuuuuuuuuu yyyyy");
}

TEST(FoldTest, DecomposedTextFoldsLikePrecomposed) {
  // "Nguyễn" typed as e + circumflex + tilde (NFD), as some systems store it.
  EXPECT_EQ(FoldVietnamese("Nguye\xcc\x82\xcc\x83n"), "nguyen");
}

TEST(FoldTest, SpacesCollapseAndTheRestIsKept) {
  EXPECT_EQ(FoldVietnamese("  Trần \t  Thị\n Bé  "), "tran thi be");
  EXPECT_EQ(FoldVietnamese("Công ty TNHH Ánh Dương 2"), "cong ty tnhh anh duong 2");
  EXPECT_EQ(FoldVietnamese("Müller"), "m\xc3\xbcller");  // not Vietnamese: kept
  EXPECT_EQ(FoldVietnamese(""), "");
}

}  // namespace
}  // namespace motcua
