#include "hwocr/json.h"

#include <nlohmann/json.hpp>

namespace hwocr {

Json::Json(std::shared_ptr<const nlohmann::json> document, const nlohmann::json* node)
    : node_(std::move(document), node) {}

std::string Json::dump(int indent) const {
  // Replacement keeps a server's invalid UTF-8 from throwing here.
  return get().dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

const nlohmann::json& Json::get() const noexcept {
  static const nlohmann::json kNull;
  return node_ ? *node_ : kNull;
}

}  // namespace hwocr
