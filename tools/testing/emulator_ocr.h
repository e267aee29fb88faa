// The emulator's OCR service behind the gateway: what POST
// /v2/{project_id}/ocr/{api} checks in a request body and the canned,
// deterministic results it answers with. Private to hwocr_testing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hwocr::testing::detail {

// Largest accepted Base64 text in "image" or "data" (ocr-api.md §3) and largest body
// (that plus room for the other fields) before ModelArts.4104.
inline constexpr std::size_t kMaxImageBase64Size = 10u * 1024u * 1024u;
inline constexpr std::size_t kMaxOcrBodySize = kMaxImageBase64Size + 64u * 1024u;

// True for the APIs in the catalogue (emulator_catalogue.h): all 52.
bool is_known_ocr_api(std::string_view api);

struct OcrOutcome {
  int status = 200;
  std::string error_code;  // "" on success
  std::string error_msg;
  std::string body;        // success: {"result": ...}; empty on error
};

// Checks `body` as the service would (JSON, image/data/url, Base64, image
// format and size, the API's fields, their JSON kinds, required and mutually
// exclusive ones; unknown fields are refused too) and answers the request.
// `api` must be known.
OcrOutcome recognize(std::string_view api, const std::string& body);

// The synthetic card holder's 18-digit resident ID number (valid check digit).
std::string synthetic_id_number();

}  // namespace hwocr::testing::detail
