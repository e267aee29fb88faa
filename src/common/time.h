// Times read from the network, parsed the same way whatever the process's
// locale, and only within a range a time_point can hold without overflow.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hwocr::internal {

// to - from, for any two time points (a server's, a user clock's): computed
// on millisecond counts, so it cannot overflow as a nanosecond difference can.
std::chrono::milliseconds milliseconds_between(std::chrono::system_clock::time_point from,
                                               std::chrono::system_clock::time_point to) noexcept;

// An HTTP date (RFC 9110: IMF-fixdate "Tue, 14 Nov 2023 22:13:20 GMT", and
// the obsolete RFC 850 and asctime forms); surrounding spaces are ignored.
// nullopt when unreadable or outside the years 1970..2200.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

// IAM's "2020-01-04T09:08:49.965000Z" (fraction and Z optional), UTC.
// nullopt when unreadable or outside the years 1970..2200.
std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(std::string_view text);

}  // namespace hwocr::internal
