// AK/SK signing with fuzzed method, URL, headers and body
// (AkSkSigner::sign_detailed; a URL it cannot sign is an hwocr::Exception,
// nothing else may escape), and the canonicalization functions of
// src/auth/canonical.h and src/common/url.h called directly.
//
// Input: [options][time] method \0 url \0 (name \0 value \0)* \0 body
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "auth/canonical.h"
#include "common/ascii.h"
#include "common/url.h"
#include "fuzz_common.h"
#include "hwocr/auth.h"

using namespace hwocr;

namespace {

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}
bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

void check_encoding(std::string_view text) {
  const std::string encoded = internal::uri_encode(text);
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%') {
      if (i + 2 >= encoded.size()) fuzz::fail("truncated %XX", encoded);
      if (!is_upper_hex(encoded[i + 1]) || !is_upper_hex(encoded[i + 2])) fuzz::fail("bad %XX", encoded);
      i += 2;
    } else if (!is_unreserved(encoded[i])) {
      fuzz::fail("uri_encode left a reserved byte", encoded);
    }
  }
  if (internal::percent_decode(encoded) != text) fuzz::fail("percent_decode(uri_encode(x)) != x", encoded);
  fuzz::consume(internal::percent_decode(text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const AkSkSigner signer("fuzz-ak", "fuzz-sk", "fuzz-token");
  fuzz::Reader in(data, size);
  const std::uint8_t flags = in.byte();
  const std::uint8_t when = in.byte();
  SigningOptions options;
  options.add_host_if_missing = (flags & 1) != 0;
  options.sign_content_type = (flags & 2) != 0;
  options.skip_headers_with_underscore = (flags & 4) != 0;
  const auto time = std::chrono::system_clock::time_point(std::chrono::seconds(1600000000)) +
                    std::chrono::hours(24 * 30) * static_cast<int>(when);

  const std::string method(in.until(std::string_view("\0", 1)));
  const std::string url(in.until(std::string_view("\0", 1)));
  Headers headers;
  for (;;) {
    const std::string_view name = in.until(std::string_view("\0", 1));
    if (name.empty()) break;
    headers.add(std::string(name), std::string(in.until(std::string_view("\0", 1))));
  }
  const std::string body(in.rest());

  try {
    const SignatureDetails details = signer.sign_detailed(method, url, headers, body, time, options);
    fuzz::consume(details.canonical_request);
    fuzz::consume(details.string_to_sign);
    fuzz::consume(details.authorization);
    fuzz::consume(details.request_target);
    if (details.signature.size() != 64) fuzz::fail("signature is not 64 hex digits", details.signature);
    for (const auto& [name, value] : details.headers_to_send) {
      fuzz::consume(name);
      fuzz::consume(value);
    }
  } catch (const Exception& e) {
    fuzz::consume(e.error().message());
  }

  // The pieces on their own.
  const auto parts = internal::parse_url(url);
  if (parts) {
    fuzz::consume(internal::canonical_uri(parts->path));
    fuzz::consume(internal::canonical_query(parts->query));
  }
  fuzz::consume(internal::canonical_uri(url));
  fuzz::consume(internal::canonical_query(body));
  fuzz::consume(internal::url_for_display(url));
  const std::string_view trimmed = internal::trim_header_value(body);
  if (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t' || trimmed.back() == ' ' ||
                           trimmed.back() == '\t')) {
    fuzz::fail("trim_header_value left spaces");
  }
  check_encoding(method);
  check_encoding(body);

  std::vector<internal::SignedHeader> signed_headers;
  for (const auto& [name, value] : headers) {
    signed_headers.push_back({internal::to_lower(name), std::string(internal::trim_header_value(value))});
  }
  const auto canonical = internal::build_canonical_request(method, parts ? parts->path : url,
                                                           parts ? parts->query : std::string(),
                                                           std::move(signed_headers), internal::kEmptyBodySha256);
  fuzz::consume(canonical.text);
  fuzz::consume(internal::string_to_sign("20200608T023900Z", canonical.text));
  return 0;
}
