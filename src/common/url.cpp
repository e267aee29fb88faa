#include "common/url.h"

#include "common/text.h"

namespace hwocr::internal {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

}  // namespace

std::optional<UrlParts> parse_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
  UrlParts parts;
  parts.scheme = std::string(url.substr(0, scheme_end));
  for (char& c : parts.scheme) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (authority.empty()) return std::nullopt;
  parts.authority = std::string(authority);
  if (authority_end == std::string_view::npos) return parts;
  rest = rest.substr(authority_end);
  const auto query_start = rest.find('?');
  parts.path = std::string(rest.substr(0, query_start));
  if (query_start != std::string_view::npos) parts.query = std::string(rest.substr(query_start + 1));
  return parts;
}

std::string uri_encode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0x0f]);
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string url_for_display(std::string_view url) {
  // The userinfo ends at the last '@': a password may hold '/', '?' or '#'
  // unencoded, and hwocr's own URLs have no '@' after it.
  std::string shown(url);
  if (const auto scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    const auto authority_start = scheme_end + 3;
    const auto at = url.rfind('@');
    if (at != std::string_view::npos && at >= authority_start) {
      shown = std::string(url.substr(0, authority_start)) + std::string(url.substr(at + 1));
    }
  }
  return printable_text(shown, 1024);
}

}  // namespace hwocr::internal
