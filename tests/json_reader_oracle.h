// A document built by walking JsonReader, value by value: what the typed
// parsers see of a text. Tests and the fuzzer compare it with the document
// parse_json(kDropBadValues) builds from the same text: the two readers of
// answers must agree on every byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/json_document.h"
#include "common/json_reader.h"

namespace hwocr::testing {

inline nlohmann::json walk(internal::JsonReader& in) {
  using Kind = internal::JsonReader::Kind;
  if (in.enter_object()) {
    nlohmann::json object = nlohmann::json::object();
    for (std::string_view name; in.next_member(name);) {
      const std::string key(name);
      object[key] = walk(in);
    }
    return object;
  }
  if (in.enter_array()) {
    nlohmann::json array = nlohmann::json::array();
    while (in.next_element()) array.push_back(walk(in));
    return array;
  }
  const internal::JsonReader::Scalar value = in.scalar();
  switch (value.kind) {
    case Kind::kString: return std::string(value.text);
    case Kind::kNumber: return nlohmann::json::parse(value.text);
    case Kind::kTrue: return true;
    case Kind::kFalse: return false;
    default: return nullptr;
  }
}

// The document the reader sees, or nullopt when it refuses the text.
inline std::optional<nlohmann::json> read_with_reader(std::string_view text, std::string* why = nullptr) {
  internal::JsonReader in(text);
  nlohmann::json document = walk(in);
  if (!in.at_end()) {
    if (why != nullptr) *why = in.error();
    return std::nullopt;
  }
  return document;
}

}  // namespace hwocr::testing
