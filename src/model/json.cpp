#include "hwocr/json.h"

#include <nlohmann/json.hpp>

#include "common/json_document.h"
#include "model/json_text.h"

namespace hwocr {
namespace internal {

const nlohmann::json& JsonText::document() const noexcept {
  std::call_once(parsed_, [this]() noexcept {
    try {
      if (auto parsed = parse_json(text(), JsonRepair::kDropBadValues)) document_ = std::move(*parsed);
    } catch (...) {
      document_ = nullptr;  // out of memory: the value reads as null
    }
  });
  return document_;
}

}  // namespace internal

Json::Json(std::shared_ptr<const nlohmann::json> document, const nlohmann::json* node)
    : node_(std::move(document), node) {}

Json::Json(std::shared_ptr<const internal::JsonText> text) noexcept : text_(std::move(text)) {}

const nlohmann::json* Json::node() const noexcept {
  if (node_) return node_.get();
  if (text_) return &text_->document();
  return nullptr;
}

Json Json::handle_on(const nlohmann::json* child) const {
  Json handle;
  if (node_) {
    handle.node_ = std::shared_ptr<const nlohmann::json>(node_, child);
  } else {
    handle.node_ = std::shared_ptr<const nlohmann::json>(text_, child);
  }
  return handle;
}

std::string Json::dump(int indent) const {
  // Replacement keeps a server's invalid UTF-8 from throwing here.
  return get().dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

const nlohmann::json& Json::get() const noexcept {
  static const nlohmann::json kNull;
  const nlohmann::json* value = node();
  return value != nullptr ? *value : kNull;
}

Json Json::operator[](std::string_view key) const {
  const nlohmann::json* value = node();
  if (value == nullptr || !value->is_object()) return {};
  const auto it = value->find(std::string(key));
  if (it == value->end()) return {};
  return handle_on(&*it);
}

Json Json::operator[](std::size_t index) const {
  const nlohmann::json* value = node();
  if (value == nullptr || !value->is_array() || index >= value->size()) return {};
  return handle_on(&(*value)[index]);
}

std::size_t Json::size() const noexcept {
  const nlohmann::json* value = node();
  return value != nullptr && (value->is_object() || value->is_array()) ? value->size() : 0;
}

std::vector<std::string> Json::keys() const {
  std::vector<std::string> names;
  const nlohmann::json* value = node();
  if (value == nullptr || !value->is_object()) return names;
  names.reserve(value->size());
  for (const auto& item : value->items()) names.push_back(item.key());
  return names;
}

std::optional<std::string> Json::as_string() const {
  const nlohmann::json* value = node();
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

std::optional<double> Json::as_number() const {
  const nlohmann::json* value = node();
  if (value == nullptr || !value->is_number()) return std::nullopt;
  return value->get<double>();
}

std::optional<bool> Json::as_bool() const {
  const nlohmann::json* value = node();
  if (value == nullptr || !value->is_boolean()) return std::nullopt;
  return value->get<bool>();
}

}  // namespace hwocr
