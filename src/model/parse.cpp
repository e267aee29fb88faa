#include "model/parse.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

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

std::optional<std::int64_t> as_int64(const nlohmann::json& value) noexcept {
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(n);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    // Only values a double -> int64 conversion is defined for (|d| < 2^63).
    const double d = value.get<double>();
    if (std::isfinite(d) && d > -9.2e18 && d < 9.2e18) return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::optional<std::int64_t> read_int(const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number()) return as_int64(*value);
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
    if (!item.is_array() || item.size() < 2) continue;
    const auto x = as_int64(item[0]);
    const auto y = as_int64(item[1]);
    if (x && y) points.push_back({*x, *y});
  }
  return points;
}

Json read_json(const JsonPtr& document, const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr) return {};
  return Json(document, value);
}

}  // namespace hwocr::internal
