// The text behind a lazy hwocr::Json: one value of an answer, kept as the
// span of the answer's body it came in, parsed the first time anyone looks.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hwocr::internal {

class JsonText {
 public:
  // `body[begin, end)` is one JSON value (checked by whoever read it).
  JsonText(std::shared_ptr<const std::string> body, std::size_t begin, std::size_t end) noexcept
      : body_(std::move(body)), begin_(begin), end_(end) {}

  // The parsed value, with the repairs of JsonRepair::kDropBadValues; a
  // JSON null if it cannot be parsed (it can, unless memory runs out).
  const nlohmann::json& document() const noexcept;

  std::string_view text() const noexcept { return std::string_view(*body_).substr(begin_, end_ - begin_); }

 private:
  std::shared_ptr<const std::string> body_;
  std::size_t begin_;
  std::size_t end_;
  mutable std::once_flag parsed_;
  mutable nlohmann::json document_;
};

}  // namespace hwocr::internal
