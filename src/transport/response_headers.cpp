#include "transport/response_headers.h"

#include <string>

namespace hwocr::internal {
namespace {

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// RFC 9110 token characters (what a field name is made of).
bool is_token_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case ',': case '/': case ':': case ';': case '<': case '=':
    case '>': case '?': case '@': case '[': case '\\': case ']': case '{': case '}': case '"':
      return false;
    default:
      return true;
  }
}

}  // namespace

void add_response_header_line(std::string_view line, Headers& headers) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after "100 Continue" or a proxy's answer): start over.
    headers = Headers();
    return;
  }
  if (line.empty() || is_ows(line.front())) return;  // end of the block, or obs-fold
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return;
  const std::string_view name = line.substr(0, colon);
  for (const char c : name) {
    if (!is_token_char(c)) return;  // "Name : v", control characters, ...
  }
  std::string value(line.substr(colon + 1));
  for (char& c : value) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
  std::size_t begin = 0;
  std::size_t end = value.size();
  while (begin < end && is_ows(value[begin])) ++begin;
  while (end > begin && is_ows(value[end - 1])) --end;
  value.erase(end);
  value.erase(0, begin);
  if (headers.empty()) headers.reserve(12);  // a typical answer's, without regrowing
  headers.add(std::string(name), std::move(value));
}

}  // namespace hwocr::internal
