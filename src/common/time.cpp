#include "common/time.h"

#include <array>
#include <cstdint>

namespace hwocr::internal {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                       "Friday", "Saturday", "Sunday"};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(int year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

std::optional<TimePoint> utc(int year, int month, int day, int hour, int minute, int second) {
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  const int month_days = kMonthDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
  if (day > month_days) return std::nullopt;
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return TimePoint(std::chrono::seconds(days * 86400 + hour * 3600 + minute * 60 + second));
}

// A small cursor over the text: each read consumes on success only.
struct Reader {
  std::string_view text;
  std::size_t at = 0;

  bool literal(std::string_view word) {
    if (text.substr(at, word.size()) != word) return false;
    at += word.size();
    return true;
  }
  bool digits(std::size_t min, std::size_t max, int& out) {
    std::size_t n = 0;
    int value = 0;
    while (n < max && at + n < text.size() && text[at + n] >= '0' && text[at + n] <= '9') {
      value = value * 10 + (text[at + n] - '0');
      ++n;
    }
    if (n < min) return false;
    at += n;
    out = value;
    return true;
  }
  bool one_of(const std::string_view* names, std::size_t count, int& index) {
    for (std::size_t i = 0; i < count; ++i) {
      if (literal(names[i])) {
        index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }
  bool spaces() {
    const std::size_t start = at;
    while (at < text.size() && text[at] == ' ') ++at;
    return at > start;
  }
  bool done() const { return at == text.size(); }
};

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<TimePoint> imf_fixdate(std::string_view text) {
  Reader r{text};
  int weekday = 0, day = 0, month = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!r.one_of(kDays.data(), kDays.size(), weekday) || !r.literal(", ") || !r.digits(2, 2, day) ||
      !r.literal(" ") || !r.one_of(kMonths.data(), kMonths.size(), month) || !r.literal(" ") ||
      !r.digits(4, 4, year) || !r.literal(" ") || !r.digits(2, 2, hour) || !r.literal(":") ||
      !r.digits(2, 2, minute) || !r.literal(":") || !r.digits(2, 2, second) || !r.literal(" GMT") || !r.done()) {
    return std::nullopt;
  }
  return utc(year, month + 1, day, hour, minute, second);
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<TimePoint> rfc850(std::string_view text) {
  Reader r{text};
  int weekday = 0, day = 0, month = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!r.one_of(kLongDays.data(), kLongDays.size(), weekday) || !r.literal(", ") || !r.digits(2, 2, day) ||
      !r.literal("-") || !r.one_of(kMonths.data(), kMonths.size(), month) || !r.literal("-") ||
      !r.digits(2, 2, year) || !r.literal(" ") || !r.digits(2, 2, hour) || !r.literal(":") ||
      !r.digits(2, 2, minute) || !r.literal(":") || !r.digits(2, 2, second) || !r.literal(" GMT") || !r.done()) {
    return std::nullopt;
  }
  year += year < 70 ? 2000 : 1900;
  return utc(year, month + 1, day, hour, minute, second);
}

// "Sun Nov  6 08:49:37 1994"
std::optional<TimePoint> asctime_date(std::string_view text) {
  Reader r{text};
  int weekday = 0, day = 0, month = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!r.one_of(kDays.data(), kDays.size(), weekday) || !r.literal(" ") ||
      !r.one_of(kMonths.data(), kMonths.size(), month) || !r.spaces() || !r.digits(1, 2, day) ||
      !r.literal(" ") || !r.digits(2, 2, hour) || !r.literal(":") || !r.digits(2, 2, minute) ||
      !r.literal(":") || !r.digits(2, 2, second) || !r.literal(" ") || !r.digits(4, 4, year) || !r.done()) {
    return std::nullopt;
  }
  return utc(year, month + 1, day, hour, minute, second);
}

}  // namespace

std::chrono::milliseconds milliseconds_between(TimePoint from, TimePoint to) noexcept {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  // Each count is at most about 9.2e15 ms, so their difference fits.
  return milliseconds(duration_cast<milliseconds>(to.time_since_epoch()).count() -
                      duration_cast<milliseconds>(from.time_since_epoch()).count());
}

std::optional<TimePoint> parse_http_date(std::string_view text) {
  text = trimmed(text);
  if (auto time = imf_fixdate(text)) return time;
  if (auto time = rfc850(text)) return time;
  return asctime_date(text);
}

std::optional<TimePoint> parse_iso8601_utc(std::string_view text) {
  Reader r{trimmed(text)};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!r.digits(4, 4, year) || !r.literal("-") || !r.digits(2, 2, month) || !r.literal("-") ||
      !r.digits(2, 2, day) || !r.literal("T") || !r.digits(2, 2, hour) || !r.literal(":") ||
      !r.digits(2, 2, minute) || !r.literal(":") || !r.digits(2, 2, second)) {
    return std::nullopt;
  }
  if (r.literal(".")) {
    int fraction = 0;
    if (!r.digits(1, 9, fraction)) return std::nullopt;
    while (r.digits(1, 1, fraction)) {
    }
  }
  r.literal("Z");
  if (!r.done()) return std::nullopt;
  return utc(year, month, day, hour, minute, second);
}

}  // namespace hwocr::internal
