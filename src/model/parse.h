// Lenient conversions for result fields: a missing field, a null, or a value
// of an unexpected kind gives std::nullopt, never an exception. The answer
// reader (apis/codec.cpp) and the document readers below share them, so a
// value reads the same whichever way it came.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hwocr/json.h"

namespace hwocr::internal {

using JsonPtr = std::shared_ptr<const nlohmann::json>;

// A JSON number token as int64: integers that fit, floats truncated when
// |x| < 2^63; nullopt otherwise.
std::optional<std::int64_t> int64_of_number(std::string_view token) noexcept;
// A JSON number token as a double (one too large was read as null before).
double double_of_number(std::string_view token) noexcept;
// Numbers and booleans the service sent as text ("12", " 0.98", "True").
// Locale-free; non-finite values are refused.
std::optional<std::int64_t> int64_of_text(std::string_view text) noexcept;
std::optional<double> double_of_text(std::string_view text) noexcept;
std::optional<bool> bool_of_text(std::string_view text) noexcept;

// ---- Documents (options in the tests' round trips; generic answers).
// Member `key` of `object`, or nullptr (also for null).
const nlohmann::json* member(const nlohmann::json& object, const char* key) noexcept;
// A document number as int64, as int64_of_number.
std::optional<std::int64_t> as_int64(const nlohmann::json& value) noexcept;
std::optional<std::string> read_string(const nlohmann::json& object, const char* key);
std::optional<bool> read_bool(const nlohmann::json& object, const char* key);
std::optional<std::int64_t> read_int(const nlohmann::json& object, const char* key);
// A handle on member `key` (shares `document`), empty when absent or null.
Json read_json(const JsonPtr& document, const nlohmann::json& object, const char* key);

}  // namespace hwocr::internal
