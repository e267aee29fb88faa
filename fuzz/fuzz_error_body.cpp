// hwocr::internal::error_from_response on any non-2xx answer.
//
// Input: [status][status2][header lines "\n"-separated]"\n\n"[body]
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "model/error_body.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hwocr::fuzz::Reader in(data, size);
  hwocr::HttpResponse response = hwocr::fuzz::response_from(in);
  if (response.status >= 200 && response.status < 300) response.status += 200;
  const hwocr::Error error = hwocr::internal::error_from_response(response);
  hwocr::fuzz::consume(error.message());
  hwocr::fuzz::consume(error.error_code);
  hwocr::fuzz::consume(error.error_msg);
  hwocr::fuzz::consume(error.request_id);
  hwocr::fuzz::consume(hwocr::internal::request_id_of(response));
  (void)hwocr::internal::is_retryable_status(response.status);
  return 0;
}
