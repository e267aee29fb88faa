// Every typed API behind one type-erased entry, so a test can walk all of
// them; generated into api_table.cpp by tools/codegen/generate.py.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apis/codec.h"
#include "hwocr/client.h"

namespace hwocr::testing {

struct ApiEntry {
  std::string name;    // "vat-invoice"
  std::string method;  // "recognize_vat_invoice"
  const internal::ApiSpec* spec;
  // A whole response body -> typed result -> the body again (or
  // {"hwocr_error": message} when parsing fails).
  std::function<nlohmann::json(const nlohmann::json& body, const std::string& request_id, int status)> reparse;
  // Options JSON -> options struct -> the request members it sends.
  std::function<nlohmann::json(const nlohmann::json& options)> reserialize;
  // The typed method over the wire, its result turned back into a body.
  std::function<nlohmann::json(const OcrClient& client, const Image& image, const nlohmann::json& options)> call;
};

const std::vector<ApiEntry>& api_table();

}  // namespace hwocr::testing
