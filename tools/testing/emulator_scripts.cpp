// Faults and scripted answers: which request gets one, and what is sent.
#include "emulator_scripts.h"

#include <algorithm>

#include "emulator_support.h"

namespace hwocr::testing::detail {
namespace {

using nlohmann::json;

const char* reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Temporarily Unavailable";
    case 504: return "Gateway Time-out";
    default: return "Error";
  }
}

// The error a real deployment answers with for each status a test injects.
std::pair<std::string_view, std::string_view> fault_error(int status) {
  switch (status) {
    case 400: return {"AIS.0101", "The input parameter is invalid."};
    case 401: return {kAuthFailure, "Incorrect IAM authentication information: token expires"};
    case 403: return {"ModelArts.4203", "Access denied! You do not have permission."};
    case 404: return {kApiNotFound, kApiNotFoundMessage};
    case 413: return {"ModelArts.4104", "Invalid Request Content Length."};
    case 429:
      return {"APIG.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute"};
    case 502: return {"ModelArts.4502", "Backend service response error."};
    case 503: return {"ModelArts.4403", "Backend service unavailable error."};
    case 504: return {"APIG.0201", "Backend timeout."};
    default:
      return status >= 500 ? std::pair<std::string_view, std::string_view>{"ModelArts.4505", "Backend service internal error."}
                           : std::pair<std::string_view, std::string_view>{"AIS.0101", "The input parameter is invalid."};
  }
}

// A body sent as given: JSON or text, its error_code recorded.
void set_literal_body(Reply& reply, const std::string& body) {
  reply.body = body;
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  reply.content_type = parsed.is_discarded() ? "text/plain" : kJsonContentType;
  if (parsed.is_object() && parsed.contains("error_code") && parsed["error_code"].is_string()) {
    reply.error_code = parsed["error_code"].get<std::string>();
  }
}

}  // namespace

void Scripts::add_fault(Fault fault) {
  if (fault.times == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.push_back(std::move(fault));
}

void Scripts::clear_faults() {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.clear();
}

std::optional<Fault> Scripts::take_fault(std::string_view path, std::string_view api) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto fault = std::find_if(faults_.begin(), faults_.end(), [&](const Fault& f) {
    return contains(path, f.path_contains) && (f.api.empty() || f.api == api);
  });
  if (fault == faults_.end()) return std::nullopt;
  Fault applied = *fault;
  if (fault->times > 0 && --fault->times == 0) faults_.erase(fault);
  return applied;
}

void Scripts::add_answer(std::string api, Answer answer) {
  if (answer.times == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  answers_.emplace_back(std::move(api), std::move(answer));
}

void Scripts::clear_answers() {
  std::lock_guard<std::mutex> lock(mutex_);
  answers_.clear();
}

bool Scripts::has_answer(std::string_view api) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::any_of(answers_.begin(), answers_.end(), [&](const auto& entry) { return entry.first == api; });
}

std::optional<Answer> Scripts::take_answer(std::string_view api) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto entry =
      std::find_if(answers_.begin(), answers_.end(), [&](const auto& e) { return e.first == api; });
  if (entry == answers_.end()) return std::nullopt;
  Answer applied = entry->second;
  if (entry->second.times > 0 && --entry->second.times == 0) answers_.erase(entry);
  return applied;
}

void Scripts::wait(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return;
  std::unique_lock<std::mutex> lock(mutex_);
  // Interrupted by stop(), which would otherwise wait for the whole delay.
  stopping_changed_.wait_for(lock, delay, [this] { return stopping_; });
}

void Scripts::set_stopping(bool stopping) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = stopping;
  }
  stopping_changed_.notify_all();
}

Reply fault_reply(const Fault& fault, const std::string& request_id) {
  Reply reply;
  if (fault.body.empty()) {
    const auto [code, message] = fault_error(fault.status);
    reply = api_error(fault.status, code, std::string(message), request_id);
  } else if (fault.body == "html") {
    // What an nginx in front of the gateway answers when the gateway is down.
    const std::string title = std::to_string(fault.status) + " " + reason_phrase(fault.status);
    reply.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
                 "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    reply.content_type = "text/html";
  } else if (fault.body != "empty") {
    set_literal_body(reply, fault.body);
  }
  reply.status = fault.status;
  if (!fault.retry_after.empty()) reply.headers.emplace_back("Retry-After", fault.retry_after);
  return reply;
}

Reply scripted_reply(const Answer& answer, const std::string& request_id) {
  Reply reply;
  if (answer.body.empty() && answer.status >= 400) {
    const auto [code, message] = fault_error(answer.status);
    reply = api_error(answer.status, code, std::string(message), request_id);
  } else {
    set_literal_body(reply, answer.body);
  }
  reply.status = answer.status;
  reply.headers = answer.headers;
  return reply;
}

}  // namespace hwocr::testing::detail
