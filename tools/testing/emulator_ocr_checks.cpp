// What the emulated OCR service checks in a request body
// (../shared/reference/ocr-api.md §3, §9; tools/codegen/ocr-api.json): the
// request fields of every API, their JSON kinds and the rules between them
// come from the generated catalogue (emulator_catalogue.h), each API's image
// limits from the table the client checks against too.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "apis/codec.h"
#include "emulator_ocr_parts.h"

namespace hwocr::testing::detail {

using nlohmann::json;

const json* member(const json& object, std::string_view name) {
  const auto it = object.find(std::string(name));
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

bool flag(const json& request, std::string_view name) {
  const json* value = member(request, name);
  return value != nullptr && value->get<bool>();  // types checked before
}

namespace {

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

using ImageRules = internal::ImageConstraints;

// Each API's image limits (ocr-api.json's image_constraints) come from the
// generated table the client checks against too: one copy of the data. The
// emulator reads the image bytes itself, independently of the client.
const ImageRules& image_rules(std::string_view api) {
  static const ImageRules kAnyImage{};
  const internal::ApiSpec* spec = internal::find_api(api);
  return spec != nullptr ? spec->image : kAnyImage;
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
}  // namespace

std::optional<OcrOutcome> check_ocr_request(const CatalogueApi& api, const std::string& body, json& request) {
  request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return rejected(kInvalidJson, "the body must be a JSON object");
  }
  if (body.size() > kMaxOcrBodySize) {
    return rejected(kInvalidContentLength, "the body is " + std::to_string(body.size()) + " bytes; at most " +
                                               std::to_string(kMaxOcrBodySize) + " are accepted");
  }
  if (auto failed = check_members(request, api)) return *failed;
  if (const std::string image_field = api.input_field; !image_field.empty()) {
    if (auto failed = check_image_or_url(request, image_field, image_rules(api.name))) return *failed;
  }
  if (auto failed = check_values(request, api.name)) return *failed;
  return std::nullopt;
}

}  // namespace hwocr::testing::detail
