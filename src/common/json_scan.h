// The lexical pieces of JSON text that both readers of answers use: the
// document builder (json_document.h) and the forward-only reader
// (json_reader.h). Kept in one place so that both agree, byte for byte, on
// what a valid string, escape and number is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hwocr::internal {

// No JSON text nested deeper is read (the service's deepest answers nest
// fewer than 10 levels; walking, dumping and destroying documents recurse).
inline constexpr int kMaxJsonDepth = 256;

struct StringScan {
  std::size_t end = std::string_view::npos;  // index after the closing quote; npos: not terminated
  bool invalid = false;   // bad UTF-8, bad escape or lone surrogate
  bool control = false;   // raw control characters (JSON forbids them; hwocr keeps them)
  bool escaped = false;   // at least one backslash escape
};

// Scans the string whose opening quote is at text[start].
StringScan scan_json_string(std::string_view text, std::size_t start) noexcept;

// Length of a valid escape sequence at text[i] (text[i] == '\\'), or 0: a
// bad escape, or a \u escape that is a lone surrogate.
std::size_t json_escape_length(std::string_view text, std::size_t i) noexcept;

// Appends the contents of the scanned string text[start, end) (quotes
// included in the range) decoded: escapes resolved, every invalid piece
// (bad UTF-8, bad escape, lone surrogate) as U+FFFD.
void append_decoded_json_string(std::string& out, std::string_view text, std::size_t start, std::size_t end);

// Re-emits the same string as JSON text, raw control characters escaped and
// every invalid piece as \ufffd.
void append_repaired_json_string(std::string& out, std::string_view text, std::size_t start, std::size_t end);

// Length of the number token at text[i] under JSON's grammar
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?), or 0 when there is none;
// `integer` (if given) tells whether it has neither fraction nor exponent.
std::size_t json_number_length(std::string_view text, std::size_t i, bool* integer = nullptr) noexcept;

// Whether a JSON number token is too large for a double (1e400). Tiny
// numbers (1e-400) are not: they read as 0, as in every JSON parser.
bool json_number_overflows(std::string_view token) noexcept;

}  // namespace hwocr::internal
