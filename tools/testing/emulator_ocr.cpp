// What the emulated OCR service answers a request: the checks of
// emulator_ocr_checks.cpp, then the canned results of emulator_ocr_results.cpp
// (id-card, general-text, invoice-verification's business failures) or, for
// every other API, its catalogue sample, which has every result field present.
#include "emulator_ocr.h"

#include <algorithm>
#include <utility>

#include "emulator_ocr_parts.h"

namespace hwocr::testing::detail {
namespace {

using nlohmann::json;

const CatalogueApi* find_api(std::string_view name) {
  const auto& apis = catalogue();  // sorted by name
  const auto it = std::lower_bound(apis.begin(), apis.end(), name,
                                   [](const CatalogueApi& api, std::string_view wanted) { return api.name < wanted; });
  return it != apis.end() && it->name == name ? &*it : nullptr;
}

}  // namespace

bool is_known_ocr_api(std::string_view api) { return find_api(api) != nullptr; }

OcrOutcome recognize(std::string_view api_name, const std::string& body) {
  const CatalogueApi& api = *find_api(api_name);
  json request;
  if (auto failed = check_ocr_request(api, body, request)) return *failed;

  OcrOutcome outcome;
  if (api_name == kIdCard) {
    outcome.body = json{{"result", id_card_result(request)}}.dump();
  } else if (api_name == kGeneralText) {
    outcome.body = json{{"result", general_text_result(request)}}.dump();
  } else if (auto failure = api_name == kInvoiceVerification ? invoice_failure_result(request) : std::nullopt) {
    outcome.body = json{{"result", std::move(*failure)}}.dump();
  } else {
    // Sent exactly as the catalogue spells it: no parsing, nothing shared to
    // guard between threads, and the member order of the data is kept.
    outcome.body = api.sample_response;
  }
  return outcome;
}

}  // namespace hwocr::testing::detail
