// What an OcrConnection answers, built the way the service's answers are:
// for MockOcrConnection (<hwocr/testing/mock_connection.h>) and your own
// OcrConnection fakes.
//   EXPECT_CALL(*mock, send(_)).WillOnce(Return(hwocr::testing::answer(R"({"result":{"name":"Zhang San"}})")));
//   EXPECT_CALL(*mock, send(_)).WillOnce(Return(hwocr::testing::error_answer(429, "APIG.0308", "Too many")));
// Header-only.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "hwocr/connection.h"
#include "hwocr/error.h"

namespace hwocr::testing {

inline constexpr const char* kTestRequestId = "test-request-id";

// A 200 answer with this body (the service's JSON text, {"result": ...}).
inline OcrAnswer answer(std::string json_body, std::string request_id = kTestRequestId) {
  OcrAnswer result;
  result.http_status = 200;
  result.request_id = std::move(request_id);
  result.body = std::move(json_body);
  result.attempts = 1;
  return result;
}

namespace detail {

// `text` as a JSON string literal.
inline std::string json_quoted(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      quoted += escape;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

}  // namespace detail

// The Error a call gets when the service answers `http_status` with this
// error code and message, as hwocr makes it from a real answer: category
// kThrottled for 429 (and APIG.0308 / ModelArts.4401 under any status), kAuth
// for 401 and 403, kServer for 5xx, kClient for other statuses; retryable
// for 429, 500, 502, 503, 504 and throttling; response_body the service's
// JSON envelope; one attempt.
inline Error error_answer(int http_status, std::string error_code, std::string error_msg,
                          std::string request_id = kTestRequestId) {
  Error error;
  const bool throttled = http_status == 429 || error_code == "APIG.0308" || error_code == "ModelArts.4401";
  if (throttled) {
    error.category = ErrorCategory::kThrottled;
  } else if (http_status == 401 || http_status == 403) {
    error.category = ErrorCategory::kAuth;
  } else if (http_status >= 500) {
    error.category = ErrorCategory::kServer;
  } else {
    error.category = ErrorCategory::kClient;
  }
  error.retryable = throttled || http_status == 500 || http_status == 502 || http_status == 503 ||
                    http_status == 504;
  error.http_status = http_status;
  error.response_body = "{\"error_code\":" + detail::json_quoted(error_code) +
                        ",\"error_msg\":" + detail::json_quoted(error_msg) + "}";
  error.error_code = std::move(error_code);
  error.error_msg = std::move(error_msg);
  error.request_id = std::move(request_id);
  error.maybe_delivered = true;  // the service answered
  error.attempts = 1;
  return error;
}

}  // namespace hwocr::testing
