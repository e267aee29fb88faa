// The transport every request of a client goes through -- OCR calls, token
// fetches, project lookups -- whichever HttpTransport does the sending: it
// refuses requests that cannot be sent safely (check_outgoing_request) and
// turns an exception from the transport into an Error, so nothing a user's
// transport does escapes a Result-returning call.
#pragma once

#include <memory>

#include "hwocr/http.h"

namespace hwocr::internal {

class GuardedTransport final : public HttpTransport {
 public:
  explicit GuardedTransport(std::shared_ptr<HttpTransport> inner) : inner_(std::move(inner)) {}
  Result<HttpResponse> send(const HttpRequest& request, const TransportLimits& limits) override;

 private:
  std::shared_ptr<HttpTransport> inner_;
};

}  // namespace hwocr::internal
