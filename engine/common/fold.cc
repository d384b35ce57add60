// Vietnamese folding for search (fold.h).

#include "engine/common/fold.h"

#include <array>
#include <cstdint>
#include <unordered_map>

namespace motcua {

namespace {

// Decodes one UTF-8 sequence at s[i]; advances i. Malformed bytes come back as themselves.
uint32_t Next(std::string_view s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) { return static_cast<unsigned char>(s[i + k]) & 0x3f; };
  if (b < 0x80) {
    i += 1;
    return b;
  }
  if ((b & 0xe0) == 0xc0 && i + 1 < s.size()) {
    const uint32_t c = ((b & 0x1fu) << 6) | cont(1);
    i += 2;
    return c;
  }
  if ((b & 0xf0) == 0xe0 && i + 2 < s.size()) {
    const uint32_t c = ((b & 0x0fu) << 12) | (cont(1) << 6) | cont(2);
    i += 3;
    return c;
  }
  if ((b & 0xf8) == 0xf0 && i + 3 < s.size()) {
    const uint32_t c = ((b & 0x07u) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
    i += 4;
    return c;
  }
  i += 1;
  return b;
}

void Append(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  }
}

// Every letter of the Vietnamese alphabet with a diacritic, lower and upper case, by its base.
const std::unordered_map<uint32_t, char>& Bases() {
  static const std::unordered_map<uint32_t, char> bases = [] {
    const std::array<std::pair<char, const char*>, 14> groups = {{
        {'a', "àáảãạăằắẳẵặâầấẩẫậ"},
        {'a', "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"},
        {'e', "èéẻẽẹêềếểễệ"},
        {'e', "ÈÉẺẼẸÊỀẾỂỄỆ"},
        {'i', "ìíỉĩị"},
        {'i', "ÌÍỈĨỊ"},
        {'o', "òóỏõọôồốổỗộơờớởỡợ"},
        {'o', "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
        {'u', "ùúủũụưừứửữự"},
        {'u', "ÙÚỦŨỤƯỪỨỬỮỰ"},
        {'y', "ỳýỷỹỵ"},
        {'y', "ỲÝỶỸỴ"},
        {'d', "đ"},
        {'d', "Đ"},
    }};
    std::unordered_map<uint32_t, char> m;
    for (const auto& [base, letters] : groups) {
      const std::string_view s(letters);
      for (size_t i = 0; i < s.size();) m[Next(s, i)] = base;
    }
    return m;
  }();
  return bases;
}

}  // namespace

std::string FoldVietnamese(std::string_view utf8) {
  const auto& bases = Bases();
  std::string out;
  out.reserve(utf8.size());
  bool space = false;
  for (size_t i = 0; i < utf8.size();) {
    const uint32_t c = Next(utf8, i);
    if (c >= 0x300 && c <= 0x36f) continue;  // a combining mark (decomposed text)
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xa0) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else if (auto it = bases.find(c); it != bases.end()) {
      out.push_back(it->second);
    } else {
      Append(c, &out);
    }
  }
  return out;
}

}  // namespace motcua
