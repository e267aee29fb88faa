// The one JSON entry (src/common/json_document.h): depth limit, per-field
// repair of hostile answers, strictness for the user's own JSON text.
#include <gtest/gtest.h>

#include <string>

#include "common/json_document.h"

namespace hwocr::internal {
namespace {

std::string nested(int depth, const std::string& inner = "1") {
  return std::string(static_cast<std::size_t>(depth), '[') + inner + std::string(static_cast<std::size_t>(depth), ']');
}

TEST(JsonDocument, AcceptsNestingUpToTheLimit) {
  std::string why;
  EXPECT_TRUE(parse_json(nested(kMaxJsonDepth), JsonRepair::kDropBadValues, &why)) << why;
  EXPECT_TRUE(parse_json(R"({"a":)" + nested(kMaxJsonDepth - 1) + "}", JsonRepair::kNone, &why)) << why;
}

TEST(JsonDocument, RefusesDeeperDocumentsWithoutRecursing) {
  std::string why;
  EXPECT_FALSE(parse_json(nested(kMaxJsonDepth + 1), JsonRepair::kDropBadValues, &why));
  EXPECT_NE(why.find("deeper than 256"), std::string::npos) << why;
  // 100,000 levels, as the attack sent: refused quickly, no stack overflow.
  const std::string attack = R"({"error_code":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_FALSE(parse_json(attack, JsonRepair::kDropBadValues, &why));
  EXPECT_FALSE(parse_json(std::string(500000, '{'), JsonRepair::kNone, &why));
}

TEST(JsonDocument, BracketsInsideStringsDoNotCount) {
  const std::string text = R"({"words":")" + std::string(1000, '[') + R"("})";
  const auto document = parse_json(text, JsonRepair::kNone);
  ASSERT_TRUE(document);
  EXPECT_EQ((*document)["words"].get<std::string>().size(), 1000u);
}

TEST(JsonDocument, NumberTooLargeForADoubleDropsOnlyThatValue) {
  const auto document = parse_json(R"({"a":1e400,"b":"kept","c":[-1E+999, 2],"d":1e-400})", JsonRepair::kDropBadValues);
  ASSERT_TRUE(document);
  EXPECT_TRUE((*document)["a"].is_null());
  EXPECT_EQ((*document)["b"], "kept");
  EXPECT_TRUE((*document)["c"][0].is_null());
  EXPECT_EQ((*document)["c"][1], 2);
  EXPECT_TRUE((*document)["d"].is_number());  // underflow is a number (0)
  std::string why;
  EXPECT_FALSE(parse_json(R"({"a":1e400})", JsonRepair::kNone, &why));
  EXPECT_NE(why.find("too large"), std::string::npos);
}

TEST(JsonDocument, InvalidUtf8DropsOnlyThatString) {
  const std::string text = "{\"name\":\"ab\xff" "cd\",\"number\":\"123\",\"list\":[\"\xc0\xaf\",\"ok\"]}";
  const auto document = parse_json(text, JsonRepair::kDropBadValues);
  ASSERT_TRUE(document);
  EXPECT_TRUE((*document)["name"].is_null());
  EXPECT_EQ((*document)["number"], "123");
  EXPECT_TRUE((*document)["list"][0].is_null());
  EXPECT_EQ((*document)["list"][1], "ok");
  EXPECT_FALSE(parse_json(text, JsonRepair::kNone));
}

TEST(JsonDocument, BadEscapesAndLoneSurrogatesDropTheString) {
  const auto document =
      parse_json(R"({"a":"\ud800","b":"\udc00x","c":"\q","d":"\ud83d\ude00","e":"\u00e9"})", JsonRepair::kDropBadValues);
  ASSERT_TRUE(document);
  EXPECT_TRUE((*document)["a"].is_null());
  EXPECT_TRUE((*document)["b"].is_null());
  EXPECT_TRUE((*document)["c"].is_null());
  EXPECT_EQ((*document)["d"], "\xf0\x9f\x98\x80");
  EXPECT_EQ((*document)["e"], "\xc3\xa9");
}

TEST(JsonDocument, RawControlCharactersAreEscapedNotDropped) {
  const auto document = parse_json("{\"msg\":\"line1\r\nline2\",\"k\x01\":1}", JsonRepair::kDropBadValues);
  ASSERT_TRUE(document);
  EXPECT_EQ((*document)["msg"], "line1\r\nline2");
  EXPECT_EQ((*document)["k\x01"], 1);
}

TEST(JsonDocument, InvalidUtf8InAMemberNameKeepsTheMember) {
  const auto document = parse_json("{\"n\xffm\":5,\"x\":6}", JsonRepair::kDropBadValues);
  ASSERT_TRUE(document);
  EXPECT_EQ((*document)["n\xef\xbf\xbdm"], 5);
  EXPECT_EQ((*document)["x"], 6);
}

TEST(JsonDocument, EveryProblemByteIsFoundAtEveryOffset) {
  // Strings are skimmed eight bytes at a time: a problem anywhere in them,
  // and the closing quote, must still be seen.
  for (std::size_t length = 1; length < 40; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (const char bad : {'\xff', '\x01', '\n'}) {
        std::string value(length, 'a');
        value[at] = bad;
        const auto document = parse_json("{\"v\":\"" + value + "\",\"w\":1}", JsonRepair::kDropBadValues);
        ASSERT_TRUE(document) << length << " " << at;
        if (bad == '\xff') {
          EXPECT_TRUE((*document)["v"].is_null()) << length << " " << at;
        } else {
          EXPECT_EQ((*document)["v"], value) << length << " " << at;
        }
        EXPECT_EQ((*document)["w"], 1);
        EXPECT_FALSE(parse_json("{\"v\":\"" + value + "\"}", JsonRepair::kNone)) << length << " " << at;
      }
      std::string quoted(length, 'a');
      quoted[at] = '"';  // ends the string early: not JSON any more (unless at the end)
      const bool valid = parse_json("[\"" + quoted + "\"]", JsonRepair::kNone).has_value();
      EXPECT_FALSE(valid) << length << " " << at;
    }
  }
}

TEST(JsonDocument, NotJsonIsReported) {
  std::string why;
  EXPECT_FALSE(parse_json("<html>", JsonRepair::kDropBadValues, &why));
  EXPECT_EQ(why, "not valid JSON");
  EXPECT_FALSE(parse_json("{\"a\":\"unterminated", JsonRepair::kDropBadValues, &why));
  EXPECT_FALSE(parse_json("", JsonRepair::kDropBadValues, &why));
}

TEST(JsonDocument, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain \xe6\x96\x87\xe5\xad\x97"));
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));  // overlong
  EXPECT_FALSE(is_valid_utf8("\xe6\x96"));  // truncated
}

TEST(JsonDocument, DumpRefusesInvalidUtf8InsteadOfThrowing) {
  nlohmann::json document = {{"code", "ab\xff"}};
  std::string why;
  EXPECT_FALSE(dump_json(document, &why));
  EXPECT_NE(why.find("UTF-8"), std::string::npos);
  document["code"] = "ok";
  EXPECT_EQ(dump_json(document).value_or(""), R"({"code":"ok"})");
}

}  // namespace
}  // namespace hwocr::internal
