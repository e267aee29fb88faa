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

Json Json::operator[](std::string_view key) const {
  if (!node_ || !node_->is_object()) return {};
  const auto it = node_->find(std::string(key));
  if (it == node_->end()) return {};
  return Json(node_, &*it);
}

Json Json::operator[](std::size_t index) const {
  if (!node_ || !node_->is_array() || index >= node_->size()) return {};
  return Json(node_, &(*node_)[index]);
}

std::size_t Json::size() const noexcept {
  return node_ && (node_->is_object() || node_->is_array()) ? node_->size() : 0;
}

std::vector<std::string> Json::keys() const {
  std::vector<std::string> names;
  if (!node_ || !node_->is_object()) return names;
  names.reserve(node_->size());
  for (const auto& item : node_->items()) names.push_back(item.key());
  return names;
}

std::optional<std::string> Json::as_string() const {
  if (!node_ || !node_->is_string()) return std::nullopt;
  return node_->get<std::string>();
}

std::optional<double> Json::as_number() const {
  if (!node_ || !node_->is_number()) return std::nullopt;
  return node_->get<double>();
}

std::optional<bool> Json::as_bool() const {
  if (!node_ || !node_->is_boolean()) return std::nullopt;
  return node_->get<bool>();
}

}  // namespace hwocr
