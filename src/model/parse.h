// Lenient readers for result fields: a missing field, a null, or a value of
// an unexpected type gives std::nullopt (a number where text was expected is
// turned into text), never an exception.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwocr/point.h"
#include "hwocr/json.h"

namespace hwocr::internal {

using JsonPtr = std::shared_ptr<const nlohmann::json>;

// Member `key` of `object`, or nullptr.
const nlohmann::json* member(const nlohmann::json& object, const char* key) noexcept;

// An integer JSON number, or a float one truncated, when int64 can hold it.
std::optional<std::int64_t> as_int64(const nlohmann::json& value) noexcept;

std::optional<std::string> read_string(const nlohmann::json& object, const char* key);
std::optional<bool> read_bool(const nlohmann::json& object, const char* key);
std::optional<std::int64_t> read_int(const nlohmann::json& object, const char* key);
std::optional<double> read_double(const nlohmann::json& object, const char* key);
// [[x,y], ...]; entries that are not two numbers are skipped.
std::optional<std::vector<Point>> read_points(const nlohmann::json& object, const char* key);
// A handle on member `key` (shares `document`), empty when absent or null.
Json read_json(const JsonPtr& document, const nlohmann::json& object, const char* key);

}  // namespace hwocr::internal
