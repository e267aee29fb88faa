// internal::retry_after (seconds or an HTTP date) and internal::parse_http_date.
//
// Input: [clock byte] then the text, used both as a date and as the value of
// a Retry-After header.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "client/retry.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hwocr::fuzz::Reader in(data, size);
  const std::uint8_t clock = in.byte();
  const std::string text(in.rest());
  // "now" anywhere from 1970 to far in the future.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)) +
                   std::chrono::hours(24 * 365) * (static_cast<int>(clock) - 128);

  const auto date = hwocr::internal::parse_http_date(text);
  if (date) (void)date->time_since_epoch().count();

  hwocr::HttpResponse response;
  response.status = 429;
  response.headers.add("Retry-After", text);
  const auto wait = hwocr::internal::retry_after(response, now);
  if (wait && wait->count() < 0) hwocr::fuzz::fail("negative Retry-After", text);

  // The same value as curl hands it over, through the header-line reader.
  hwocr::HttpResponse from_wire;
  hwocr::internal::add_response_header_line("Retry-After: " + text + "\r\n", from_wire.headers);
  const auto wire_wait = hwocr::internal::retry_after(from_wire, now);
  if (wire_wait && wire_wait->count() < 0) hwocr::fuzz::fail("negative Retry-After (wire)", text);
  return 0;
}
