// ID card request options and result parsing (internal).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "hwocr/id_card.h"
#include "model/parse.h"

namespace hwocr::internal {

nlohmann::json to_json(const IdCardOptions& options);
// `result` is the "result" object inside `document`.
IdCardResult parse_id_card(const JsonPtr& document, const nlohmann::json& result);

}  // namespace hwocr::internal
