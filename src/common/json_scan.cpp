#include "common/json_scan.h"

#include <charconv>
#include <cstring>
#include <system_error>

#include "common/text.h"

namespace hwocr::internal {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of "\uXXXX" at text[i] (text[i] == '\\'), or -1.
long unicode_escape(std::string_view text, std::size_t i) noexcept {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  long value = 0;
  for (std::size_t k = i + 2; k < i + 6; ++k) {
    const int digit = hex_value(text[k]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// The bytes of the 8 in `v` that need a closer look inside a string: a
// control character, a quote, a backslash or a byte >= 0x80, as the high bit
// of each (the bit tricks of "Bit Twiddling Hacks"). Borrows can flag bytes
// above a real match, never below: the lowest flag is always a real one.
std::uint64_t bytes_needing_a_look(std::uint64_t v) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  const std::uint64_t control = (v - kOnes * 0x20) & ~v & kHigh;
  const std::uint64_t quote = ((v ^ (kOnes * '"')) - kOnes) & ~(v ^ (kOnes * '"')) & kHigh;
  const std::uint64_t backslash = ((v ^ (kOnes * '\\')) - kOnes) & ~(v ^ (kOnes * '\\')) & kHigh;
  return (v & kHigh) | control | quote | backslash;
}

void append_utf8(std::string& out, unsigned long code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

}  // namespace

std::size_t json_escape_length(std::string_view text, std::size_t i) noexcept {
  if (i + 1 >= text.size()) return 0;
  switch (text[i + 1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
      return 2;
    case 'u': {
      const long unit = unicode_escape(text, i);
      if (unit < 0) return 0;
      if (unit >= 0xDC00 && unit <= 0xDFFF) return 0;  // lone low surrogate
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        const long low = unicode_escape(text, i + 6);
        return low >= 0xDC00 && low <= 0xDFFF ? 12 : 0;
      }
      return 6;
    }
    default:
      return 0;
  }
}

StringScan scan_json_string(std::string_view text, std::size_t start) noexcept {
  StringScan scan;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = start + 1;
  while (i < text.size()) {
    // Plain ASCII runs, eight bytes at a time, straight to the first byte
    // that is not plain (little-endian: the lowest flag is the first byte).
    while (i + 8 <= text.size()) {
      std::uint64_t v;
      std::memcpy(&v, bytes + i, 8);
      if constexpr (kLittleEndian) {
        const std::uint64_t flags = bytes_needing_a_look(v);
        if (flags != 0) {
          i += static_cast<std::size_t>(__builtin_ctzll(flags)) / 8;
          break;
        }
      } else if (bytes_needing_a_look(v) != 0) {
        break;
      }
      i += 8;
    }
    if (i >= text.size()) break;
    const unsigned char c = bytes[i];
    if (c == '"') {
      scan.end = i + 1;
      return scan;
    }
    if (c == '\\') {
      scan.escaped = true;
      const std::size_t length = json_escape_length(text, i);
      if (length == 0) {
        scan.invalid = true;
        i += i + 1 < text.size() ? 2 : 1;  // an escaped quote still does not end the string
      } else {
        i += length;
      }
    } else if (c < 0x20) {
      scan.control = true;
      ++i;
    } else if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(bytes + i, text.size() - i);
      if (length == 0) {
        scan.invalid = true;
        ++i;
      } else {
        i += length;
      }
    } else {
      ++i;
    }
  }
  return scan;  // unterminated
}

void append_decoded_json_string(std::string& out, std::string_view text, std::size_t start, std::size_t end) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = start + 1;
  const std::size_t stop = end - 1;  // the closing quote
  while (i < stop) {
    const unsigned char c = bytes[i];
    if (c == '\\') {
      const std::size_t length = json_escape_length(text, i);
      if (length == 0) {
        out += kReplacementCharacter;
        i += 2;
        continue;
      }
      switch (text[i + 1]) {
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          unsigned long unit = static_cast<unsigned long>(unicode_escape(text, i));
          if (length == 12) {
            const auto low = static_cast<unsigned long>(unicode_escape(text, i + 6));
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, unit);
          break;
        }
        default: out.push_back(text[i + 1]); break;  // " \ /
      }
      i += length;
    } else if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(bytes + i, stop - i);
      if (length == 0) {
        out += kReplacementCharacter;
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
    } else {
      // A run of plain bytes (control characters included) at once.
      std::size_t run = i + 1;
      while (run < stop && bytes[run] != '\\' && bytes[run] < 0x80) ++run;
      out.append(text.substr(i, run - i));
      i = run;
    }
  }
}

void append_repaired_json_string(std::string& out, std::string_view text, std::size_t start, std::size_t end) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  out.push_back('"');
  std::size_t i = start + 1;
  const std::size_t stop = end - 1;  // the closing quote
  while (i < stop) {
    const unsigned char c = bytes[i];
    if (c == '\\') {
      const std::size_t length = json_escape_length(text, i);
      if (length == 0) {
        out += "\\ufffd";
        i += 2;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
      ++i;
    } else if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(bytes + i, stop - i);
      if (length == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
    } else {
      out.push_back(static_cast<char>(c));
      ++i;
    }
  }
  out.push_back('"');
}

std::size_t json_number_length(std::string_view text, std::size_t i, bool* integer) noexcept {
  const std::size_t start = i;
  if (integer != nullptr) *integer = true;
  const std::size_t n = text.size();
  if (i < n && text[i] == '-') ++i;
  if (i >= n || !is_digit(text[i])) return 0;
  if (text[i] == '0') {
    ++i;
  } else {
    while (i < n && is_digit(text[i])) ++i;
  }
  if (i < n && text[i] == '.') {
    if (integer != nullptr) *integer = false;
    ++i;
    if (i >= n || !is_digit(text[i])) return 0;
    while (i < n && is_digit(text[i])) ++i;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    if (integer != nullptr) *integer = false;
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    if (i >= n || !is_digit(text[i])) return 0;
    while (i < n && is_digit(text[i])) ++i;
  }
  return i - start;
}

bool json_number_overflows(std::string_view token) noexcept {
  const std::size_t exponent_at = token.find_first_of("eE");
  if (exponent_at == std::string_view::npos && token.size() < 300) return false;
  double value = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  (void)end;
  if (error != std::errc::result_out_of_range) return false;
  // Out of range either way: too large, or so small it reads as zero. The
  // decimal exponent of the first significant digit tells which.
  long magnitude = 0;  // digits before the point, or minus the zeros after it
  std::size_t i = token.front() == '-' ? 1 : 0;
  const std::size_t mantissa_end = exponent_at == std::string_view::npos ? token.size() : exponent_at;
  while (i < mantissa_end && token[i] == '0') ++i;
  if (i < mantissa_end && token[i] == '.') {
    ++i;
    while (i < mantissa_end && token[i] == '0') {
      --magnitude;
      ++i;
    }
  } else {
    while (i < mantissa_end && is_digit(token[i])) {
      ++magnitude;
      ++i;
    }
  }
  long exponent = 0;
  if (exponent_at != std::string_view::npos) {
    std::size_t k = exponent_at + 1;
    const bool negative = k < token.size() && token[k] == '-';
    if (k < token.size() && (token[k] == '-' || token[k] == '+')) ++k;
    for (; k < token.size(); ++k) {
      if (exponent < 100000000) exponent = exponent * 10 + (token[k] - '0');
    }
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent > 0;
}

}  // namespace hwocr::internal
