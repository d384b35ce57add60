#pragma once
// UTF-8 well-formedness (RFC 3629): for text that comes from a request and goes into a response,
// a log line or a JSON string.

#include <cstddef>
#include <string>
#include <string_view>

namespace motcua {

// Length of the well-formed UTF-8 sequence at s[i] (no overlong forms, no surrogates, nothing
// past U+10FFFF); 0 when there is none.
size_t Utf8SequenceLength(std::string_view s, size_t i);
// Whether all of `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);
// `s` with every byte that does not begin a well-formed UTF-8 sequence replaced by U+FFFD (for
// text from a request that reaches a response or a log).
std::string ValidUtf8(std::string_view s);

}  // namespace motcua
