#include "model/parse.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace hwocr::internal {

const nlohmann::json* member(const nlohmann::json& object, const char* key) noexcept {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> read_string(const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number() || value->is_boolean()) return value->dump();
  return std::nullopt;
}

std::optional<bool> read_bool(const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    if (text == "true" || text == "True") return true;
    if (text == "false" || text == "False") return false;
  }
  return std::nullopt;
}

std::optional<std::int64_t> read_int(const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_integer()) return value->get<std::int64_t>();
  if (value->is_number_float()) {
    const double d = value->get<double>();
    if (std::isfinite(d) && std::fabs(d) < 9.0e18) return static_cast<std::int64_t>(d);
    return std::nullopt;
  }
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    const long long parsed = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && end == text.c_str() + text.size() && errno == 0) return parsed;
  }
  return std::nullopt;
}

std::optional<double> read_double(const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number()) return value->get<double>();
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    char* end = nullptr;
    const double parsed = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size()) return parsed;
  }
  return std::nullopt;
}

std::optional<std::vector<Point>> read_points(const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr || !value->is_array()) return std::nullopt;
  std::vector<Point> points;
  points.reserve(value->size());
  for (const auto& item : *value) {
    if (item.is_array() && item.size() >= 2 && item[0].is_number() && item[1].is_number()) {
      points.push_back({item[0].get<std::int64_t>(), item[1].get<std::int64_t>()});
    }
  }
  return points;
}

Json read_json(const JsonPtr& document, const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr) return {};
  return Json(document, value);
}

}  // namespace hwocr::internal
