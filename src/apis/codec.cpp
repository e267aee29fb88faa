#include "apis/codec.h"

#include <algorithm>

#include "apis/generated.h"
#include "client/internal.h"
#include "common/json_document.h"

namespace hwocr::internal {
namespace {

template <class T>
void assign(std::optional<T>& out, std::optional<T> value) {
  out = std::move(value);
}

// A number where the data says number, or its text form.
std::optional<double> number_of(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  return std::nullopt;
}

}  // namespace

void read(const ParseContext&, const nlohmann::json& object, const char* key, std::optional<std::string>& out) {
  assign(out, read_string(object, key));
}
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::optional<bool>& out) {
  assign(out, read_bool(object, key));
}
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::optional<std::int64_t>& out) {
  assign(out, read_int(object, key));
}
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::optional<double>& out) {
  assign(out, read_double(object, key));
}
void read(const ParseContext& context, const nlohmann::json& object, const char* key, Json& out) {
  out = read_json(context.document, object, key);
}

void read(const ParseContext&, const nlohmann::json& object, const char* key, std::vector<std::string>& out) {
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

void read(const ParseContext&, const nlohmann::json& object, const char* key, std::vector<std::int64_t>& out) {
  out.clear();
  const nlohmann::json* node = member(object, key);
  if (node == nullptr || !node->is_array()) return;
  for (const auto& item : *node) {
    if (auto number = as_int64(item)) out.push_back(*number);
  }
}

void read(const ParseContext&, const nlohmann::json& object, const char* key, std::vector<double>& out) {
  out.clear();
  const nlohmann::json* node = member(object, key);
  if (node == nullptr || !node->is_array()) return;
  for (const auto& item : *node) {
    if (auto number = number_of(item)) out.push_back(*number);
  }
}

void read(const ParseContext&, const nlohmann::json& object, const char* key, std::vector<Point>& out) {
  auto points = read_points(object, key);
  out = points ? std::move(*points) : std::vector<Point>{};
}

void read(const ParseContext&, const nlohmann::json& object, const char* key,
          std::vector<std::vector<double>>& out) {
  out.clear();
  const nlohmann::json* node = member(object, key);
  if (node == nullptr || !node->is_array()) return;
  for (const auto& row : *node) {
    if (!row.is_array()) continue;
    auto& values = out.emplace_back();
    for (const auto& item : row) {
      if (auto number = number_of(item)) values.push_back(*number);
    }
  }
}

void read(const ParseContext&, const nlohmann::json& object, const char* key, std::map<std::string, double>& out) {
  out.clear();
  const nlohmann::json* node = member(object, key);
  if (node == nullptr || !node->is_object()) return;
  for (const auto& [name, value] : node->items()) {
    if (auto number = number_of(value)) out.emplace(name, *number);
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
