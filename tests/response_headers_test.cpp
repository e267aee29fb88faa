#include "transport/response_headers.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

using hwocr::Headers;
using hwocr::internal::add_response_header_line;

std::vector<std::pair<std::string, std::string>> read(std::initializer_list<std::string_view> lines) {
  Headers headers;
  for (const auto line : lines) add_response_header_line(line, headers);
  return {headers.begin(), headers.end()};
}

using Items = std::vector<std::pair<std::string, std::string>>;

TEST(ResponseHeaders, NameAndValueWithCrLf) {
  EXPECT_EQ(read({"HTTP/1.1 200 OK\r\n", "Content-Type: application/json\r\n", "\r\n"}),
            (Items{{"Content-Type", "application/json"}}));
}

TEST(ResponseHeaders, TrailingSpaceIsTrimmed) {
  // Issue 7, item 10a: "Retry-After: 2 " was ignored.
  EXPECT_EQ(read({"Retry-After: 2 \r\n"}), (Items{{"Retry-After", "2"}}));
  Headers headers;
  add_response_header_line("Retry-After: 2 \r\n", headers);
  ASSERT_NE(headers.find("retry-after"), nullptr);
  EXPECT_EQ(*headers.find("retry-after"), "2");
}

TEST(ResponseHeaders, TabsAreTrimmedAtBothEnds) {
  EXPECT_EQ(read({"X-Request-Id:\t \tabc def\t \r\n"}), (Items{{"X-Request-Id", "abc def"}}));
  EXPECT_EQ(read({"X-A:\tin\tside\t"}), (Items{{"X-A", "in\tside"}}));
}

TEST(ResponseHeaders, WithoutLineEnding) {
  EXPECT_EQ(read({"Date: Tue, 14 Nov 2023 22:13:20 GMT"}), (Items{{"Date", "Tue, 14 Nov 2023 22:13:20 GMT"}}));
}

TEST(ResponseHeaders, LineWithoutColonIsIgnored) {
  EXPECT_EQ(read({"garbage line\r\n", "X-A: 1\r\n"}), (Items{{"X-A", "1"}}));
}

TEST(ResponseHeaders, EmptyValue) {
  EXPECT_EQ(read({"X-Empty:\r\n", "X-Blank:   \t \r\n"}), (Items{{"X-Empty", ""}, {"X-Blank", ""}}));
}

TEST(ResponseHeaders, ColonInsideTheValueIsKept) {
  EXPECT_EQ(read({"Location: http://h:80/p\r\n"}), (Items{{"Location", "http://h:80/p"}}));
}

TEST(ResponseHeaders, EmptyOrMalformedNameIsIgnored) {
  EXPECT_EQ(read({": no name\r\n", "Bad Name: v\r\n", "Bad\x01: v\r\n", "X-Ok: v\r\n"}), (Items{{"X-Ok", "v"}}));
}

TEST(ResponseHeaders, NewStatusLineResetsTheHeaders) {
  EXPECT_EQ(read({"HTTP/1.1 100 Continue\r\n", "X-Interim: 1\r\n", "\r\n", "HTTP/1.1 200 OK\r\n",
                  "X-Final: 2\r\n", "\r\n"}),
            (Items{{"X-Final", "2"}}));
  EXPECT_EQ(read({"HTTP/1.1 200 Connection established\r\n", "Proxy-Agent: p\r\n", "\r\n", "HTTP/2 429\r\n",
                  "Retry-After: 7\r\n"}),
            (Items{{"Retry-After", "7"}}));
}

TEST(ResponseHeaders, ObsFoldLineIsNotAHeaderOfItsOwn) {
  EXPECT_EQ(read({"X-Long: first\r\n", " continued: here\r\n", "\tmore\r\n", "X-Next: 2\r\n"}),
            (Items{{"X-Long", "first"}, {"X-Next", "2"}}));
}

TEST(ResponseHeaders, NoLineBreakInsideAValue) {
  const auto items = read({std::string_view("X-A: a\rb\0c\r\n", 12)});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].second, "a b c");
}

TEST(ResponseHeaders, RepeatedHeadersAreKeptInOrder) {
  EXPECT_EQ(read({"Set-Cookie: a=1\r\n", "Set-Cookie: b=2\r\n"}), (Items{{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}));
}

}  // namespace
