// A read-only handle on a piece of a parsed JSON response.
//
// hwocr parses responses with nlohmann/json but keeps its 25k-line header out
// of yours: this header only needs <nlohmann/json_fwd.hpp>. To walk the JSON,
// include <nlohmann/json.hpp> yourself and call get():
//   #include <nlohmann/json.hpp>
//   const nlohmann::json& j = card.raw.get();
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace hwocr {

class Json {
 public:
  Json() = default;
  // Shares ownership of `document`; `node` must live inside it (no copy is made).
  Json(std::shared_ptr<const nlohmann::json> document, const nlohmann::json* node);

  // False for a default-constructed handle (the field was absent).
  bool has_value() const noexcept { return node_ != nullptr; }
  explicit operator bool() const noexcept { return has_value(); }

  // The JSON text; indent < 0 gives the compact form. "null" when empty.
  std::string dump(int indent = -1) const;

  // The node itself (a JSON null when empty). Needs <nlohmann/json.hpp> to use.
  const nlohmann::json& get() const noexcept;

 private:
  std::shared_ptr<const nlohmann::json> node_;
};

}  // namespace hwocr
