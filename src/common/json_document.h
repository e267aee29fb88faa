// The one entry through which hwocr turns text into a JSON document: answers
// from the service and IAM, and JSON text a user hands in. nlohmann/json
// parses without recursion, but dumping, destroying and walking a document
// recurse, so no document deeper than kMaxJsonDepth is ever built.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/json_scan.h"

namespace hwocr::internal {

enum class JsonRepair {
  // Text from the network: a string value that is not valid (invalid UTF-8,
  // a bad escape, a lone surrogate) and a number no double can hold (1e400)
  // become null, so that one field is dropped and not the whole answer; raw
  // control characters in strings are escaped; invalid UTF-8 in a member name
  // becomes U+FFFD.
  kDropBadValues,
  // Text from the user: any of the above is an error.
  kNone,
};

// The document, or nullopt with `why` ("nested deeper than 256 levels",
// "not valid JSON", "a string is not valid UTF-8", ...).
std::optional<nlohmann::json> parse_json(std::string_view text, JsonRepair repair, std::string* why = nullptr);

// The compact text of a document built from the user's strings; fails (the
// text of an invalid argument error, in `why`) instead of throwing when a
// string is not valid UTF-8.
std::optional<std::string> dump_json(const nlohmann::json& document, std::string* why = nullptr);

// True when `text` is valid UTF-8 (no overlong forms, surrogates or code
// points past U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace hwocr::internal
