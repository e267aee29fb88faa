#include "common/json_document.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdlib>
#include <vector>

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

// Length of a valid escape sequence at text[i] (text[i] == '\\'), or 0.
std::size_t escape_length(std::string_view text, std::size_t i) noexcept {
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

struct StringScan {
  std::size_t end = std::string_view::npos;  // index after the closing quote
  bool invalid = false;   // bad UTF-8, bad escape or lone surrogate
  bool control = false;   // raw control characters (escapable)
};

// Whether any of the 8 bytes in `v` needs a closer look inside a string: a
// control character, a quote, a backslash or a byte >= 0x80 (the bit tricks
// of "Bit Twiddling Hacks": exact for "some byte matches", never missing one).
bool needs_a_look(std::uint64_t v) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  const std::uint64_t control = (v - kOnes * 0x20) & ~v & kHigh;
  const std::uint64_t quote = ((v ^ (kOnes * '"')) - kOnes) & ~(v ^ (kOnes * '"')) & kHigh;
  const std::uint64_t backslash = ((v ^ (kOnes * '\\')) - kOnes) & ~(v ^ (kOnes * '\\')) & kHigh;
  return ((v & kHigh) | control | quote | backslash) != 0;
}

// Scans the string whose opening quote is at text[start].
StringScan scan_string(std::string_view text, std::size_t start) noexcept {
  StringScan scan;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = start + 1;
  while (i < text.size()) {
    // Plain ASCII runs, eight bytes at a time.
    while (i + 8 <= text.size()) {
      std::uint64_t v;
      std::memcpy(&v, bytes + i, 8);
      if (needs_a_look(v)) break;
      i += 8;
    }
    if (i >= text.size()) break;
    const unsigned char c = bytes[i];
    if (c == '"') {
      scan.end = i + 1;
      return scan;
    }
    if (c == '\\') {
      const std::size_t length = escape_length(text, i);
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
  return scan;  // unterminated: the parser rejects it
}

bool is_number_char(char c) noexcept {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// Whether the number token overflows a double (the parser refuses those).
bool overflows_double(std::string_view token) {
  const bool exponent = token.find_first_of("eE") != std::string_view::npos;
  if (!exponent && token.size() < 300) return false;
  const std::string copy(token);
  const double value = std::strtod(copy.c_str(), nullptr);
  return std::isinf(value);
}

// Re-emits the string at text[start, end) with raw control characters
// escaped and every invalid piece replaced by U+FFFD.
void append_repaired_string(std::string& out, std::string_view text, std::size_t start, std::size_t end) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  out.push_back('"');
  std::size_t i = start + 1;
  const std::size_t stop = end - 1;  // the closing quote
  while (i < stop) {
    const unsigned char c = bytes[i];
    if (c == '\\') {
      const std::size_t length = escape_length(text, i);
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

bool followed_by_colon(std::string_view text, std::size_t i) noexcept {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  return i < text.size() && text[i] == ':';
}

struct Fix {
  std::size_t start;
  std::size_t end;
  enum Kind { kNull, kRepair } kind;
};

}  // namespace

std::optional<std::string> dump_json(const nlohmann::json& document, std::string* why) {
  try {
    return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    if (why != nullptr) *why = "a request field is not valid UTF-8";
    return std::nullopt;
  }
}

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < text.size();) {
    if (bytes[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = utf8_sequence_length(bytes + i, text.size() - i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::optional<nlohmann::json> parse_json(std::string_view text, JsonRepair repair, std::string* why) {
  const auto fail = [&](const char* reason) -> std::optional<nlohmann::json> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  std::vector<Fix> fixes;
  int depth = 0;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      const StringScan scan = scan_string(text, i);
      if (scan.end == std::string_view::npos) return fail("not valid JSON (a string is not terminated)");
      if (scan.invalid || scan.control) {
        if (repair == JsonRepair::kNone) {
          return fail(scan.invalid ? "a string is not valid UTF-8 or has an invalid escape"
                                   : "a string contains a raw control character");
        }
        const bool key = followed_by_colon(text, scan.end);
        fixes.push_back({i, scan.end, scan.invalid && !key ? Fix::kNull : Fix::kRepair});
      }
      i = scan.end;
      continue;
    }
    if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return fail("nested deeper than 256 levels");
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i + 1;
      while (end < text.size() && is_number_char(text[end])) ++end;
      if (overflows_double(text.substr(i, end - i))) {
        if (repair == JsonRepair::kNone) return fail("a number is too large for a double");
        fixes.push_back({i, end, Fix::kNull});
      }
      i = end;
      continue;
    }
    ++i;
  }

  std::string repaired;
  std::string_view parsed_text = text;
  if (!fixes.empty()) {
    repaired.reserve(text.size());
    std::size_t copied = 0;
    for (const Fix& fix : fixes) {
      repaired.append(text.substr(copied, fix.start - copied));
      if (fix.kind == Fix::kNull) {
        repaired += "null";
      } else {
        append_repaired_string(repaired, text, fix.start, fix.end);
      }
      copied = fix.end;
    }
    repaired.append(text.substr(copied));
    parsed_text = repaired;
  }
  auto document = nlohmann::json::parse(parsed_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return fail("not valid JSON");
  return document;
}

}  // namespace hwocr::internal
