// The emulated OCR service's parts (emulator_ocr.h is their entry):
// emulator_ocr_checks.cpp checks a request body as the service does,
// emulator_ocr_results.cpp builds the canned answers that follow a request's
// options. Private to hwocr_testing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emulator_catalogue.h"
#include "emulator_ocr.h"

namespace hwocr::testing::detail {

inline constexpr std::string_view kIdCard = "id-card";
inline constexpr std::string_view kGeneralText = "general-text";
inline constexpr std::string_view kInvoiceVerification = "invoice-verification";

// A member that is absent or null counts as not given (clients that map an
// unset optional to null are common).
const nlohmann::json* member(const nlohmann::json& object, std::string_view name);
// A boolean member, false when not given; its kind must have been checked.
bool flag(const nlohmann::json& request, std::string_view name);

// The body of a request to `api`, as the service checks it (JSON, size,
// image/data/url, Base64, image format and size, the API's fields, their JSON
// kinds, required and exclusive ones, values): the refusal, or nullopt with
// the parsed body in `request`.
std::optional<OcrOutcome> check_ocr_request(const CatalogueApi& api, const std::string& body,
                                            nlohmann::json& request);

// Canned results ("result" members) that follow the request's options.
nlohmann::json id_card_result(const nlohmann::json& request);
nlohmann::json general_text_result(const nlohmann::json& request);
// invoice-verification: the business failure `number` asks for, if any.
std::optional<nlohmann::json> invoice_failure_result(const nlohmann::json& request);

}  // namespace hwocr::testing::detail
