// The SDK-HMAC-SHA256 canonical request (../shared/reference/auth.md §A.1):
// the one implementation used by the signer and by the emulator's verifier.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hwocr::internal {

inline constexpr std::string_view kSigningAlgorithm = "SDK-HMAC-SHA256";
inline constexpr std::string_view kEmptyBodySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Path -> decoded, each segment encoded, always ending in '/'.
std::string canonical_uri(std::string_view path);
// Raw query -> pairs decoded, sorted by key then value, re-encoded, '&'-joined.
std::string canonical_query(std::string_view raw_query);
// Leading and trailing spaces and tabs removed.
std::string_view trim_header_value(std::string_view value) noexcept;

struct SignedHeader {
  std::string name;   // lower-case
  std::string value;  // trimmed
};

struct CanonicalRequest {
  std::string text;
  std::string signed_headers;  // "host;x-sdk-date"
};

// `headers` are the headers to sign, in any order.
CanonicalRequest build_canonical_request(std::string_view method, std::string_view path,
                                         std::string_view raw_query,
                                         std::vector<SignedHeader> headers,
                                         std::string_view payload_hash);

// "SDK-HMAC-SHA256\n<date>\n<hex sha256(canonical request)>"
std::string string_to_sign(std::string_view sdk_date, std::string_view canonical_request);

}  // namespace hwocr::internal
