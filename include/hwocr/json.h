// A read-only handle on a piece of a parsed JSON response.
//
// hwocr parses responses with nlohmann/json but keeps its 25k-line header out
// of yours: this header only needs <nlohmann/json_fwd.hpp>. Simple reads work
// without it (card.text_location["name"][0][1].as_number()); for anything
// more, include <nlohmann/json.hpp> yourself and call get():
//   #include <nlohmann/json.hpp>
//   const nlohmann::json& j = card.raw.get();
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace hwocr {
namespace internal {
class JsonText;
}

class Json {
 public:
  Json() = default;
  // Shares ownership of `document`; `node` must live inside it (no copy is made).
  Json(std::shared_ptr<const nlohmann::json> document, const nlohmann::json* node);
  // A value hwocr keeps as text and parses on first use (members of answers:
  // most are never looked at). Copies share the text and the parse; reading
  // from several threads at once is safe.
  explicit Json(std::shared_ptr<const internal::JsonText> text) noexcept;

  // False for a default-constructed handle (the field was absent).
  bool has_value() const noexcept { return node_ != nullptr || text_ != nullptr; }
  explicit operator bool() const noexcept { return has_value(); }

  // The JSON text; indent < 0 gives the compact form. "null" when empty.
  std::string dump(int indent = -1) const;

  // Small reads without <nlohmann/json.hpp>, for free-form members such as
  // confidence or text_location. Each gives an empty handle or std::nullopt
  // when the node is absent or of another kind; none throws.
  Json operator[](std::string_view key) const;  // member of an object
  Json operator[](std::size_t index) const;     // element of an array
  std::size_t size() const noexcept;            // members or elements; 0 otherwise
  std::vector<std::string> keys() const;        // an object's member names, sorted
  std::optional<std::string> as_string() const;
  std::optional<double> as_number() const;
  std::optional<bool> as_bool() const;

  // The node itself (a JSON null when empty). Needs <nlohmann/json.hpp> to use.
  const nlohmann::json& get() const noexcept;

 private:
  // The node, parsing the text first if it is still text; nullptr when empty.
  const nlohmann::json* node() const noexcept;
  // A handle on `child`, a node inside this one, keeping alive what owns it.
  Json handle_on(const nlohmann::json* child) const;

  std::shared_ptr<const nlohmann::json> node_;
  std::shared_ptr<const internal::JsonText> text_;  // set instead of node_ until parsed
};

}  // namespace hwocr
