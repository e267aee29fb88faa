#include "common/text.h"

#include "common/ascii.h"

#include <algorithm>

namespace hwocr::internal {
std::size_t utf8_sequence_length(const unsigned char* s, std::size_t n) noexcept {
  const unsigned c = s[0];
  const auto cont = [&](std::size_t i) { return i < n && (s[i] & 0xC0) == 0x80; };
  if (c < 0xC2) return 0;  // a continuation byte or an overlong 2-byte form
  if (c < 0xE0) return cont(1) ? 2 : 0;
  if (c < 0xF0) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && s[1] >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c < 0xF5) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && s[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && s[1] >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

std::string printable_text(std::string_view text, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 16);
  std::size_t i = 0;
  while (i < text.size() && out.size() < max_bytes) {
    const unsigned char c = bytes[i];
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    switch (c) {
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(bytes + i, text.size() - i);
      // U+2028, U+2029 (E2 80 A8/A9) break lines in some viewers.
      const bool line_separator = length == 3 && c == 0xE2 && bytes[i + 1] == 0x80 &&
                                  (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9);
      // C1 controls U+0080..U+009F (C2 80..C2 9F).
      const bool c1_control = length == 2 && c == 0xC2 && bytes[i + 1] < 0xA0;
      if (length != 0 && !line_separator && !c1_control) {
        out.append(text.substr(i, length));
        i += length;
        continue;
      }
      if (line_separator) {
        out += bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
        i += 3;
        continue;
      }
    }
    out += "\\x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
    ++i;
  }
  if (i < text.size()) {
    out += " [... " + std::to_string(text.size() - i) + " more bytes cut]";
  }
  return out;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace hwocr::internal
