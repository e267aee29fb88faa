// What a non-2xx answer says: the Error it stands for, read from its status
// and its body (the service's, IAM's or a gateway's shape). Defined in
// error_body.cpp.
#pragma once

#include <string>

#include "hwocr/error.h"
#include "hwocr/http.h"

namespace hwocr::internal {

// The error a non-2xx response stands for: category from the status, code and
// message from the body (error_code/error_msg, errorCode/errorMsg,
// code/message, or nested as IAM does), X-Request-Id, retryable flag.
Error error_from_response(const HttpResponse& response);
// X-Request-Id (any case), or "".
std::string request_id_of(const HttpResponse& response);
// Whether a retry may succeed for this HTTP status.
bool is_retryable_status(int status) noexcept;

}  // namespace hwocr::internal
