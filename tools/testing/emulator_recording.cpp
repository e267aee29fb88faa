// Counters and the record of the last requests.
#include "emulator_recording.h"

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "emulator_support.h"

namespace hwocr::testing {

std::string ReceivedRequest::header(std::string_view name) const {
  const std::string wanted = detail::lower(name);
  for (const auto& [key, value] : headers) {
    if (detail::lower(key) == wanted) return value;
  }
  return {};
}

bool ReceivedRequest::has_header(std::string_view name) const {
  const std::string wanted = detail::lower(name);
  for (const auto& entry : headers) {
    if (detail::lower(entry.first) == wanted) return true;
  }
  return false;
}

namespace detail {
namespace {

constexpr std::size_t kRecordedRequestLimit = 1000;

}  // namespace

void Recorder::count(Counter counter) {
  std::lock_guard<std::mutex> lock(mutex_);
  switch (counter) {
    case Counter::kTokenRequest: ++stats_.token_requests; break;
    case Counter::kProjectRequest: ++stats_.project_requests; break;
    case Counter::kOcrRequest: ++stats_.ocr_requests; break;
    case Counter::kUnsignedPayload: ++stats_.unsigned_payload_requests; break;
    case Counter::kFault: ++stats_.faults_injected; break;
    case Counter::kScriptedAnswer: ++stats_.scripted_answers; break;
  }
}

void Recorder::record(const httplib::Request& request, const Target& target, const Reply& reply,
                      const std::string& request_id, std::string api) {
  ReceivedRequest record;
  record.method = request.method;
  record.path = target.raw_path;
  record.query = target.raw_query;
  record.api = std::move(api);
  for (const auto& [name, value] : request.headers) {
    // httplib adds the connection's addresses as pseudo-headers.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT") continue;
    record.headers.emplace_back(name, value);
  }
  record.body_size = request.body.size();
  record.body_sha256 = internal::sha256_hex(request.body);
  if (auto body = nlohmann::json::parse(request.body, nullptr, false); body.is_object()) {
    body.erase("image");
    body.erase("data");
    record.options_json = body.dump();
  }
  record.status = reply.status;
  record.error_code = reply.error_code;
  record.request_id = request_id;

  std::lock_guard<std::mutex> lock(mutex_);
  if (reply.status == 401) ++stats_.auth_failures;
  recorded_.push_back(std::move(record));
  if (recorded_.size() > kRecordedRequestLimit) recorded_.pop_front();
}

Stats Recorder::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

std::vector<ReceivedRequest> Recorder::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {recorded_.begin(), recorded_.end()};
}

std::vector<ReceivedRequest> Recorder::requests(std::string_view api) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ReceivedRequest> matching;
  for (const auto& record : recorded_) {
    if (record.api == api) matching.push_back(record);
  }
  return matching;
}

void Recorder::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  recorded_.clear();
}

}  // namespace detail
}  // namespace hwocr::testing
