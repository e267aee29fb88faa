// Making Errors: the one constructor every layer uses, and the Error that
// stands for an exception caught at a Result-returning boundary.
#pragma once

#include <string>

#include "hwocr/error.h"

namespace hwocr::internal {

Error make_error(ErrorCategory category, std::string message, int http_status = 0);
// Inside a catch block: the kInternal error that stands for the exception
// in flight, so no exception leaves a Result-returning call.
Error error_from_exception() noexcept;

}  // namespace hwocr::internal
