// Text that came from outside (the service, IAM, a proxy, libcurl) made safe
// to put in an error message or a log line: no raw control characters, so it
// cannot forge lines, and a bounded size, so a 20 MB error_msg stays a line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hwocr::internal {

// What an error_msg or log fragment from outside is cut to.
inline constexpr std::size_t kMaxOutsideTextBytes = 4096;
// Service error codes and request ids are short; anything longer is cut.
inline constexpr std::size_t kMaxOutsideTokenBytes = 256;

// Length of the valid UTF-8 sequence starting at s[0] (a byte >= 0x80) within
// n bytes, or 0 when it is not one (overlong, surrogate, past U+10FFFF, cut).
std::size_t utf8_sequence_length(const unsigned char* s, std::size_t n) noexcept;

// `text` with CR, LF and tab as \r \n \t, other control characters, DEL,
// U+2028/U+2029 and bytes that are not UTF-8 as \xNN or \uNNNN; cut after
// max_bytes of output with " [... N more bytes cut]".
std::string printable_text(std::string_view text, std::size_t max_bytes = kMaxOutsideTextBytes);

}  // namespace hwocr::internal
