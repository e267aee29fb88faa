// The connection make_connection builds: the whole call path below
// OcrClient -- project id, credentials, signing, each attempt over libcurl,
// retries -- for blocking calls and, on one event loop, asynchronous ones.
#pragma once

#include <memory>

#include "hwocr/connection.h"

namespace hwocr::internal {

// An error OcrClient found itself (bad options, an unreadable answer):
// redacted and logged as the connection's own errors are, when `connection`
// is make_connection's; returned as it is otherwise.
Error report_error(const OcrConnection* connection, Error error) noexcept;

}  // namespace hwocr::internal
