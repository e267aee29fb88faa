#pragma once

#include <memory>

#include "hwocr/config.h"
#include "hwocr/http.h"

namespace hwocr::internal {

// The default transport: libcurl easy handles kept in a pool, so each thread
// borrows its own handle and connections are reused (keep-alive).
std::shared_ptr<HttpTransport> make_curl_transport(const ClientConfig& config);

}  // namespace hwocr::internal
