// Response header lines as libcurl hands them over, one by one, through
// internal::add_response_header_line (what the curl transport's header
// callback calls). Checks what any reader of HttpResponse::headers relies on:
// names are non-empty tokens; values hold no CR, LF or NUL and no
// leading or trailing space or tab; a status line starts over.
//
// Input: lines separated by '\n' (each passed with its '\n').
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"

using hwocr::fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  hwocr::Headers headers;
  std::size_t added_since_status = 0;
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    const std::string line(rest.substr(0, eol == std::string_view::npos ? rest.size() : eol + 1));
    rest.remove_prefix(line.size());
    const std::size_t before = headers.size();
    hwocr::internal::add_response_header_line(line, headers);
    if (line.rfind("HTTP/", 0) == 0) {
      if (!headers.empty()) fail("a status line did not reset the headers", line);
      added_since_status = 0;
      continue;
    }
    if (headers.size() != before && headers.size() != before + 1) fail("one line added several headers", line);
    if (headers.size() == before + 1) ++added_since_status;
  }
  if (headers.size() != added_since_status) fail("header count mismatch");
  for (const auto& [name, value] : headers) {
    if (name.empty()) fail("empty header name");
    for (const char c : name) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f || c == ':') fail("header name with a separator or control byte", name);
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) fail("CR/LF/NUL in a value", value);
    if (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.back() == ' ' ||
                           value.back() == '\t')) {
      fail("value not trimmed", value);
    }
    if (headers.find(name) == nullptr) fail("find() misses a header", name);
  }
  return 0;
}
