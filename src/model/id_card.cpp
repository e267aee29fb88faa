#include "model/id_card.h"

#include <nlohmann/json.hpp>

namespace hwocr::internal {
namespace {

void put(nlohmann::json& body, const char* key, const std::optional<bool>& value) {
  if (value) body[key] = *value;
}

const char* side_name(IdCardSide side) {
  switch (side) {
    case IdCardSide::kFront: return "front";
    case IdCardSide::kBack: return "back";
    case IdCardSide::kDoubleSide: return "double_side";
    case IdCardSide::kAuto: break;
  }
  return nullptr;
}

std::optional<IdCardVerification> parse_verification(const nlohmann::json& object) {
  const auto* v = member(object, "verification_result");
  if (v == nullptr || !v->is_object()) return std::nullopt;
  IdCardVerification out;
  out.valid_number = read_bool(*v, "valid_number");
  out.valid_birth = read_bool(*v, "valid_birth");
  out.valid_sex = read_bool(*v, "valid_sex");
  out.valid_date = read_bool(*v, "valid_date");
  out.valid_validity_period = read_bool(*v, "valid_validity_period");
  return out;
}

IdCardAlarms parse_alarms(const nlohmann::json& object) {
  IdCardAlarms out;
  out.detect_reproduce_result = read_bool(object, "detect_reproduce_result");
  out.detect_copy_result = read_bool(object, "detect_copy_result");
  out.detect_tampering_result = read_bool(object, "detect_tampering_result");
  out.detect_border_integrity_result = read_bool(object, "detect_border_integrity_result");
  out.detect_blocking_within_border_result = read_bool(object, "detect_blocking_within_border_result");
  out.detect_blur_result = read_bool(object, "detect_blur_result");
  out.detect_interim_result = read_bool(object, "detect_interim_result");
  out.detect_glare_result = read_bool(object, "detect_glare_result");
  if (const auto* s = member(object, "score_info"); s != nullptr && s->is_object()) {
    IdCardScores scores;
    scores.tampering_score = read_int(*s, "tampering_score");
    scores.interim_score = read_int(*s, "interim_score");
    scores.reproduce_score = read_int(*s, "reproduce_score");
    scores.copy_score = read_int(*s, "copy_score");
    scores.border_integrity_score = read_int(*s, "border_integrity_score");
    scores.blur_score = read_int(*s, "blur_score");
    scores.glare_score = read_int(*s, "glare_score");
    scores.blocking_within_border_score = read_int(*s, "blocking_within_border_score");
    out.score_info = scores;
  }
  return out;
}

// The portrait-side fields shared by IdCardResult and IdCardFront.
template <typename T>
void parse_front_fields(T& out, const JsonPtr& document, const nlohmann::json& object) {
  out.name = read_string(object, "name");
  out.sex = read_string(object, "sex");
  out.birth = read_string(object, "birth");
  out.ethnicity = read_string(object, "ethnicity");
  out.address = read_string(object, "address");
  out.number = read_string(object, "number");
  out.portrait_image = read_string(object, "portrait_image");
  out.adjusted_image = read_string(object, "adjusted_image");
  out.verification_result = parse_verification(object);
  out.text_location = read_json(document, object, "text_location");
  out.portrait_location = read_points(object, "portrait_location");
  out.alarms = parse_alarms(object);
}

// The emblem-side fields shared by IdCardResult and IdCardBack.
template <typename T>
void parse_back_fields(T& out, const nlohmann::json& object) {
  out.issue = read_string(object, "issue");
  out.valid_from = read_string(object, "valid_from");
  out.valid_to = read_string(object, "valid_to");
}

}  // namespace

nlohmann::json to_json(const IdCardOptions& options) {
  nlohmann::json body = nlohmann::json::object();
  if (const char* side = side_name(options.side)) body["side"] = side;
  put(body, "return_verification", options.return_verification);
  put(body, "return_text_location", options.return_text_location);
  put(body, "detect_reproduce", options.detect_reproduce);
  put(body, "detect_copy", options.detect_copy);
  put(body, "return_portrait_location", options.return_portrait_location);
  put(body, "return_portrait_image", options.return_portrait_image);
  put(body, "return_adjusted_image", options.return_adjusted_image);
  put(body, "detect_tampering", options.detect_tampering);
  put(body, "detect_border_integrity", options.detect_border_integrity);
  put(body, "detect_blocking_within_border", options.detect_blocking_within_border);
  put(body, "detect_blur", options.detect_blur);
  put(body, "detect_interim", options.detect_interim);
  put(body, "detect_glare", options.detect_glare);
  return body;
}

IdCardResult parse_id_card(const JsonPtr& document, const nlohmann::json& result) {
  IdCardResult out;
  parse_front_fields(out, document, result);
  parse_back_fields(out, result);
  if (const auto* front = member(result, "front"); front != nullptr && front->is_object()) {
    IdCardFront side;
    parse_front_fields(side, document, *front);
    out.front = std::move(side);
  }
  if (const auto* back = member(result, "back"); back != nullptr && back->is_object()) {
    IdCardBack side;
    parse_back_fields(side, *back);
    side.adjusted_image = read_string(*back, "adjusted_image");
    side.verification_result = parse_verification(*back);
    side.text_location = read_json(document, *back, "text_location");
    side.alarms = parse_alarms(*back);
    out.back = std::move(side);
  }
  out.raw = Json(document, &result);
  return out;
}

}  // namespace hwocr::internal
