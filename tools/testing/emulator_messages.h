// What the emulator's parts pass around for one request: its target as sent,
// and the reply a part decided on, with the gateway's, OCR's and IAM's error
// envelopes. Private to hwocr_testing.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace hwocr::testing::detail {

inline constexpr char kJsonContentType[] = "application/json;charset=UTF-8";
inline constexpr std::string_view kAuthFailure = "APIG.0301";
inline constexpr std::string_view kApiNotFound = "APIG.0101";
inline constexpr std::string_view kApiNotFoundMessage =
    "The API does not exist or has not been published in the environment.";

// The request target as sent: the signature covers the raw path and query,
// while routing looks at the decoded path.
struct Target {
  std::string raw_path;
  std::string raw_query;
  std::string path;
};

Target target_of(const httplib::Request& request);

// What a part decided to answer; written out by the gateway (Gateway::finish).
struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = kJsonContentType;
  std::string error_code;  // for the request record
  std::vector<std::pair<std::string, std::string>> headers;
};

Reply json_reply(int status, const nlohmann::json& body);
// The gateway's and OCR's error envelope.
Reply api_error(int status, std::string_view code, const std::string& message, const std::string& request_id);
// 401 APIG.0301 "Incorrect IAM authentication information: <reason>".
Reply auth_error(const std::string& reason, const std::string& request_id);
Reply api_not_found(const std::string& request_id);
// IAM (Keystone) errors have their own shape.
Reply keystone_error(int status, const std::string& message);

}  // namespace hwocr::testing::detail
