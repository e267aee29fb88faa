// Minimal absolute-URL handling: what signing and the transport need.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hwocr::internal {

struct UrlParts {
  std::string scheme;     // "https"
  std::string authority;  // "host" or "host:port" as written (no userinfo)
  std::string path;       // "/v2/.../ocr/id-card", or "" when absent
  std::string query;      // without '?', raw
};

// nullopt unless `url` is scheme://authority[/path][?query] (a fragment is dropped).
std::optional<UrlParts> parse_url(std::string_view url);

// RFC 3986 encoding as the signature wants it: unreserved bytes kept, every
// other byte %XX with upper-case hex.
std::string uri_encode(std::string_view text);
// %XX decoding; '+' stays '+'. Malformed escapes are kept as they are.
std::string percent_decode(std::string_view text);

// The URL with any "user:password@" removed and control characters escaped,
// for messages.
std::string url_for_display(std::string_view url);

}  // namespace hwocr::internal
