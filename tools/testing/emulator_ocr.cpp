// What the emulated OCR service checks in a request body and what it answers
// (../shared/reference/ocr-api.md §3, §9; tools/codegen/ocr-api.json). The
// request fields of every API, their JSON kinds and the rules between them
// come from the generated catalogue (emulator_catalogue.h). Results are canned
// and deterministic so tests can compare them: id-card and general-text are
// built here and follow the request's options, every other API answers its
// catalogue sample, which has every result field present.
#include "emulator_ocr.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "apis/codec.h"
#include "emulator_catalogue.h"
#include "hwocr/invoices.h"

namespace hwocr::testing::detail {
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

// --- image rules per API ------------------------------------------------------------------------

constexpr std::string_view kIdCard = "id-card";
constexpr std::string_view kGeneralText = "general-text";
constexpr std::string_view kInvoiceVerification = "invoice-verification";

using ImageRules = internal::ImageConstraints;

// Each API's image limits (ocr-api.json's image_constraints) come from the
// generated table the client checks against too: one copy of the data. The
// emulator reads the image bytes itself, independently of the client.
const ImageRules& image_rules(std::string_view api) {
  static const ImageRules kAnyImage{};
  const internal::ApiSpec* spec = internal::find_api(api);
  return spec != nullptr ? spec->image : kAnyImage;
}

// Anti-fraud alarms of id-card: detect_X enables detect_X_result and X_score.
constexpr std::array<std::string_view, 8> kIdCardAlarmFlags = {
    "detect_reproduce", "detect_copy",  "detect_tampering", "detect_border_integrity",
    "detect_blocking_within_border",    "detect_blur",      "detect_interim",
    "detect_glare"};

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

// The format from the file's magic number, 0 when none matches. An OFD
// document is a ZIP archive: any ZIP passes for one.
std::uint32_t format_of(std::string_view bytes) {
  using namespace std::string_view_literals;
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n"sv)) return internal::kFormatPng;
  if (starts_with(bytes, "\xff\xd8\xff"sv)) return internal::kFormatJpeg;
  if (starts_with(bytes, "BM"sv)) return internal::kFormatBmp;
  if (starts_with(bytes, "II*\0"sv) || starts_with(bytes, "MM\0*"sv)) return internal::kFormatTiff;
  if (starts_with(bytes, "GIF87a"sv) || starts_with(bytes, "GIF89a"sv)) return internal::kFormatGif;
  if (starts_with(bytes, "RIFF"sv) && bytes.size() >= 12 && bytes.substr(8, 4) == "WEBP") {
    return internal::kFormatWebp;
  }
  if (starts_with(bytes, "%PDF-"sv)) return internal::kFormatPdf;
  if (starts_with(bytes, "PK\3\4"sv)) return internal::kFormatOfd;
  if (starts_with(bytes, "8BPS"sv)) return internal::kFormatPsd;
  if (starts_with(bytes, "\0\0\1\0"sv)) return internal::kFormatIco;
  return 0;
}

// PNG is the one format whose size the emulator reads (from IHDR), so tests
// can provoke AIS.0103 with a tiny valid PNG.
std::optional<OcrOutcome> check_image_bytes(std::string_view bytes, const ImageRules& rules) {
  const std::uint32_t format = format_of(bytes);
  if (format == 0 || (rules.formats != 0 && (format & rules.formats) == 0)) {
    return rejected(kUnsupportedImageFormat, "the decoded image is not a format this API takes");
  }
  if (format != internal::kFormatPng) return std::nullopt;
  if (bytes.size() < 24 || bytes.substr(12, 4) != "IHDR") {
    return rejected(kUnsupportedImageFormat, "PNG without an IHDR chunk");
  }
  const std::uint32_t width = big_endian_u32(bytes, 16);
  const std::uint32_t height = big_endian_u32(bytes, 20);
  const std::uint64_t pixels = std::uint64_t{width} * height;
  if (width < rules.min_side_px || height < rules.min_side_px ||
      (rules.max_side_px != 0 && (width > rules.max_side_px || height > rules.max_side_px)) ||
      (rules.max_total_pixels != 0 && pixels > rules.max_total_pixels)) {
    return rejected(kBadImageSize, "image is " + std::to_string(width) + "x" + std::to_string(height) +
                                       " px; each side must be " + std::to_string(rules.min_side_px) + " to " +
                                       std::to_string(rules.max_side_px) + " px");
  }
  return std::nullopt;
}

// --- request checks ------------------------------------------------------------------------------

// `image_field` is the API's name for the Base64 image: "image" or "data".
std::optional<OcrOutcome> check_image_or_url(const json& request, const std::string& image_field,
                                             const ImageRules& rules) {
  const json* image = member(request, image_field);
  const json* url = member(request, "url");
  if ((image == nullptr) == (url == nullptr)) {
    return rejected(kInvalidParameter, image ? "give either " + image_field + " or url, not both"
                                             : image_field + " or url is required");
  }
  if (url) {
    if (!url->is_string()) return rejected(kInvalidParameter, "url must be a string");
    const auto& text = url->get_ref<const std::string&>();
    if (!starts_with(text, "http://") && !starts_with(text, "https://")) {
      return rejected(kInvalidParameter, "url must be an http:// or https:// URL");
    }
    return std::nullopt;  // the emulator does not download anything
  }
  if (!image->is_string()) return rejected(kInvalidParameter, image_field + " must be a Base64 string");
  const auto& text = image->get_ref<const std::string&>();
  if (!is_standard_base64(text)) {
    return rejected(kUnsupportedImageFormat,
                    image_field + " is not standard Base64 (no data: prefix, no line breaks)");
  }
  if (text.size() > kMaxImageBase64Size) {
    return rejected(kBadImageSize, "the Base64 image is " + std::to_string(text.size()) + " bytes; at most " +
                                       std::to_string(kMaxImageBase64Size) + " are accepted");
  }
  const std::string bytes = decode_base64(text);
  if (bytes.empty()) return rejected(kBadImageSize, "the image is empty");
  return check_image_bytes(bytes, rules);
}

bool has_kind(const json& value, FieldKind kind) {
  switch (kind) {
    case FieldKind::kString: return value.is_string();
    case FieldKind::kBoolean: return value.is_boolean();
    case FieldKind::kInteger: return value.is_number_integer();
    case FieldKind::kStringList:
      return value.is_array() &&
             std::all_of(value.begin(), value.end(), [](const json& item) { return item.is_string(); });
    case FieldKind::kObject: return value.is_object();
  }
  return false;
}

std::string_view kind_description(FieldKind kind) {
  switch (kind) {
    case FieldKind::kString: return "a string";
    case FieldKind::kBoolean: return "true or false (a JSON boolean)";
    case FieldKind::kInteger: return "an integer";
    case FieldKind::kStringList: return "an array of strings";
    case FieldKind::kObject: return "a JSON object";
  }
  return "?";
}

const CatalogueField* find_field(const CatalogueApi& api, std::string_view name) {
  const auto it = std::find_if(api.fields.begin(), api.fields.end(),
                               [&](const CatalogueField& field) { return field.name == name; });
  return it == api.fields.end() ? nullptr : &*it;
}

// Every member must be a field of the API (the image field and url are left
// to check_image_or_url). Stricter than the service, which ignores unknown
// members: a misspelt option would otherwise pass unnoticed in SDK tests.
std::optional<OcrOutcome> check_members(const json& request, const CatalogueApi& api) {
  const std::string image_field = api.input_field;
  for (const auto& [name, value] : request.items()) {
    if (name == "image" || name == "data" || name == "url") {
      if (image_field.empty()) {
        return rejected(kInvalidParameter, std::string(api.name) + " takes no image, data or url, only its fields");
      }
      if (name != "url" && name != image_field) {
        return rejected(kInvalidParameter, std::string(api.name) + " takes the image as '" + image_field +
                                               "', not '" + name + "'");
      }
      continue;
    }
    const CatalogueField* field = find_field(api, name);
    if (field == nullptr) return rejected(kInvalidParameter, "unknown field '" + name + "'");
    if (!value.is_null() && !has_kind(value, field->kind)) {
      return rejected(kInvalidParameter, name + " must be " + std::string(kind_description(field->kind)));
    }
  }
  for (const auto& field : api.fields) {
    if (field.required && member(request, field.name) == nullptr) {
      return rejected(kInvalidParameter, std::string(field.name) + " is required");
    }
  }
  for (const auto& group : api.exclusive) {
    std::string names;
    std::size_t given = 0;
    for (const char* name : group.fields) {
      names += (names.empty() ? "" : ", ") + std::string(name);
      if (member(request, name) != nullptr) ++given;
    }
    if (given > 1 || (group.exactly_one && given == 0)) {
      return rejected(kInvalidParameter, (group.exactly_one ? "give exactly one of " : "give at most one of ") + names);
    }
  }
  return std::nullopt;
}

// Rules on values, once their kinds are right.
std::optional<OcrOutcome> check_values(const json& request, std::string_view api) {
  if (const json* side = member(request, "side"); side && api == kIdCard) {
    // "" means auto-detect, like an absent side (ocr-api.json).
    if (*side != "" && *side != "front" && *side != "back" && *side != "double_side") {
      return rejected(kInvalidParameter, "side must be \"front\", \"back\" or \"double_side\"");
    }
  }
  for (const char* page_field : {"pdf_page_number", "page_num"}) {  // 1-based (ocr-api.json)
    const json* page = member(request, page_field);
    if (page && !(page->is_number_unsigned() && page->get<std::uint64_t>() >= 1)) {
      return rejected(kInvalidParameter, std::string(page_field) + " must be an integer >= 1");
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

// --- the catalogue -------------------------------------------------------------------------------

const CatalogueApi* find_api(std::string_view name) {
  const auto& apis = catalogue();  // sorted by name
  const auto it = std::lower_bound(apis.begin(), apis.end(), name,
                                   [](const CatalogueApi& api, std::string_view wanted) { return api.name < wanted; });
  return it != apis.end() && it->name == name ? &*it : nullptr;
}

}  // namespace

std::string synthetic_id_number() {
  std::string number(kIdNumberFirst17);
  number.push_back(id_number_check_character(kIdNumberFirst17));
  return number;
}

bool is_known_ocr_api(std::string_view api) { return find_api(api) != nullptr; }

OcrOutcome recognize(std::string_view api_name, const std::string& body) {
  const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return rejected(kInvalidJson, "the body must be a JSON object");
  }
  if (body.size() > kMaxOcrBodySize) {
    return rejected(kInvalidContentLength, "the body is " + std::to_string(body.size()) + " bytes; at most " +
                                               std::to_string(kMaxOcrBodySize) + " are accepted");
  }
  const CatalogueApi& api = *find_api(api_name);
  if (auto failed = check_members(request, api)) return *failed;
  if (const std::string image_field = api.input_field; !image_field.empty()) {
    if (auto failed = check_image_or_url(request, image_field, image_rules(api_name))) return *failed;
  }
  if (auto failed = check_values(request, api_name)) return *failed;

  OcrOutcome outcome;
  if (api_name == kIdCard) {
    outcome.body = json{{"result", id_card_result(request)}}.dump();
  } else if (api_name == kGeneralText) {
    outcome.body = json{{"result", general_text_result(request)}}.dump();
  } else if (auto failure = api_name == kInvoiceVerification ? invoice_failure_result(request) : std::nullopt) {
    outcome.body = json{{"result", std::move(*failure)}}.dump();
  } else {
    // Sent exactly as the catalogue spells it: no parsing, nothing shared to
    // guard between threads, and the member order of the data is kept.
    outcome.body = api.sample_response;
  }
  return outcome;
}

}  // namespace hwocr::testing::detail
