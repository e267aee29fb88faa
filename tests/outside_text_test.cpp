// Text from outside made printable, secrets redacted in every form, times
// parsed whatever the locale: src/common/{text,redact,time}.h.
#include <gtest/gtest.h>

#include <clocale>
#include <string>

#include "common/redact.h"
#include "common/text.h"
#include "common/time.h"

namespace hwocr::internal {
namespace {

TEST(PrintableText, EscapesControlCharactersSoALineStaysOneLine) {
  EXPECT_EQ(printable_text("a\r\nb\tc\x01\x7f"), "a\\r\\nb\\tc\\x01\\x7f");
  EXPECT_EQ(printable_text("bad\xff utf8"), "bad\\xff utf8");
  EXPECT_EQ(printable_text("\xe2\x80\xa8"), "\\u2028");
  EXPECT_EQ(printable_text("\xc2\x85"), "\\xc2\\x85");  // NEL, a C1 control
  EXPECT_EQ(printable_text("\xe6\x96\x87\xe5\xad\x97"), "\xe6\x96\x87\xe5\xad\x97");  // kept
}

TEST(PrintableText, CutsLongTextAndSaysHowMuch) {
  const std::string text = printable_text(std::string(20u << 20, 'x'));
  EXPECT_LT(text.size(), kMaxOutsideTextBytes + 64);
  EXPECT_NE(text.find("more bytes cut]"), std::string::npos);
  EXPECT_NE(text.find(std::to_string((20u << 20) - kMaxOutsideTextBytes)), std::string::npos);
}

TEST(Redactor, KnowsEveryFormHwocrWritesASecretIn) {
  Redactor redactor;
  const std::string secret = "pa\"ss\\wo\x01rd/\xc3\xa9";
  redactor.add(secret);
  for (std::string text : {std::string("x") + secret + "y", std::string(R"(x"pa\"ss\\wo\u0001rd/)") + "\xc3\xa9" + "y",
                           std::string(R"(pa\\\"ss\\\\wo\\u0001rd/)") + "\xc3\xa9", std::string(R"(pa\"ss\\wo\u0001rd/\u00e9)"),
                           std::string("pa%22ss%5Cwo%01rd%2F%C3%A9")}) {
    redactor.apply(text);
    EXPECT_EQ(text.find("ss"), std::string::npos) << text;
    EXPECT_NE(text.find("***"), std::string::npos) << text;
  }
}

TEST(Redactor, UserinfoEndsAtTheLastAt) {
  Redactor redactor;
  redactor.add_userinfo_of("http://user:EP/PASS-SECRET?#x@127.0.0.1:8080");
  std::string text = "proxy http://user:EP/PASS-SECRET?#x@127.0.0.1:8080 said EP/PASS-SECRET?#x";
  redactor.apply(text);
  EXPECT_EQ(text.find("PASS-SECRET"), std::string::npos) << text;
  Redactor none;
  none.add_userinfo_of("http://127.0.0.1:8080/path");
  EXPECT_TRUE(none.empty());
}

TEST(Redactor, SentCredentialsIncludingTheBareSignature) {
  HttpRequest request;
  request.headers.set("Authorization", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abcdef0123456789");
  request.headers.set("X-Security-Token", "tok-123");
  request.headers.set("Content-Type", "application/json");
  Redactor redactor;
  redactor.add_credentials_of(request);
  std::string text = "echo: Signature=abcdef0123456789 abcdef0123456789 tok-123 application/json";
  redactor.apply(text);
  EXPECT_EQ(text.find("abcdef0123456789"), std::string::npos) << text;
  EXPECT_EQ(text.find("tok-123"), std::string::npos) << text;
  EXPECT_NE(text.find("application/json"), std::string::npos) << text;
}

TEST(HttpDate, AllThreeFormsAndSpaces) {
  const auto expected = std::chrono::system_clock::time_point(std::chrono::seconds(784111777));
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(parse_http_date(" Sun, 06 Nov 1994 08:49:37 GMT "), expected);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), expected);
}

TEST(HttpDate, RefusesWhatATimePointCannotHold) {
  EXPECT_FALSE(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 31 Feb 2024 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"));
  EXPECT_FALSE(parse_http_date(""));
}

TEST(HttpDate, SameResultWhateverTheLocale) {
  const auto before = parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT");
  const char* names[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "zh_CN.UTF-8", "C.UTF-8"};
  const std::string saved = std::setlocale(LC_ALL, nullptr);
  for (const char* name : names) {
    if (std::setlocale(LC_ALL, name) == nullptr) continue;
    EXPECT_EQ(parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT"), before) << name;
  }
  std::setlocale(LC_ALL, saved.c_str());
  ASSERT_TRUE(before);
}

TEST(Time, DifferencesOfAnyTwoTimePointsDoNotOverflow) {
  using std::chrono::system_clock;
  // A Retry-After date of 2200 against a clock in 1896 (found by fuzz_retry_after).
  const auto late = parse_http_date("Wed, 31 Dec 2199 23:59:59 GMT");
  ASSERT_TRUE(late);
  const auto early = system_clock::time_point(std::chrono::seconds(-2336608000));
  EXPECT_EQ(milliseconds_between(early, *late).count(),
            (std::chrono::duration_cast<std::chrono::milliseconds>(late->time_since_epoch()).count() + 2336608000000));
  EXPECT_GT(milliseconds_between(system_clock::time_point::min(), system_clock::time_point::max()).count(), 0);
  EXPECT_LT(milliseconds_between(system_clock::time_point::max(), system_clock::time_point::min()).count(), 0);
}

TEST(Iso8601, IamTimes) {
  const auto expected = std::chrono::system_clock::time_point(std::chrono::seconds(1578128929));
  EXPECT_EQ(parse_iso8601_utc("2020-01-04T09:08:49.965000Z"), expected);
  EXPECT_EQ(parse_iso8601_utc("2020-01-04T09:08:49Z"), expected);
  EXPECT_EQ(parse_iso8601_utc("2020-01-04T09:08:49"), expected);
  EXPECT_FALSE(parse_iso8601_utc("9999-01-04T09:08:49Z"));
  EXPECT_FALSE(parse_iso8601_utc("2020-01-04T09:08:49+08:00"));
  EXPECT_EQ(parse_iso8601_utc("2020-01-04T09:08:49." + std::string(100000, '9') + "Z"), expected);
}

}  // namespace
}  // namespace hwocr::internal
