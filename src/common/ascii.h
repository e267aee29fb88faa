// ASCII case folding for protocol text (header names, error codes): never
// the locale's.
#pragma once

#include <string>
#include <string_view>

namespace hwocr::internal {

std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace hwocr::internal
