#include "apis/codec.h"

#include <algorithm>

#include "apis/generated.h"
#include "common/errors.h"
#include "common/json_document.h"
#include "model/json_text.h"

namespace hwocr::internal {
namespace {

using Kind = JsonReader::Kind;

// A string, or the text of a number or boolean, as the string readers take it.
std::optional<std::string> text_of(const JsonReader::Scalar& value) {
  switch (value.kind) {
    case Kind::kString:
    case Kind::kNumber:
      return std::string(value.text);
    case Kind::kTrue:
      return std::string("true");
    case Kind::kFalse:
      return std::string("false");
    default:
      return std::nullopt;
  }
}

std::optional<double> number_of(const JsonReader::Scalar& value) noexcept {
  if (value.kind == Kind::kNumber) return double_of_number(value.text);
  return std::nullopt;
}

std::optional<std::int64_t> integer_of(const JsonReader::Scalar& value) noexcept {
  if (value.kind == Kind::kNumber) return int64_of_number(value.text);
  return std::nullopt;
}

// A point is a list whose first two elements are integers; more are ignored.
std::optional<Point> point_of(AnswerReader& in) {
  if (!in.enter_array()) {
    in.skip();
    return std::nullopt;
  }
  std::optional<std::int64_t> coordinates[2];
  for (int i = 0; in.next_element(); ++i) {
    if (i < 2) coordinates[i] = integer_of(in.scalar());
  }
  if (coordinates[0] && coordinates[1]) return Point{*coordinates[0], *coordinates[1]};
  return std::nullopt;
}

}  // namespace

Json AnswerReader::value_since(std::size_t begin) const {
  return Json(std::make_shared<const JsonText>(body_, begin, value_end()));
}

void read(AnswerReader& in, std::optional<std::string>& out) { out = text_of(in.scalar()); }

void read(AnswerReader& in, std::optional<bool>& out) {
  const JsonReader::Scalar value = in.scalar();
  if (value.kind == Kind::kTrue || value.kind == Kind::kFalse) {
    out = value.kind == Kind::kTrue;
  } else if (value.kind == Kind::kString) {
    out = bool_of_text(value.text);
  } else {
    out.reset();
  }
}

void read(AnswerReader& in, std::optional<std::int64_t>& out) {
  const JsonReader::Scalar value = in.scalar();
  out = value.kind == Kind::kString ? int64_of_text(value.text) : integer_of(value);
}

void read(AnswerReader& in, std::optional<double>& out) {
  const JsonReader::Scalar value = in.scalar();
  out = value.kind == Kind::kString ? double_of_text(value.text) : number_of(value);
}

void read(AnswerReader& in, Json& out) {
  out = Json();
  const Kind kind = in.peek();
  const std::size_t begin = in.value_start();
  if (kind == Kind::kObject || kind == Kind::kArray) {
    in.skip();
  } else if (in.scalar().kind == Kind::kNull) {
    return;  // null, or a value read as null (an invalid string): absent, as in a document
  }
  if (!in.failed()) out = in.value_since(begin);
}

void read(AnswerReader& in, std::vector<std::string>& out) {
  out.clear();
  if (!in.enter_array()) {  // a lone value where a list was expected
    if (auto text = text_of(in.scalar())) out.push_back(std::move(*text));
    return;
  }
  while (in.next_element()) {
    if (auto text = text_of(in.scalar())) out.push_back(std::move(*text));
  }
}

void read(AnswerReader& in, std::vector<std::int64_t>& out) {
  out.clear();
  if (!in.enter_array()) return in.skip();
  while (in.next_element()) {
    if (auto number = integer_of(in.scalar())) out.push_back(*number);
  }
}

void read(AnswerReader& in, std::vector<double>& out) {
  out.clear();
  if (!in.enter_array()) return in.skip();
  while (in.next_element()) {
    if (auto number = number_of(in.scalar())) out.push_back(*number);
  }
}

void read(AnswerReader& in, std::vector<Point>& out) {
  out.clear();
  if (!in.enter_array()) return in.skip();
  out.reserve(4);  // mostly a quadrilateral's corners
  while (in.next_element()) {
    if (auto point = point_of(in)) out.push_back(*point);
  }
}

void read(AnswerReader& in, std::vector<std::vector<double>>& out) {
  out.clear();
  if (!in.enter_array()) return in.skip();
  while (in.next_element()) {
    if (!in.enter_array()) {
      in.skip();
      continue;
    }
    auto& values = out.emplace_back();
    while (in.next_element()) {
      if (auto number = number_of(in.scalar())) values.push_back(*number);
    }
  }
}

void read(AnswerReader& in, std::map<std::string, double>& out) {
  out.clear();
  if (!in.enter_object()) return in.skip();
  for (std::string_view name; in.next_member(name);) {
    std::string key(name);  // reading the value may reuse the name's buffer
    if (auto number = number_of(in.scalar())) {
      out[std::move(key)] = *number;
    } else {
      out.erase(key);  // as in a document, the last of duplicate names counts
    }
  }
}

void read(const nlohmann::json& object, const char* key, std::optional<std::string>& out) {
  out = read_string(object, key);
}
void read(const nlohmann::json& object, const char* key, std::optional<bool>& out) { out = read_bool(object, key); }
void read(const nlohmann::json& object, const char* key, std::optional<std::int64_t>& out) {
  out = read_int(object, key);
}

void read(const nlohmann::json& object, const char* key, std::vector<std::string>& out) {
  out.clear();
  const nlohmann::json* node = member(object, key);
  if (node == nullptr) return;
  if (!node->is_array()) {  // a lone value where a list was expected
    if (auto text = read_string(object, key)) out.push_back(std::move(*text));
    return;
  }
  for (const auto& item : *node) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_number() || item.is_boolean()) {
      out.push_back(item.dump());
    }
  }
}

void read_json_text(const nlohmann::json& object, const char* key, std::optional<std::string>& out) {
  const nlohmann::json* node = member(object, key);
  out = node != nullptr ? std::optional<std::string>(node->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                        : std::nullopt;
}

void write(nlohmann::json& object, const char* key, const std::optional<std::string>& value) {
  if (value) object[key] = *value;
}
void write(nlohmann::json& object, const char* key, const std::optional<bool>& value) {
  if (value) object[key] = *value;
}
void write(nlohmann::json& object, const char* key, const std::optional<std::int64_t>& value) {
  if (value) object[key] = *value;
}
void write(nlohmann::json& object, const char* key, const std::optional<double>& value) {
  if (value) object[key] = *value;
}
void write(nlohmann::json& object, const char* key, const Json& value) {
  if (value) object[key] = value.get();
}
void write(nlohmann::json& object, const char* key, const std::vector<std::string>& value) {
  if (!value.empty()) object[key] = value;
}
void write(nlohmann::json& object, const char* key, const std::vector<std::int64_t>& value) {
  if (!value.empty()) object[key] = value;
}
void write(nlohmann::json& object, const char* key, const std::vector<double>& value) {
  if (!value.empty()) object[key] = value;
}
void write(nlohmann::json& object, const char* key, const std::vector<Point>& value) {
  if (value.empty()) return;
  nlohmann::json& array = object[key] = nlohmann::json::array();
  for (const Point& p : value) array.push_back({p.x, p.y});
}
void write(nlohmann::json& object, const char* key, const std::vector<std::vector<double>>& value) {
  if (!value.empty()) object[key] = value;
}
void write(nlohmann::json& object, const char* key, const std::map<std::string, double>& value) {
  if (!value.empty()) object[key] = value;
}

Error missing_field(std::string_view api, std::string_view field) {
  return make_error(ErrorCategory::kInvalidArgument,
                    std::string(api) + " needs " + std::string(field) + " (it is required)");
}

Error invalid_options(std::string message) {
  return make_error(ErrorCategory::kInvalidArgument, std::move(message));
}

Status write_json_text(nlohmann::json& body, std::string_view api, const char* key,
                       const std::optional<std::string>& text) {
  if (!text) return Success{};
  std::string why;
  auto parsed = parse_json(*text, JsonRepair::kNone, &why);
  if (!parsed || !parsed->is_object()) {
    return invalid_options(std::string(api) + " option " + key + " must be the text of a JSON object" +
                           (parsed ? std::string() : " (" + why + ")"));
  }
  body[key] = std::move(*parsed);
  return Success{};
}

Error answer_is_not_json(int http_status, std::string_view why, std::string request_id) {
  Error error = make_error(ErrorCategory::kParse,
                           "HTTP " + std::to_string(http_status) + " answer is not a JSON object" +
                               (why.empty() ? std::string() : ": " + std::string(why)),
                           http_status);
  error.request_id = std::move(request_id);
  return error;
}

Error malformed_envelope(const ApiSpec& api, std::string request_id, int http_status) {
  Error error = make_error(ErrorCategory::kParse,
                           std::string(api.name) + " answer has no \"result\" " +
                               (api.result_is_array ? "list" : "object"),
                           http_status);
  error.request_id = std::move(request_id);
  return error;
}

const ApiSpec* find_api(std::string_view name) noexcept {
  const auto found = std::find_if(std::begin(kAllApis), std::end(kAllApis),
                                  [name](const ApiSpec* api) { return api->name == name; });
  return found == std::end(kAllApis) ? nullptr : *found;
}

}  // namespace hwocr::internal
