// Chinese resident ID card (身份证), POST /v2/{project_id}/ocr/id-card.
// Member names are the service's JSON keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hwocr/json.h"

namespace hwocr {

enum class IdCardSide {
  kAuto,        // let the service detect the side (nothing sent)
  kFront,       // portrait side: name, sex, ethnicity, birth, address, number
  kBack,        // national-emblem side: issue, valid_from, valid_to
  kDoubleSide,  // both sides in one image: the result has `front` and `back`
};

// Request options. Unset (std::nullopt) options are not sent, so the
// service's defaults (all false) apply.
struct IdCardOptions {
  IdCardSide side = IdCardSide::kAuto;
  std::optional<bool> return_verification;       // verification_result
  std::optional<bool> return_text_location;      // text_location
  std::optional<bool> detect_reproduce;          // detect_reproduce_result (photo of a screen)
  std::optional<bool> detect_copy;               // detect_copy_result (b/w photocopy)
  std::optional<bool> return_portrait_location;  // portrait_location
  std::optional<bool> return_portrait_image;     // portrait_image (Base64)
  std::optional<bool> return_adjusted_image;     // adjusted_image (Base64)
  std::optional<bool> detect_tampering;          // detect_tampering_result
  std::optional<bool> detect_border_integrity;   // detect_border_integrity_result
  std::optional<bool> detect_blocking_within_border;  // detect_blocking_within_border_result
  std::optional<bool> detect_blur;               // detect_blur_result
  std::optional<bool> detect_interim;            // detect_interim_result (temporary card)
  std::optional<bool> detect_glare;              // detect_glare_result
};

struct Point {
  std::int64_t x = 0;
  std::int64_t y = 0;
  friend bool operator==(const Point& a, const Point& b) { return a.x == b.x && a.y == b.y; }
};

// Checks of the recognized values (return_verification). The front side
// carries number/birth/sex, the back side date/validity_period.
struct IdCardVerification {
  std::optional<bool> valid_number;
  std::optional<bool> valid_birth;
  std::optional<bool> valid_sex;
  std::optional<bool> valid_date;
  std::optional<bool> valid_validity_period;
};

// Alarm scores (higher = more likely), present with the matching detect_* option.
struct IdCardScores {
  std::optional<std::int64_t> tampering_score;
  std::optional<std::int64_t> interim_score;
  std::optional<std::int64_t> reproduce_score;
  std::optional<std::int64_t> copy_score;
  std::optional<std::int64_t> border_integrity_score;
  std::optional<std::int64_t> blur_score;
  std::optional<std::int64_t> glare_score;
  std::optional<std::int64_t> blocking_within_border_score;
};

// Alarm verdicts, each present when the matching detect_* option was set.
struct IdCardAlarms {
  std::optional<bool> detect_reproduce_result;
  std::optional<bool> detect_copy_result;
  std::optional<bool> detect_tampering_result;
  std::optional<bool> detect_border_integrity_result;
  std::optional<bool> detect_blocking_within_border_result;
  std::optional<bool> detect_blur_result;
  std::optional<bool> detect_interim_result;
  std::optional<bool> detect_glare_result;
  std::optional<IdCardScores> score_info;
};

// The portrait side, as returned under `front` with side=double_side.
struct IdCardFront {
  std::optional<std::string> name;
  std::optional<std::string> sex;
  std::optional<std::string> birth;
  std::optional<std::string> ethnicity;
  std::optional<std::string> address;
  std::optional<std::string> number;
  std::optional<std::string> portrait_image;
  std::optional<std::string> adjusted_image;
  std::optional<IdCardVerification> verification_result;
  Json text_location;  // field name -> 4 corner points [[x,y],...]
  std::optional<std::vector<Point>> portrait_location;
  IdCardAlarms alarms;
};

// The national-emblem side, as returned under `back` with side=double_side.
struct IdCardBack {
  std::optional<std::string> issue;
  std::optional<std::string> valid_from;
  std::optional<std::string> valid_to;
  std::optional<std::string> adjusted_image;
  std::optional<IdCardVerification> verification_result;
  Json text_location;
  IdCardAlarms alarms;
};

struct IdCardResult {
  // Front side fields.
  std::optional<std::string> name;
  std::optional<std::string> sex;
  std::optional<std::string> birth;
  std::optional<std::string> ethnicity;
  std::optional<std::string> address;
  std::optional<std::string> number;
  // Back side fields.
  std::optional<std::string> issue;
  std::optional<std::string> valid_from;
  std::optional<std::string> valid_to;

  std::optional<IdCardVerification> verification_result;
  Json text_location;  // field name -> 4 corner points [[x,y],...]
  std::optional<std::string> portrait_image;
  std::optional<std::string> adjusted_image;
  std::optional<std::vector<Point>> portrait_location;
  IdCardAlarms alarms;  // detect_*_result and score_info

  // side=double_side.
  std::optional<IdCardFront> front;
  std::optional<IdCardBack> back;

  Json raw;                // the whole "result" object, unknown fields included
  std::string request_id;  // X-Request-Id
  int http_status = 0;
};

}  // namespace hwocr
