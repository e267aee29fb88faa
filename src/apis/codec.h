// The pieces the generated API code is made of (src/apis/*.cpp): the table
// entry each API has, and one read()/write() per member type, so generated
// code is a flat list of calls and every rule about leniency lives here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwocr/error.h"
#include "hwocr/json.h"
#include "hwocr/point.h"
#include "model/image_check.h"
#include "model/parse.h"

namespace hwocr::internal {

// What the client needs to know about an API beyond its types.
struct ApiSpec {
  std::string_view name;         // last path segment: "vat-invoice"
  std::string_view input_field;  // "image", "data", or "" (no image)
  bool result_is_array = false;
  ImageConstraints image;
};

// A 2xx answer, parsed as JSON, before it is mapped to a result struct.
struct Answer {
  JsonPtr document;
  std::string request_id;
  int http_status = 0;
};

// Carries the parsed document so Json members can share it instead of
// copying; also the argument that lets the generated parse() overloads be
// found from the templates below.
struct ParseContext {
  JsonPtr document;
};
// Tag for the same purpose on the writing side.
struct JsonWriter {};

// ---- Reading: absent, null or mistyped values leave the member empty.
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::optional<std::string>& out);
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::optional<bool>& out);
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::optional<std::int64_t>& out);
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::optional<double>& out);
void read(const ParseContext& context, const nlohmann::json& object, const char* key, Json& out);
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::vector<std::string>& out);
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::vector<std::int64_t>& out);
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::vector<double>& out);
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::vector<Point>& out);
void read(const ParseContext&, const nlohmann::json& object, const char* key,
          std::vector<std::vector<double>>& out);
void read(const ParseContext&, const nlohmann::json& object, const char* key, std::map<std::string, double>& out);

template <class Model>
void read(const ParseContext& context, const nlohmann::json& object, const char* key, std::optional<Model>& out) {
  out.reset();
  const nlohmann::json* node = member(object, key);
  if (node == nullptr || !node->is_object()) return;
  parse(context, *node, out.emplace());
}

// Elements of an array, objects only (anything else in it is skipped).
template <class Model>
void read_items(const ParseContext& context, const nlohmann::json& array, std::vector<Model>& out) {
  out.clear();
  if (!array.is_array()) return;
  out.reserve(array.size());
  for (const auto& item : array) {
    if (item.is_object()) parse(context, item, out.emplace_back());
  }
}

template <class Model>
void read(const ParseContext& context, const nlohmann::json& object, const char* key, std::vector<Model>& out) {
  const nlohmann::json* node = member(object, key);
  if (node == nullptr) {
    out.clear();
    return;
  }
  read_items(context, *node, out);
}

// A free-form option member holds JSON text; this puts the object's text in it.
void read_json_text(const nlohmann::json& object, const char* key, std::optional<std::string>& out);

// ---- Writing: empty members are left out.
void write(nlohmann::json& object, const char* key, const std::optional<std::string>& value);
void write(nlohmann::json& object, const char* key, const std::optional<bool>& value);
void write(nlohmann::json& object, const char* key, const std::optional<std::int64_t>& value);
void write(nlohmann::json& object, const char* key, const std::optional<double>& value);
void write(nlohmann::json& object, const char* key, const Json& value);
void write(nlohmann::json& object, const char* key, const std::vector<std::string>& value);
void write(nlohmann::json& object, const char* key, const std::vector<std::int64_t>& value);
void write(nlohmann::json& object, const char* key, const std::vector<double>& value);
void write(nlohmann::json& object, const char* key, const std::vector<Point>& value);
void write(nlohmann::json& object, const char* key, const std::vector<std::vector<double>>& value);
void write(nlohmann::json& object, const char* key, const std::map<std::string, double>& value);

template <class Model>
void write(nlohmann::json& object, const char* key, const std::optional<Model>& value) {
  if (value) object[key] = to_json(JsonWriter{}, *value);
}

template <class Model>
void write(nlohmann::json& object, const char* key, const std::vector<Model>& value) {
  if (value.empty()) return;
  nlohmann::json& array = object[key] = nlohmann::json::array();
  for (const auto& item : value) array.push_back(to_json(JsonWriter{}, item));
}

// ---- Option checks, made before anything is sent.
Error missing_field(std::string_view api, std::string_view field);
Error invalid_options(std::string message);
// Parses `text` (a JSON object) into body[key]; kInvalidArgument otherwise.
Status write_json_text(nlohmann::json& body, std::string_view api, const char* key,
                       const std::optional<std::string>& text);

// "result" must be an object (a list for the list APIs); anything else is a
// parse error carrying the request id, since the call itself succeeded.
Error malformed_envelope(const ApiSpec& api, std::string request_id, int http_status);

template <class R>
Result<R> parse_response(const ApiSpec& api, const JsonPtr& document, std::string request_id, int http_status) {
  const nlohmann::json* result = member(*document, "result");
  const bool shaped = result != nullptr && (api.result_is_array ? result->is_array() : result->is_object());
  if (!shaped) return malformed_envelope(api, std::move(request_id), http_status);
  R out;
  parse_result(ParseContext{document}, *document, *result, out);
  out.raw = Json(document, result);
  out.request_id = std::move(request_id);
  out.http_status = http_status;
  return out;
}

// The API named `name` (last path segment), or nullptr.
const ApiSpec* find_api(std::string_view name) noexcept;

}  // namespace hwocr::internal
