// OcrClient: one object per application (or per region/credentials), shared
// freely between threads. It reuses connections, authenticates every attempt
// and retries what can be retried.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hwocr/auth.h"
#include "hwocr/config.h"
#include "hwocr/error.h"
#include "hwocr/id_card.h"
#include "hwocr/image.h"
#include "hwocr/json.h"

namespace hwocr {

// Per-call settings that override the client's.
struct CallOptions {
  std::optional<std::chrono::milliseconds> timeout;  // per attempt
  std::optional<RetryPolicy> retry;
  std::optional<std::string> enterprise_project_id;
};

// A successful (HTTP 2xx) answer of a generic call.
struct OcrResponse {
  int http_status = 0;
  std::string request_id;  // X-Request-Id
  Json body;               // the whole response document
  Json result;             // body["result"]
};

class OcrClient {
 public:
  // Throws hwocr::Exception (invalid argument) when the configuration cannot
  // work: no authenticator, an endpoint that is not an http(s) URL, an empty
  // region without endpoints, zero attempts.
  OcrClient(ClientConfig config, std::shared_ptr<Authenticator> authenticator);
  ~OcrClient();
  OcrClient(OcrClient&&) noexcept;
  OcrClient& operator=(OcrClient&&) noexcept;

  // Chinese resident ID card.
  Result<IdCardResult> recognize_id_card(const Image& image, const IdCardOptions& options = {},
                                         const CallOptions& call = {}) const;

  // Any OCR API, raw JSON in and out, like changing the URI in Huawei's
  // Python demo. `api` is the last path segment ("general-text") or a path
  // ("/v2/{project_id}/ocr/general-text"; {project_id} is filled in).
  Result<OcrResponse> call(std::string_view api, std::string json_body,
                           const CallOptions& call = {}) const;
  // Same, with `image` added to the JSON object `options_json` as "image"
  // (Base64; "data" for the APIs that name it so) or as "url".
  Result<OcrResponse> call(std::string_view api, const Image& image,
                           std::string_view options_json = "{}",
                           const CallOptions& call = {}) const;

  // The project id calls go to (configured, from the token, or looked up once).
  Result<std::string> project_id() const;

  const ClientConfig& config() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace hwocr
