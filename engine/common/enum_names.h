#pragma once
// One name table per enum: the text an enum's values have in definition files, stored records,
// index keys and the API. Every reader and writer of those names goes through the table, so a
// name is spelled in exactly one place.
//
// A table lists every enumerator in declaration order, and its completeness is checked at compile
// time next to the enum:
//
//   inline constexpr auto kChannelNames = MakeNames<Channel>({
//       {Channel::kCounter, "counter"}, {Channel::kOnlineFull, "online_full"}, ...});
//   static_assert(kChannelNames.Complete());
//   constexpr const auto& NamesOf(Channel) { return kChannelNames; }
//
// Complete() holds when entry i names the enumerator of value i, names are unique and not empty,
// and no enumerator follows the last entry (the enums named here are contiguous from 0). Names
// that are persisted (docs/storage.md lists them) never change.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace motcua {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

namespace enum_names_internal {

// Whether V is a declared enumerator of E rather than merely a value of its type: GCC and Clang
// spell a declared enumerator by name in __PRETTY_FUNCTION__ ("V = motcua::Channel::kPostal") and
// any other value as a cast ("V = (motcua::Channel)4").
template <typename E, E V>
constexpr bool IsEnumerator() {
  const std::string_view f = __PRETTY_FUNCTION__;
  const size_t at = f.rfind("V = ");
  return at != std::string_view::npos && at + 4 < f.size() && f[at + 4] != '(';
}

}  // namespace enum_names_internal

template <typename E, size_t N>
class NameTable {
 public:
  constexpr explicit NameTable(const std::array<EnumName<E>, N>& entries) : entries_(entries) {
    for (size_t i = 0; i < N; ++i) views_[i] = entries[i].name;
  }

  constexpr bool Complete() const {
    for (size_t i = 0; i < N; ++i) {
      if (static_cast<size_t>(entries_[i].value) != i) return false;
      const std::string_view name = entries_[i].name;
      if (name.empty()) return false;
      for (size_t j = 0; j < i; ++j) {
        if (name == entries_[j].name) return false;
      }
    }
    return !enum_names_internal::IsEnumerator<E, static_cast<E>(N)>();
  }

  // The name of a value of E (every value has one: Complete()).
  constexpr const char* Name(E v) const { return entries_[static_cast<size_t>(v)].name; }
  std::optional<E> Parse(std::string_view name) const {
    for (size_t i = 0; i < N; ++i) {
      if (name == views_[i]) return entries_[i].value;
    }
    return std::nullopt;
  }
  constexpr size_t size() const { return N; }
  constexpr const std::array<EnumName<E>, N>& entries() const { return entries_; }
  // "a, b, c" (or "a, b or c" with last_separator " or "), for messages saying what is expected.
  std::string List(std::string_view last_separator = ", ") const {
    std::string out;
    for (size_t i = 0; i < N; ++i) {
      if (i > 0) out += i + 1 == N ? last_separator : std::string_view(", ");
      out += entries_[i].name;
    }
    return out;
  }

 private:
  std::array<EnumName<E>, N> entries_;
  std::array<std::string_view, N> views_{};  // the names with their lengths, for Parse
};

template <typename E, size_t N>
constexpr NameTable<E, N> MakeNames(const EnumName<E> (&entries)[N]) {
  std::array<EnumName<E>, N> a{};
  for (size_t i = 0; i < N; ++i) a[i] = entries[i];
  return NameTable<E, N>(a);
}

// The name of any enum value with a table (found through its NamesOf overload).
template <typename E>
constexpr const char* NameOf(E v) {
  return NamesOf(v).Name(v);
}
// The value a name stands for, if any.
template <typename E>
std::optional<E> ParseName(std::string_view name) {
  return NamesOf(E{}).Parse(name);
}

}  // namespace motcua
