// Reading the service's error answers.
#include <nlohmann/json.hpp>

#include "model/error_body.h"
#include "common/json_document.h"
#include "common/text.h"

namespace hwocr::internal {
namespace {

std::string as_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return {};
  // Depth is bounded by parse_json; replacement keeps invalid UTF-8 from throwing.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Finds a code/message pair the way the official SDKs do: error_code +
// error_msg, errorCode + errorMsg, code + message, else inside nested objects
// (IAM answers {"error": {"code": 401, "message": ...}}).
bool find_code_and_message(const nlohmann::json& body, std::string& code, std::string& message,
                           int depth = 0) {
  if (!body.is_object() || depth > 3) return false;
  static constexpr std::pair<const char*, const char*> kStyles[] = {
      {"error_code", "error_msg"}, {"errorCode", "errorMsg"}, {"code", "message"}};
  for (const auto& [code_key, message_key] : kStyles) {
    const auto c = body.find(code_key);
    const auto m = body.find(message_key);
    if (c != body.end() || m != body.end()) {
      if (c != body.end()) code = as_text(*c);
      if (m != body.end()) message = as_text(*m);
      return true;
    }
  }
  for (const auto& item : body.items()) {
    if (find_code_and_message(item.value(), code, message, depth + 1)) return true;
  }
  return false;
}

std::string reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "HTTP status " + std::to_string(status);
  }
}

// A short readable description of a body that is not JSON (a proxy's HTML page).
std::string describe_text_body(const std::string& body) {
  const auto title_start = body.find("<title>");
  if (title_start != std::string::npos) {
    const auto begin = title_start + 7;
    const auto end = body.find("</title>", begin);
    if (end != std::string::npos && end - begin < 200) return body.substr(begin, end - begin);
  }
  std::string text;
  bool in_tag = false;
  for (const char c : body) {
    if (c == '<') in_tag = true;
    else if (c == '>') in_tag = false;
    else if (!in_tag) text.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
    if (text.size() >= 200) break;
  }
  const auto first = text.find_first_not_of(' ');
  return first == std::string::npos ? std::string() : text.substr(first);
}

ErrorCategory category_for(int status, const std::string& code) {
  if (status == 429 || code == "APIG.0308" || code == "ModelArts.4401") return ErrorCategory::kThrottled;
  if (status == 401 || status == 403) return ErrorCategory::kAuth;
  if (status >= 500) return ErrorCategory::kServer;
  return ErrorCategory::kClient;
}

}  // namespace

bool is_retryable_status(int status) noexcept {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::string request_id_of(const HttpResponse& response) {
  const std::string* id = response.headers.find("X-Request-Id");
  return id ? printable_text(*id, kMaxOutsideTokenBytes) : std::string();
}

Error error_from_response(const HttpResponse& response) {
  Error error;
  error.http_status = response.status;
  error.request_id = request_id_of(response);
  std::string why;
  const auto body = parse_json(response.body, JsonRepair::kDropBadValues, &why);
  bool unreadable_json = false;
  if (body) {
    std::string code, message;
    find_code_and_message(*body, code, message);
    error.error_code = printable_text(code, kMaxOutsideTokenBytes);
    error.error_msg = printable_text(message);
    if (error.request_id.empty() && body->is_object()) {
      if (const auto id = body->find("request_id"); id != body->end()) {
        error.request_id = printable_text(as_text(*id), kMaxOutsideTokenBytes);
      }
    }
  } else if (const auto first = response.body.find_first_not_of(" \t\r\n");
             first != std::string::npos && (response.body[first] == '{' || response.body[first] == '[')) {
    // It meant to be JSON and cannot be read (too deep, broken): say so.
    unreadable_json = true;
    error.error_msg = "HTTP " + std::to_string(response.status) + " error body is not readable JSON: " + why;
  } else if (!response.body.empty()) {
    error.error_msg = printable_text(describe_text_body(response.body));
  }
  if (error.error_msg.empty()) {
    error.error_msg = reason_phrase(response.status) + (response.body.empty() ? " (empty body)" : "");
  }
  if (error.error_code.empty()) error.error_code = std::to_string(response.status);
  error.category = unreadable_json ? ErrorCategory::kParse : category_for(response.status, error.error_code);
  error.retryable = is_retryable_status(response.status) || error.category == ErrorCategory::kThrottled;
  error.response_body = response.body;
  return error;
}

}  // namespace hwocr::internal
