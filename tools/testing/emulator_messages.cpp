// Request targets, replies and the error envelopes of the gateway, OCR and IAM.
#include "emulator_messages.h"

#include "common/url.h"

namespace hwocr::testing::detail {
namespace {

constexpr std::string_view kAuthFailurePrefix = "Incorrect IAM authentication information: ";

}  // namespace

Target target_of(const httplib::Request& request) {
  Target target;
  const std::string_view raw = request.target.empty() ? std::string_view(request.path) : request.target;
  const auto question = raw.find('?');
  target.raw_path = std::string(raw.substr(0, question));
  if (question != std::string_view::npos) target.raw_query = std::string(raw.substr(question + 1));
  target.path = internal::percent_decode(target.raw_path);
  return target;
}

Reply json_reply(int status, const nlohmann::json& body) {
  Reply reply;
  reply.status = status;
  reply.body = body.dump();
  return reply;
}

Reply api_error(int status, std::string_view code, const std::string& message, const std::string& request_id) {
  Reply reply = json_reply(status, {{"error_code", code}, {"error_msg", message}, {"request_id", request_id}});
  reply.error_code = std::string(code);
  return reply;
}

Reply auth_error(const std::string& reason, const std::string& request_id) {
  return api_error(401, kAuthFailure, std::string(kAuthFailurePrefix) + reason, request_id);
}

Reply api_not_found(const std::string& request_id) {
  return api_error(404, kApiNotFound, std::string(kApiNotFoundMessage), request_id);
}

Reply keystone_error(int status, const std::string& message) {
  const char* title = status == 401 ? "Unauthorized" : status == 403 ? "Forbidden" : "Bad Request";
  Reply reply = json_reply(status, {{"error", {{"code", status}, {"message", message}, {"title", title}}}});
  reply.error_code = std::to_string(status);  // what clients derive from a body without error_code
  return reply;
}

}  // namespace hwocr::testing::detail
