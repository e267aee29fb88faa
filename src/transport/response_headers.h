// Reading the header lines of an HTTP response, one line at a time (as
// libcurl hands them over). Kept apart from the transport so that it can be
// unit-tested and fuzzed without a network.
#pragma once

#include <string_view>

#include "hwocr/http.h"

namespace hwocr::internal {

// Takes one response header line, with or without its CR LF:
// - a status line ("HTTP/1.1 200 OK", also after "100 Continue" or a proxy's
//   answer) starts over: `headers` is emptied;
// - "Name: value" adds Name with the value trimmed of spaces and tabs at both
//   ends (RFC 9110 optional whitespace); a CR, LF or NUL left inside the value
//   becomes a space, so no value carries a line break;
// - anything else is ignored: the empty line ending the block, a line without
//   a colon or with an empty or malformed name, and obs-fold continuation lines
//   (starting with a space or tab), which RFC 9112 deprecates and the service
//   never sends -- they never become a header of their own.
void add_response_header_line(std::string_view line, Headers& headers);

}  // namespace hwocr::internal
