// What may go on the wire: every request hwocr sends, whatever built it,
// passes check_outgoing_request, so no configured or received string can add
// a header line or a second request (CR/LF injection, request smuggling).
#pragma once

#include <string_view>

#include "hwocr/error.h"
#include "hwocr/http.h"

namespace hwocr::internal {

// RFC 9110 token characters, at least one.
bool is_header_name(std::string_view name) noexcept;
// No control character but tab, no DEL (obs-text, bytes >= 0x80, is allowed).
bool is_header_value(std::string_view value) noexcept;
// Any byte < 0x20 or DEL; tab counts unless allow_tab.
bool has_control_character(std::string_view text, bool allow_tab = false) noexcept;

// kInvalidArgument naming the offending header (never its value) or part
// of the request: method, URL (no spaces or control characters), headers.
Status check_outgoing_request(const HttpRequest& request);

}  // namespace hwocr::internal
