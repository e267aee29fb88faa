// Declarations shared between hwocr's source files; not installed.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "hwocr/auth.h"
#include "hwocr/error.h"
#include "hwocr/http.h"

namespace hwocr::internal {

Error make_error(ErrorCategory category, std::string message, int http_status = 0);
// Inside a catch block: the kInternal error that stands for the exception
// in flight, so no exception leaves a Result-returning call.
Error error_from_exception() noexcept;

std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b) noexcept;

// The error a non-2xx response stands for: category from the status, code and
// message from the body (error_code/error_msg, errorCode/errorMsg,
// code/message, or nested as IAM does), X-Request-Id, retryable flag.
Error error_from_response(const HttpResponse& response);
// X-Request-Id (any case), or "".
std::string request_id_of(const HttpResponse& response);
// Whether a retry may succeed for this HTTP status.
bool is_retryable_status(int status) noexcept;

// The whole AK/SK signature; body_sha256 is the payload hash unless an
// X-Sdk-Content-Sha256 header overrides it.
SignatureDetails sign_request(std::string_view ak, std::string_view sk,
                              std::string_view security_token, std::string_view method,
                              std::string_view url, const Headers& headers,
                              std::string_view body_sha256,
                              std::chrono::system_clock::time_point time,
                              const SigningOptions& options);

// "hwocr/0.1.0"
std::string default_user_agent();

}  // namespace hwocr::internal
