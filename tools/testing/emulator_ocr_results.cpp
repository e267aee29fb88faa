// The emulated OCR service's canned, deterministic answers, so that tests can
// compare them: id-card and general-text follow the request's options,
// invoice-verification answers the business failure a number asks for.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emulator_ocr_parts.h"
#include "hwocr/invoices.h"

namespace hwocr::testing::detail {

using nlohmann::json;

namespace {

// Anti-fraud alarms of id-card: detect_X enables detect_X_result and X_score.
constexpr std::array<std::string_view, 8> kIdCardAlarmFlags = {
    "detect_reproduce", "detect_copy",  "detect_tampering", "detect_border_integrity",
    "detect_blocking_within_border",    "detect_blur",      "detect_interim",
    "detect_glare"};

// --- canned results: id-card ---------------------------------------------------------------------

using Box = std::array<int, 4>;  // left, top, right, bottom

json corners(const Box& box) {
  return json::array({{box[0], box[1]}, {box[2], box[1]}, {box[2], box[3]}, {box[0], box[3]}});
}

// GB 11643: 6-digit region, 8-digit birth date, 3-digit sequence (odd: male),
// then the ISO 7064 MOD 11-2 check character.
char id_number_check_character(std::string_view first17) {
  constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  constexpr std::string_view kCheckCharacters = "10X98765432";
  int sum = 0;
  for (std::size_t i = 0; i < kWeights.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheckCharacters[static_cast<std::size_t>(sum % 11)];
}

// A synthetic person: Chaoyang district of Beijing (110105), born 1990-03-07,
// sequence 021 (male). The card was issued at 25, so it is valid 20 years.
constexpr std::string_view kIdNumberFirst17 = "11010519900307021";
constexpr std::string_view kBirth = "1990-03-07";
constexpr std::string_view kSex = "男";

struct CardField {
  std::string_view name;
  std::string value;
  Box box;  // on a 1000x630 card image
};

std::vector<CardField> front_fields() {
  return {{"name", "李晓明", {190, 95, 330, 140}},
          {"sex", std::string(kSex), {190, 165, 232, 205}},
          {"ethnicity", "汉", {360, 165, 402, 205}},
          {"birth", std::string(kBirth), {190, 230, 500, 272}},
          {"address", "北京市朝阳区建国路88号院3号楼2单元501室", {190, 300, 640, 400}},
          {"number", synthetic_id_number(), {330, 500, 900, 548}}};
}

std::vector<CardField> back_fields() {
  return {{"issue", "北京市公安局朝阳分局", {390, 470, 760, 510}},
          {"valid_from", "2015-05-12", {390, 540, 560, 580}},
          {"valid_to", "2035-05-12", {575, 540, 745, 580}}};
}

constexpr Box kPortraitBox = {640, 90, 920, 430};

// Tiny but valid PNGs (16x20 grey portrait, 43x27 card), large enough to pass
// the emulator's own size check if a client sends them back.
constexpr std::string_view kPortraitPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAUCAAAAAChCeKrAAAAMklEQVR42mN4hgYYsAtEgQFCICoKIcKAxAeLYBOIikIWoZIAYWsxXYrpF1Tf"
    "RqEAcgQAbd+64R0hn8IAAAAASUVORK5CYII=";
constexpr std::string_view kAdjustedPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAACsAAAAbCAAAAADATCmxAAAALUlEQVR42mP4SjxgGPRqKxAApvYENkBntaS4d6ipPYEDUKp2OIfZsMlv9FEL"
    "ACAw7dg6e5LxAAAAAElFTkSuQmCC";

// Alarm scores (0-100, higher = more suspicious); all low: a clean card.
int alarm_score(std::string_view alarm) {
  constexpr std::array<std::pair<std::string_view, int>, 8> kScores = {{{"reproduce", 5},
                                                                        {"copy", 4},
                                                                        {"tampering", 3},
                                                                        {"border_integrity", 1},
                                                                        {"blocking_within_border", 2},
                                                                        {"blur", 7},
                                                                        {"interim", 2},
                                                                        {"glare", 6}}};
  for (const auto& [name, score] : kScores) {
    if (name == alarm) return score;
  }
  return 0;
}

// Checks the canned fields against each other, as the service checks a card.
json verification_of_front() {
  const std::string number = synthetic_id_number();
  std::string birth_digits(kBirth);
  birth_digits.erase(std::remove(birth_digits.begin(), birth_digits.end(), '-'), birth_digits.end());
  const bool male = (number[16] - '0') % 2 == 1;
  return {{"valid_number", id_number_check_character(number) == number.back()},
          {"valid_birth", number.substr(6, 8) == birth_digits},
          {"valid_sex", kSex == (male ? "男" : "女")}};
}

json verification_of_back() { return {{"valid_date", true}, {"valid_validity_period", true}}; }

enum class CardSide { kFront, kBack };

// One side of the card with everything the request's options ask for. The
// portrait exists only on the front.
json card_side(CardSide side, const json& request) {
  const bool front = side == CardSide::kFront;
  const std::vector<CardField> fields = front ? front_fields() : back_fields();
  json out = json::object();
  for (const auto& field : fields) out[std::string(field.name)] = field.value;
  if (flag(request, "return_verification")) out["verification_result"] = front ? verification_of_front() : verification_of_back();
  if (flag(request, "return_text_location")) {
    json locations = json::object();
    for (const auto& field : fields) locations[std::string(field.name)] = corners(field.box);
    out["text_location"] = std::move(locations);
  }
  if (front && flag(request, "return_portrait_image")) out["portrait_image"] = kPortraitPngBase64;
  if (front && flag(request, "return_portrait_location")) out["portrait_location"] = corners(kPortraitBox);
  if (flag(request, "return_adjusted_image")) out["adjusted_image"] = kAdjustedPngBase64;
  json scores = json::object();
  for (const auto alarm_flag : kIdCardAlarmFlags) {
    if (!flag(request, alarm_flag)) continue;
    out[std::string(alarm_flag) + "_result"] = false;
    const std::string_view alarm = alarm_flag.substr(std::string_view("detect_").size());
    scores[std::string(alarm) + "_score"] = alarm_score(alarm);
  }
  if (!scores.empty()) out["score_info"] = std::move(scores);
  return out;
}

}  // namespace

json id_card_result(const json& request) {
  const json* side = member(request, "side");
  if (side && *side == "double_side") {
    return {{"front", card_side(CardSide::kFront, request)}, {"back", card_side(CardSide::kBack, request)}};
  }
  return card_side(side && *side == "back" ? CardSide::kBack : CardSide::kFront, request);
}

namespace {

// --- canned results: general-text ----------------------------------------------------------------

struct TextLine {
  std::string_view words;
  Box box;
  int confidence;  // in 1/10000, so the JSON shows 0.9987 and not 0.99869999...
};

constexpr std::array<TextLine, 5> kTextLines = {{
    {"华为云通用文字识别", {52, 40, 470, 88}, 9987},
    {"Huawei Cloud OCR emulator", {52, 108, 560, 150}, 9962},
    {"发票号码：No. 20240501", {52, 176, 520, 218}, 9941},
    {"合计 Total: ¥1,280.00", {52, 244, 480, 286}, 9915},
    {"2024年5月1日", {52, 312, 330, 354}, 9978},
}};

std::vector<std::string_view> utf8_characters(std::string_view text) {
  std::vector<std::string_view> characters;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    characters.push_back(text.substr(i, length));
    i += length;
  }
  return characters;
}

// Characters share the line's box evenly.
json char_list(const TextLine& line) {
  const auto characters = utf8_characters(line.words);
  const int count = static_cast<int>(characters.size());
  const int width = line.box[2] - line.box[0];
  json list = json::array();
  for (int i = 0; i < count; ++i) {
    const Box box = {line.box[0] + width * i / count, line.box[1], line.box[0] + width * (i + 1) / count, line.box[3]};
    list.push_back({{"char", characters[static_cast<std::size_t>(i)]},
                    {"char_location", corners(box)},
                    {"char_confidence", (line.confidence - 7 * (i % 3)) / 10000.0}});
  }
  return list;
}

}  // namespace

json general_text_result(const json& request) {
  // quick_mode is for single-line images: only the first line is "found".
  const std::size_t line_count = flag(request, "quick_mode") ? 1 : kTextLines.size();
  json blocks = json::array();
  std::string markdown;
  for (std::size_t i = 0; i < line_count; ++i) {
    const TextLine& line = kTextLines[i];
    json block = {{"words", line.words}, {"location", corners(line.box)}, {"confidence", line.confidence / 10000.0}};
    if (flag(request, "character_mode")) block["char_list"] = char_list(line);
    blocks.push_back(std::move(block));
    if (!markdown.empty()) markdown.push_back('\n');
    markdown += line.words;
  }
  // direction: the detected rotation with detect_direction, else -1 (ocr-api.json notes).
  json result = {{"direction", flag(request, "detect_direction") ? 0.0 : -1.0},
                 {"words_block_count", line_count},
                 {"words_block_list", std::move(blocks)}};
  if (flag(request, "return_markdown_result")) result["markdown_result"] = markdown;
  return result;
}

namespace {

// --- canned results: invoice-verification ---------------------------------------------------------

// Business statuses come back with HTTP 200 inside the result. So that clients
// can test each one, a `number` whose last four characters are 1001 to 1013
// (e.g. "00001002") is answered with that result_code and its message
// (ocr-api.json documented_result_fields.result_codes) and only the request's
// code, number and issue_date; any other number is consistent (1000): the
// catalogue sample.
// The business codes other than 1000 and their messages, from the same
// generated data as the client's InvoiceVerificationStatus.
constexpr int kFirstInvoiceFailureCode = 1001;
constexpr int kLastInvoiceFailureCode = 1013;

}  // namespace

// The failure `number` asks for, if any. The fields are strings: checked before.
std::optional<json> invoice_failure_result(const json& request) {
  const std::string number = request.value("number", "");
  if (number.size() < 4) return std::nullopt;
  const std::string_view last4 = std::string_view(number).substr(number.size() - 4);
  if (!std::all_of(last4.begin(), last4.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  const int code = std::stoi(std::string(last4));
  if (code < kFirstInvoiceFailureCode || code > kLastInvoiceFailureCode) return std::nullopt;
  return json{{"code", request.value("code", "")},
              {"number", number},
              {"issue_date", request.value("issue_date", "")},
              {"result_code", std::string(last4)},
              {"result_message", describe(static_cast<InvoiceVerificationStatus>(code))}};
}

std::string synthetic_id_number() {
  std::string number(kIdNumberFirst17);
  number.push_back(id_number_check_character(kIdNumberFirst17));
  return number;
}

}  // namespace hwocr::testing::detail
