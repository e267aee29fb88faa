#include "model/parse.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace hwocr::internal {
namespace {

// Only values a double -> int64 conversion is defined for (|d| < 2^63).
std::optional<std::int64_t> truncated(double d) noexcept {
  if (std::isfinite(d) && d > -9.2e18 && d < 9.2e18) return static_cast<std::int64_t>(d);
  return std::nullopt;
}

// Leading whitespace and a '+' are accepted in text, as strtod would.
std::string_view trim_sign_and_space(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  return text;
}

}  // namespace

std::optional<std::int64_t> int64_of_number(std::string_view token) noexcept {
  bool integer = true;
  for (const char c : token) integer = integer && c != '.' && c != 'e' && c != 'E';
  if (integer) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (error == std::errc() && end == token.data() + token.size()) return value;
    return std::nullopt;  // an integer beyond int64
  }
  return truncated(double_of_number(token));
}

double double_of_number(std::string_view token) noexcept {
  double value = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  (void)end;
  if (error == std::errc::result_out_of_range) return token.front() == '-' ? -0.0 : 0.0;  // 1e-400
  return error == std::errc() ? value : 0.0;
}

std::optional<std::int64_t> int64_of_text(std::string_view text) noexcept {
  const std::string_view digits = trim_sign_and_space(text);
  if (digits.empty() || digits.front() == '+') return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error == std::errc() && end == digits.data() + digits.size()) return value;
  return std::nullopt;
}

std::optional<double> double_of_text(std::string_view text) noexcept {
  const std::string_view number = trim_sign_and_space(text);
  if (number.empty() || number.front() == '+') return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error == std::errc() && end == number.data() + number.size() && std::isfinite(value)) return value;
  return std::nullopt;
}

std::optional<bool> bool_of_text(std::string_view text) noexcept {
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  return std::nullopt;
}

const nlohmann::json* member(const nlohmann::json& object, const char* key) noexcept {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::int64_t> as_int64(const nlohmann::json& value) noexcept {
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(n);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) return truncated(value.get<double>());
  return std::nullopt;
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
  if (value->is_string()) return bool_of_text(value->get_ref<const std::string&>());
  return std::nullopt;
}

std::optional<std::int64_t> read_int(const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number()) return as_int64(*value);
  if (value->is_string()) return int64_of_text(value->get_ref<const std::string&>());
  return std::nullopt;
}

Json read_json(const JsonPtr& document, const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr) return {};
  return Json(document, value);
}

}  // namespace hwocr::internal
