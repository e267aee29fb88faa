// Small helpers the emulator's parts share: times in the formats the gateway
// and IAM use, random ids and tokens, strings and JSON navigation. Private to
// hwocr_testing.
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hwocr::testing::detail {

using SystemClock = std::chrono::system_clock;

// RFC 1123, as in the Date header: "Tue, 07 May 2024 08:12:31 GMT".
std::string http_date(SystemClock::time_point time);
// IAM's token times: "2020-01-04T09:08:49.965000Z".
std::string iam_time(SystemClock::time_point time);
// X-Sdk-Date: "20240507T081231Z".
std::string sdk_date(SystemClock::time_point time);
// X-Sdk-Date, exactly "YYYYMMDDTHHMMSSZ" and a real date.
std::optional<SystemClock::time_point> parse_sdk_date(std::string_view text);

// X-Request-Id: 32 lower-case hex digits, like the gateway's.
std::string new_request_id();
// Real tokens are several KB of Base64 CMS starting "MII"; this one only
// needs to look alike and be unguessable.
std::string new_token();
// Ids IAM would assign (32 hex digits), stable across runs.
std::string stable_id(std::string_view kind, std::string_view name);

std::string lower(std::string_view text);
std::vector<std::string_view> split(std::string_view text, char separator);
bool contains(std::string_view text, std::string_view part);
// The first value of `key` in a raw query string, decoded as the signature
// decodes it ('+' stays '+').
std::optional<std::string> query_value(std::string_view raw_query, std::string_view key);

// Members of nested JSON objects, without exceptions.
const nlohmann::json* find_path(const nlohmann::json& root, std::initializer_list<const char*> path);
const std::string* string_at(const nlohmann::json& root, std::initializer_list<const char*> path);

}  // namespace hwocr::testing::detail
