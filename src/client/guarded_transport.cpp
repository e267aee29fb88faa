#include "client/guarded_transport.h"

#include <exception>
#include <new>

#include "common/errors.h"
#include "common/http_check.h"
#include "common/text.h"

namespace hwocr::internal {

Result<HttpResponse> GuardedTransport::send(const HttpRequest& request, const TransportLimits& limits) {
  if (auto valid = check_outgoing_request(request); !valid) return std::move(valid).error();
  try {
    return inner_->send(request, limits);
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCategory::kInternal, "out of memory while sending the request");
  } catch (const std::exception& e) {
    return make_error(ErrorCategory::kInternal,
                      "the HTTP transport threw an exception: " + printable_text(e.what(), 512));
  } catch (...) {
    return make_error(ErrorCategory::kInternal, "the HTTP transport threw an exception");
  }
}

}  // namespace hwocr::internal
