#include "auth/canonical.h"

#include <algorithm>
#include <utility>

#include "common/crypto.h"
#include "common/url.h"

namespace hwocr::internal {

std::string canonical_uri(std::string_view path) {
  const std::string decoded = percent_decode(path);
  std::string out;
  out.reserve(decoded.size() + 8);
  std::size_t start = 0;
  while (start <= decoded.size()) {
    const auto slash = decoded.find('/', start);
    const auto end = slash == std::string::npos ? decoded.size() : slash;
    out += uri_encode(std::string_view(decoded).substr(start, end - start));
    if (slash == std::string::npos) break;
    out.push_back('/');
    start = slash + 1;
  }
  if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
  if (out.back() != '/') out.push_back('/');
  return out;
}

std::string canonical_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t start = 0;
  while (start <= raw_query.size()) {
    auto end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    const std::string_view piece = raw_query.substr(start, end - start);
    const auto eq = piece.find('=');
    std::string key = percent_decode(piece.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : percent_decode(piece.substr(eq + 1));
    if (!key.empty()) pairs.emplace_back(std::move(key), std::move(value));
    start = end + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += uri_encode(key);
    out.push_back('=');
    out += uri_encode(value);
  }
  return out;
}

std::string_view trim_header_value(std::string_view value) noexcept {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = value.find_last_not_of(" \t");
  return value.substr(first, last - first + 1);
}

CanonicalRequest build_canonical_request(std::string_view method, std::string_view path,
                                         std::string_view raw_query,
                                         std::vector<SignedHeader> headers,
                                         std::string_view payload_hash) {
  std::stable_sort(headers.begin(), headers.end(),
                   [](const SignedHeader& a, const SignedHeader& b) { return a.name < b.name; });
  CanonicalRequest result;
  std::string& text = result.text;
  text.reserve(256);
  for (const char c : method) {
    text.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  text.push_back('\n');
  text += canonical_uri(path);
  text.push_back('\n');
  text += canonical_query(raw_query);
  text.push_back('\n');
  for (const auto& header : headers) {
    text += header.name;
    text.push_back(':');
    text += header.value;
    text.push_back('\n');
    if (!result.signed_headers.empty()) result.signed_headers.push_back(';');
    result.signed_headers += header.name;
  }
  text.push_back('\n');
  text += result.signed_headers;
  text.push_back('\n');
  text += payload_hash;
  return result;
}

std::string string_to_sign(std::string_view sdk_date, std::string_view canonical_request) {
  std::string out(kSigningAlgorithm);
  out.push_back('\n');
  out += sdk_date;
  out.push_back('\n');
  out += sha256_hex(canonical_request);
  return out;
}

}  // namespace hwocr::internal
