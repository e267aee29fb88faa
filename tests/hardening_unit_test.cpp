// Issue 7's small ones, without a network: HTTP dates read the same whatever
// the process's LC_TIME, Retry-After values with blanks around them, the
// documented defaults of the response cap and the low-speed limit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <clocale>
#include <cstdlib>
#include <optional>
#include <string>

#include "client/retry.h"
#include "hwocr/config.h"

namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// Tue, 14 Nov 2023 22:13:20 GMT
const system_clock::time_point kTime = system_clock::from_time_t(1700000000);

// Switches LC_TIME to a locale whose day and month names are not English,
// for as long as it lives; restores the previous one afterwards.
class NonEnglishTime {
 public:
  NonEnglishTime() {
    const char* current = std::setlocale(LC_TIME, nullptr);
    previous_ = current ? current : "C";
    for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "es_ES.UTF-8", "ru_RU.UTF-8"}) {
      if (use(name)) return;
    }
    // None installed: compile German LC_TIME data into a temporary directory
    // (glibc reads LOCPATH at every setlocale), when the sources are there.
    if (std::system("command -v localedef >/dev/null 2>&1 && test -f /usr/share/i18n/locales/de_DE") == 0) {
      dir_ = ::testing::TempDir() + "hwocr_locale_" + std::to_string(::getpid());
      const std::string source = dir_ + ".src";
      const std::string command = "mkdir -p '" + dir_ + "' && printf 'LC_TIME\\ncopy \"de_DE\"\\nEND LC_TIME\\n' > '" +
                                  source + "' && localedef -c -i '" + source + "' -f UTF-8 '" + dir_ +
                                  "/hwocr_de.UTF-8' >/dev/null 2>&1; rm -f '" + source + "'";
      (void)std::system(command.c_str());
      const char* old = std::getenv("LOCPATH");
      if (old) old_locpath_ = old;
      ::setenv("LOCPATH", dir_.c_str(), 1);
      if (use("hwocr_de.UTF-8")) return;
      restore_locpath();
    }
  }
  ~NonEnglishTime() {
    std::setlocale(LC_TIME, previous_.c_str());
    restore_locpath();
    if (!dir_.empty()) (void)std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  const std::string& name() const { return name_; }

 private:
  bool use(const char* name) {
    if (std::setlocale(LC_TIME, name) == nullptr) return false;
    name_ = name;
    return true;
  }
  void restore_locpath() {
    if (old_locpath_) {
      ::setenv("LOCPATH", old_locpath_->c_str(), 1);
    } else {
      ::unsetenv("LOCPATH");
    }
  }

  std::string previous_;
  std::string name_;
  std::string dir_;
  std::optional<std::string> old_locpath_;
};

TEST(HardeningUnit, HttpDateIsReadTheSameUnderANonEnglishLcTime) {
  const auto in_c = hwocr::internal::parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT");
  ASSERT_TRUE(in_c.has_value());
  EXPECT_EQ(*in_c, kTime);

  NonEnglishTime locale;
  if (locale.name().empty()) GTEST_SKIP() << "no non-English LC_TIME locale available";
  for (const char* date : {"Tue, 14 Nov 2023 22:13:20 GMT", "Sun, 06 Nov 1994 08:49:37 GMT"}) {
    const auto parsed = hwocr::internal::parse_http_date(date);
    ASSERT_TRUE(parsed.has_value()) << date << " under LC_TIME=" << locale.name();
  }
  EXPECT_EQ(hwocr::internal::parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT"), kTime) << locale.name();
  EXPECT_EQ(hwocr::internal::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            system_clock::from_time_t(784111777));
  // The locale's own names are not HTTP dates.
  EXPECT_EQ(hwocr::internal::parse_http_date("Di, 14 Nov 2023 22:13:20 GMT"), std::nullopt);
}

TEST(HardeningUnit, HttpDateRejectsGarbage) {
  for (const char* text : {"", "Tue", "Tue, 14 Nov 2023", "Tue, 99 Nov 2023 22:13:20 GMT",
                           "Tue, 14 Foo 2023 22:13:20 GMT", "Tue, 14 Nov 2023 25:13:20 GMT",
                           "\xff\xfe"}) {
    EXPECT_EQ(hwocr::internal::parse_http_date(text), std::nullopt) << text;
  }
}

hwocr::HttpResponse with_retry_after(std::string value) {
  hwocr::HttpResponse response;
  response.status = 503;
  response.headers.add("Retry-After", std::move(value));
  return response;
}

// (Trimming the value is the header parser's job: see HostileLimits.RetryAfterWithATrailingSpaceIsRead.)
TEST(HardeningUnit, RetryAfterSecondsAndDates) {
  const auto now = system_clock::now();
  EXPECT_EQ(hwocr::internal::retry_after(with_retry_after("2"), now), milliseconds(2000));
  EXPECT_EQ(hwocr::internal::retry_after(with_retry_after("Tue, 14 Nov 2023 22:13:20 GMT"), kTime - milliseconds(3000)),
            milliseconds(3000));
  EXPECT_EQ(hwocr::internal::retry_after(with_retry_after("Tue, 14 Nov 2023 22:13:20 GMT"), kTime + milliseconds(3000)),
            milliseconds(0));
  for (const char* bad : {"", " ", "-1", "2x", "99999999999999999999", "1e3"}) {
    const auto wait = hwocr::internal::retry_after(with_retry_after(bad), now);
    EXPECT_TRUE(!wait.has_value() || wait->count() >= 0) << bad;
    EXPECT_NE(wait, milliseconds(1000)) << bad;
  }
}

TEST(HardeningUnit, DocumentedDefaults) {
  const hwocr::ClientConfig config;
  EXPECT_EQ(config.max_response_bytes, 16u << 20);
  EXPECT_GT(config.low_speed_limit, 0u);
  EXPECT_GT(config.low_speed_time.count(), 0);
}

}  // namespace
