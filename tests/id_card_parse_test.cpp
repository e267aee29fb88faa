// Every id-card result field parsed from fixtures: front, back, double side,
// with and without optional parts, and lenient about odd types.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "apis/generated.h"

namespace {

using hwocr::IdCardResult;

nlohmann::json body_of(const hwocr::IdCardOptions& options) {
  nlohmann::json body = nlohmann::json::object();
  EXPECT_TRUE(hwocr::internal::to_json(options, body).ok());
  return body;
}
using hwocr::Point;

IdCardResult parse_fixture(const std::string& name) {
  std::ifstream in(std::string(HWOCR_TEST_DATA_DIR) + "/id-card/" + name);
  EXPECT_TRUE(in.good()) << name;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto card = hwocr::internal::parse_response<IdCardResult>(
      hwocr::internal::kIdCardApi, std::make_shared<const std::string>(text), "req-1", 200);
  EXPECT_TRUE(card.ok());
  return card ? *card : IdCardResult{};
}

const std::vector<Point> kCorners(std::initializer_list<Point> points) { return points; }

TEST(IdCardParse, FrontWithEveryOptionalPart) {
  const IdCardResult card = parse_fixture("front_full.json");
  EXPECT_EQ(card.name, "李明华");
  EXPECT_EQ(card.sex, "男");
  EXPECT_EQ(card.birth, "1988-03-15");
  EXPECT_EQ(card.ethnicity, "汉");
  EXPECT_EQ(card.address, "北京市海淀区中关村南大街5号");
  EXPECT_EQ(card.number, "11010819880315231X");
  EXPECT_FALSE(card.issue.has_value());
  EXPECT_FALSE(card.valid_from.has_value());
  EXPECT_FALSE(card.valid_to.has_value());

  ASSERT_TRUE(card.verification_result.has_value());
  EXPECT_EQ(card.verification_result->valid_number, true);
  EXPECT_EQ(card.verification_result->valid_birth, true);
  EXPECT_EQ(card.verification_result->valid_sex, false);
  EXPECT_FALSE(card.verification_result->valid_date.has_value());
  EXPECT_FALSE(card.verification_result->valid_validity_period.has_value());

  ASSERT_TRUE(card.text_location.has_value());
  EXPECT_EQ(card.text_location.dump(), R"({"name":[[120,80],[260,80],[260,110],[120,110]],"number":[]})");
  EXPECT_EQ(card.text_location.get()["name"][1][0], 260);
  EXPECT_EQ(card.portrait_image, "iVBORw0KGgo=");
  EXPECT_EQ(card.adjusted_image, "/9j/4AAQ");
  EXPECT_EQ(card.portrait_location, kCorners({{600, 90}, {820, 90}, {820, 360}, {600, 360}}));

  const auto& alarms = card;
  EXPECT_EQ(alarms.detect_reproduce_result, false);
  EXPECT_EQ(alarms.detect_copy_result, true);
  EXPECT_EQ(alarms.detect_tampering_result, false);
  EXPECT_EQ(alarms.detect_border_integrity_result, true);
  EXPECT_EQ(alarms.detect_blocking_within_border_result, false);
  EXPECT_EQ(alarms.detect_blur_result, true);
  EXPECT_EQ(alarms.detect_interim_result, false);
  EXPECT_EQ(alarms.detect_glare_result, true);
  ASSERT_TRUE(alarms.score_info.has_value());
  EXPECT_EQ(alarms.score_info->tampering_score, 3);
  EXPECT_EQ(alarms.score_info->interim_score, 4);
  EXPECT_EQ(alarms.score_info->reproduce_score, 5);
  EXPECT_EQ(alarms.score_info->copy_score, 96);
  EXPECT_EQ(alarms.score_info->border_integrity_score, 97);
  EXPECT_EQ(alarms.score_info->blur_score, 88);
  EXPECT_EQ(alarms.score_info->glare_score, 91);
  EXPECT_EQ(alarms.score_info->blocking_within_border_score, 2);

  EXPECT_FALSE(card.front.has_value());
  EXPECT_FALSE(card.back.has_value());
  // Unknown fields are ignored by the struct but kept in raw.
  EXPECT_EQ(card.raw.get()["a_field_the_sdk_does_not_know"]["kept"], "in raw");
}

TEST(IdCardParse, BackSide) {
  const IdCardResult card = parse_fixture("back_full.json");
  EXPECT_EQ(card.issue, "北京市公安局海淀分局");
  EXPECT_EQ(card.valid_from, "2015-05-12");
  EXPECT_EQ(card.valid_to, "2035-05-12");
  EXPECT_FALSE(card.name.has_value());
  EXPECT_FALSE(card.number.has_value());
  ASSERT_TRUE(card.verification_result.has_value());
  EXPECT_EQ(card.verification_result->valid_date, true);
  EXPECT_EQ(card.verification_result->valid_validity_period, false);
  EXPECT_FALSE(card.verification_result->valid_number.has_value());
  EXPECT_EQ(card.text_location.get()["issue"][2][1], 440);
  EXPECT_EQ(card.adjusted_image, "/9j/4BBQ");
  EXPECT_EQ(card.detect_copy_result, false);
  EXPECT_FALSE(card.detect_blur_result.has_value());
  ASSERT_TRUE(card.score_info.has_value());
  EXPECT_EQ(card.score_info->copy_score, 7);
  EXPECT_FALSE(card.score_info->blur_score.has_value());
}

TEST(IdCardParse, DoubleSide) {
  const IdCardResult card = parse_fixture("double_side_full.json");
  EXPECT_FALSE(card.name.has_value());
  ASSERT_TRUE(card.front.has_value());
  ASSERT_TRUE(card.back.has_value());
  const auto& front = *card.front;
  EXPECT_EQ(front.name, "李明华");
  EXPECT_EQ(front.sex, "男");
  EXPECT_EQ(front.birth, "1988-03-15");
  EXPECT_EQ(front.ethnicity, "汉");
  EXPECT_EQ(front.address, "北京市海淀区中关村南大街5号");
  EXPECT_EQ(front.number, "11010819880315231X");
  EXPECT_EQ(front.portrait_image, "iVBORw0KGgo=");
  EXPECT_EQ(front.adjusted_image, "/9j/front");
  ASSERT_TRUE(front.verification_result.has_value());
  EXPECT_EQ(front.verification_result->valid_sex, true);
  EXPECT_EQ(front.text_location.get()["name"][3][1], 8);
  EXPECT_EQ(front.portrait_location, kCorners({{10, 20}, {30, 20}, {30, 60}, {10, 60}}));
  EXPECT_EQ(front.detect_tampering_result, true);
  EXPECT_EQ(front.detect_interim_result, true);
  EXPECT_EQ(front.detect_glare_result, false);
  ASSERT_TRUE(front.score_info.has_value());
  EXPECT_EQ(front.score_info->tampering_score, 81);
  EXPECT_EQ(front.score_info->blocking_within_border_score, 6);

  const auto& back = *card.back;
  EXPECT_EQ(back.issue, "北京市公安局海淀分局");
  EXPECT_EQ(back.valid_from, "2015-05-12");
  EXPECT_EQ(back.valid_to, "长期");
  EXPECT_EQ(back.adjusted_image, "/9j/back");
  ASSERT_TRUE(back.verification_result.has_value());
  EXPECT_EQ(back.verification_result->valid_validity_period, true);
  EXPECT_EQ(back.text_location.get()["valid_to"][0][0], 11);
  EXPECT_EQ(back.detect_reproduce_result, true);
  EXPECT_EQ(back.detect_border_integrity_result, true);
  EXPECT_EQ(back.detect_blocking_within_border_result, true);
  EXPECT_EQ(back.detect_glare_result, true);
  EXPECT_EQ(back.score_info->reproduce_score, 70);
  EXPECT_EQ(back.score_info->glare_score, 60);
}

TEST(IdCardParse, OptionalPartsAbsentStayAbsent) {
  const IdCardResult card = parse_fixture("minimal.json");
  EXPECT_EQ(card.name, "李明华");
  EXPECT_EQ(card.number, "11010819880315231X");
  EXPECT_FALSE(card.sex.has_value());
  EXPECT_FALSE(card.verification_result.has_value());
  EXPECT_FALSE(card.text_location.has_value());
  EXPECT_EQ(card.text_location.dump(), "null");
  EXPECT_FALSE(card.portrait_image.has_value());
  EXPECT_TRUE(card.portrait_location.empty());
  EXPECT_FALSE(card.detect_copy_result.has_value());
  EXPECT_FALSE(card.score_info.has_value());
  EXPECT_FALSE(card.front.has_value());
  EXPECT_FALSE(card.back.has_value());
  EXPECT_TRUE(card.raw.has_value());
}

TEST(IdCardParse, LenientAboutTypes) {
  const IdCardResult card = parse_fixture("lenient.json");
  EXPECT_FALSE(card.name.has_value());               // null
  EXPECT_EQ(card.sex, "1");                          // number where text was expected
  EXPECT_EQ(card.number, "110108198803152317");      // number kept as its digits
  EXPECT_EQ(card.detect_blur_result, true);   // "true"
  EXPECT_FALSE(card.detect_glare_result.has_value());  // 1 is not a boolean
  EXPECT_FALSE(card.verification_result.has_value());        // not an object
  ASSERT_TRUE(card.score_info.has_value());
  EXPECT_EQ(card.score_info->blur_score, 42);
  EXPECT_EQ(card.score_info->glare_score, 12);
  EXPECT_FALSE(card.score_info->copy_score.has_value());
  EXPECT_EQ(card.portrait_location, kCorners({{1, 2}, {4, 5}}));
  EXPECT_FALSE(card.front.has_value());  // [] is not an object
  EXPECT_FALSE(card.text_location.has_value());
}

TEST(IdCardOptions, OnlySetOptionsAreSent) {
  EXPECT_EQ(body_of(hwocr::IdCardOptions{}).dump(), "{}");
  hwocr::IdCardOptions options;
  options.side = "double_side";
  options.return_verification = true;
  options.detect_blur = false;
  options.return_portrait_image = true;
  const auto body = body_of(options);
  EXPECT_EQ(body.size(), 4u);
  EXPECT_EQ(body.at("side"), "double_side");
  EXPECT_EQ(body.at("return_verification"), true);
  EXPECT_EQ(body.at("detect_blur"), false);
  EXPECT_EQ(body.at("return_portrait_image"), true);
}

TEST(IdCardOptions, EveryOptionHasItsJsonName) {
  hwocr::IdCardOptions o;
  o.side = "back";
  o.return_verification = o.return_text_location = o.detect_reproduce = o.detect_copy = true;
  o.return_portrait_location = o.return_portrait_image = o.return_adjusted_image = o.detect_tampering = true;
  o.detect_border_integrity = o.detect_blocking_within_border = o.detect_blur = o.detect_interim = true;
  o.detect_glare = true;
  const auto body = body_of(o);
  for (const char* key :
       {"side", "return_verification", "return_text_location", "detect_reproduce", "detect_copy",
        "return_portrait_location", "return_portrait_image", "return_adjusted_image", "detect_tampering",
        "detect_border_integrity", "detect_blocking_within_border", "detect_blur", "detect_interim", "detect_glare"}) {
    EXPECT_TRUE(body.contains(key)) << key;
  }
  EXPECT_EQ(body.size(), 14u);
  EXPECT_EQ(body.at("side"), "back");
}

}  // namespace
