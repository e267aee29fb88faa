// What the emulated OCR service checks in a request body and what it answers
// (../shared/reference/ocr-api.md §3, §9; ocr-api.json RecognizeIdCard and
// RecognizeGeneralText). Results are canned and deterministic so tests can
// compare them; they are realistic enough for a client to parse as it would
// parse the real service's answers.
#include "emulator_ocr.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace hwocr::emulator::detail {
namespace {

using nlohmann::json;

// --- errors --------------------------------------------------------------------------------------

constexpr std::string_view kInvalidJson = "ModelArts.4105";
constexpr std::string_view kInvalidContentLength = "ModelArts.4104";
constexpr std::string_view kInvalidParameter = "AIS.0101";
constexpr std::string_view kUnsupportedImageFormat = "AIS.0102";
constexpr std::string_view kBadImageSize = "AIS.0103";

std::string_view service_message(std::string_view code) {
  if (code == kInvalidJson) return "The JSON format of the input data is incorrect.";
  if (code == kInvalidContentLength) return "Invalid Request Content Length.";
  if (code == kInvalidParameter) return "The input parameter is invalid.";
  if (code == kUnsupportedImageFormat) return "The image format is not supported.";
  return "The image size does not meet the requirements.";
}

// The service's fixed message, then what exactly was wrong: the detail is the
// emulator's addition, to make a failing client test easy to understand.
OcrOutcome rejected(std::string_view code, const std::string& detail) {
  OcrOutcome outcome;
  outcome.status = 400;
  outcome.error_code = std::string(code);
  outcome.error_msg = std::string(service_message(code)) + " (" + detail + ")";
  return outcome;
}

// --- the two APIs --------------------------------------------------------------------------------

struct ImageRules {
  std::uint32_t min_side;
  std::uint32_t max_side;
  std::uint64_t max_pixels;  // 0: no limit besides the sides
  bool pdf_and_web_formats;  // GIF, WEBP, PDF, PSD, ICO accepted besides JPEG/PNG/BMP/TIFF
};

constexpr std::string_view kIdCard = "id-card";
constexpr std::string_view kGeneralText = "general-text";

constexpr ImageRules kIdCardImage{15, 8192, 0, false};
constexpr ImageRules kGeneralTextImage{15, 30000, 160'000'000, true};

// Anti-fraud alarms of id-card: detect_X enables detect_X_result and X_score.
constexpr std::array<std::string_view, 8> kIdCardAlarmFlags = {
    "detect_reproduce", "detect_copy",  "detect_tampering", "detect_border_integrity",
    "detect_blocking_within_border",    "detect_blur",      "detect_interim",
    "detect_glare"};
constexpr std::array<std::string_view, 5> kIdCardOutputFlags = {
    "return_verification", "return_text_location", "return_portrait_location",
    "return_portrait_image", "return_adjusted_image"};
constexpr std::array<std::string_view, 5> kGeneralTextFlags = {
    "detect_direction", "quick_mode", "character_mode", "single_orientation_mode",
    "return_markdown_result"};

// A member that is absent or null counts as not given (clients that map an
// unset optional to null are common).
const json* member(const json& object, std::string_view name) {
  const auto it = object.find(std::string(name));
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

bool flag(const json& request, std::string_view name) {
  const json* value = member(request, name);
  return value != nullptr && value->get<bool>();  // types checked before
}

// --- Base64 --------------------------------------------------------------------------------------

constexpr std::array<signed char, 256> make_base64_values() {
  std::array<signed char, 256> values{};
  for (auto& value : values) value = -1;
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
  }
  return values;
}
constexpr auto kBase64Values = make_base64_values();

// Standard alphabet, length a multiple of 4, '=' only as the last one or two
// characters. No whitespace and no "data:...;base64," prefix: the service
// rejects those (ocr-api.md §3).
bool is_standard_base64(std::string_view text) {
  if (text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    if (kBase64Values[static_cast<unsigned char>(text[i])] < 0) return false;
  }
  return true;
}

// `text` must have passed is_standard_base64.
std::string decode_base64(std::string_view text) {
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  std::uint32_t pending = 0;
  int pending_bits = 0;
  for (const char c : text) {
    if (c == '=') break;
    pending = ((pending << 6) | static_cast<std::uint32_t>(kBase64Values[static_cast<unsigned char>(c)])) &
              0xffffffu;
    pending_bits += 6;
    if (pending_bits >= 8) {
      pending_bits -= 8;
      bytes.push_back(static_cast<char>((pending >> pending_bits) & 0xffu));
    }
  }
  return bytes;
}

// --- image bytes ---------------------------------------------------------------------------------

bool starts_with(std::string_view bytes, std::string_view prefix) {
  return bytes.substr(0, prefix.size()) == prefix;
}

std::uint32_t big_endian_u32(std::string_view bytes, std::size_t offset) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return value;
}

// The format from the file's magic number. PNG is the one format whose size
// the emulator reads (from IHDR), so tests can provoke AIS.0103 with a tiny
// valid PNG.
std::optional<OcrOutcome> check_image_bytes(std::string_view bytes, const ImageRules& rules) {
  using namespace std::string_view_literals;
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n"sv)) {
    if (bytes.size() < 24 || bytes.substr(12, 4) != "IHDR") {
      return rejected(kUnsupportedImageFormat, "PNG without an IHDR chunk");
    }
    const std::uint32_t width = big_endian_u32(bytes, 16);
    const std::uint32_t height = big_endian_u32(bytes, 20);
    const std::uint64_t pixels = std::uint64_t{width} * height;
    if (width < rules.min_side || height < rules.min_side || width > rules.max_side ||
        height > rules.max_side || (rules.max_pixels != 0 && pixels > rules.max_pixels)) {
      return rejected(kBadImageSize, "image is " + std::to_string(width) + "x" + std::to_string(height) +
                                         " px; each side must be " + std::to_string(rules.min_side) + " to " +
                                         std::to_string(rules.max_side) + " px");
    }
    return std::nullopt;
  }
  const bool common_format = starts_with(bytes, "\xff\xd8\xff"sv) || starts_with(bytes, "BM"sv) ||
                             starts_with(bytes, "II*\0"sv) || starts_with(bytes, "MM\0*"sv);
  const bool extra_format =
      starts_with(bytes, "GIF87a"sv) || starts_with(bytes, "GIF89a"sv) || starts_with(bytes, "%PDF-"sv) ||
      starts_with(bytes, "8BPS"sv) || starts_with(bytes, "\0\0\1\0"sv) ||
      (starts_with(bytes, "RIFF"sv) && bytes.size() >= 12 && bytes.substr(8, 4) == "WEBP");
  if (common_format || (rules.pdf_and_web_formats && extra_format)) return std::nullopt;
  return rejected(kUnsupportedImageFormat, "the decoded image is not a supported format");
}

// --- request checks ------------------------------------------------------------------------------

std::optional<OcrOutcome> check_image_or_url(const json& request, const ImageRules& rules) {
  const json* image = member(request, "image");
  const json* url = member(request, "url");
  if ((image == nullptr) == (url == nullptr)) {
    return rejected(kInvalidParameter, image ? "give either image or url, not both" : "image or url is required");
  }
  if (url) {
    if (!url->is_string()) return rejected(kInvalidParameter, "url must be a string");
    const auto& text = url->get_ref<const std::string&>();
    if (!starts_with(text, "http://") && !starts_with(text, "https://")) {
      return rejected(kInvalidParameter, "url must be an http:// or https:// URL");
    }
    return std::nullopt;  // the emulator does not download anything
  }
  if (!image->is_string()) return rejected(kInvalidParameter, "image must be a Base64 string");
  const auto& text = image->get_ref<const std::string&>();
  if (!is_standard_base64(text)) {
    return rejected(kUnsupportedImageFormat, "image is not standard Base64 (no data: prefix, no line breaks)");
  }
  if (text.size() > kMaxImageBase64Size) {
    return rejected(kBadImageSize, "the Base64 image is " + std::to_string(text.size()) + " bytes; at most " +
                                       std::to_string(kMaxImageBase64Size) + " are accepted");
  }
  const std::string bytes = decode_base64(text);
  if (bytes.empty()) return rejected(kBadImageSize, "the image is empty");
  return check_image_bytes(bytes, rules);
}

template <std::size_t N>
std::optional<OcrOutcome> check_boolean_options(const json& request,
                                                const std::array<std::string_view, N>& names) {
  for (const auto name : names) {
    const json* value = member(request, name);
    if (value && !value->is_boolean()) {
      return rejected(kInvalidParameter, std::string(name) + " must be true or false (a JSON boolean)");
    }
  }
  return std::nullopt;
}

std::optional<OcrOutcome> check_id_card_options(const json& request) {
  if (auto failed = check_boolean_options(request, kIdCardOutputFlags)) return failed;
  if (auto failed = check_boolean_options(request, kIdCardAlarmFlags)) return failed;
  if (const json* side = member(request, "side")) {
    // "" means auto-detect, like an absent side (ocr-api.json).
    if (!side->is_string() || (*side != "" && *side != "front" && *side != "back" && *side != "double_side")) {
      return rejected(kInvalidParameter, "side must be \"front\", \"back\" or \"double_side\"");
    }
  }
  return std::nullopt;
}

std::optional<OcrOutcome> check_general_text_options(const json& request) {
  if (auto failed = check_boolean_options(request, kGeneralTextFlags)) return failed;
  if (const json* language = member(request, "language"); language && !language->is_string()) {
    return rejected(kInvalidParameter, "language must be a string");
  }
  if (const json* page = member(request, "pdf_page_number")) {
    if (!page->is_number_integer() || page->get<std::int64_t>() < 1) {
      return rejected(kInvalidParameter, "pdf_page_number must be an integer >= 1");
    }
  }
  return std::nullopt;
}

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

json id_card_result(const json& request) {
  const json* side = member(request, "side");
  if (side && *side == "double_side") {
    return {{"front", card_side(CardSide::kFront, request)}, {"back", card_side(CardSide::kBack, request)}};
  }
  return card_side(side && *side == "back" ? CardSide::kBack : CardSide::kFront, request);
}

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

}  // namespace

std::string synthetic_id_number() {
  std::string number(kIdNumberFirst17);
  number.push_back(id_number_check_character(kIdNumberFirst17));
  return number;
}

bool is_known_ocr_api(std::string_view api) { return api == kIdCard || api == kGeneralText; }

OcrOutcome recognize(std::string_view api, const std::string& body) {
  const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return rejected(kInvalidJson, "the body must be a JSON object");
  }
  if (body.size() > kMaxOcrBodySize) {
    return rejected(kInvalidContentLength, "the body is " + std::to_string(body.size()) + " bytes; at most " +
                                               std::to_string(kMaxOcrBodySize) + " are accepted");
  }
  const bool id_card = api == kIdCard;
  if (auto failed = check_image_or_url(request, id_card ? kIdCardImage : kGeneralTextImage)) return *failed;
  if (auto failed = id_card ? check_id_card_options(request) : check_general_text_options(request)) {
    return *failed;
  }
  OcrOutcome outcome;
  outcome.body = json{{"result", id_card ? id_card_result(request) : general_text_result(request)}}.dump();
  return outcome;
}

}  // namespace hwocr::emulator::detail
