#pragma once
// Vietnamese text folded for search: lower case, without diacritics ("Nguyễn Văn Ân" →
// "nguyen van an", "Đ" → "d"), spaces collapsed and trimmed. Precomposed letters (NFC, as
// keyboards and the portal send them) and combining marks (NFD) fold alike. Characters outside
// the Vietnamese alphabet are kept, lower-cased when ASCII.

#include <string>
#include <string_view>

namespace motcua {

std::string FoldVietnamese(std::string_view utf8);

}  // namespace motcua
