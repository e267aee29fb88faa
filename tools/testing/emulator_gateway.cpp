// The gateway: routing, faults and scripted answers, authentication, the
// project check, and writing and recording each reply.
#include "emulator_gateway.h"

#include <algorithm>
#include <utility>

#include "auth/canonical.h"
#include "emulator_auth.h"
#include "emulator_ocr.h"
#include "emulator_support.h"

namespace hwocr::testing::detail {

Gateway::Gateway(Options options, std::function<std::string()> endpoint)
    : options_(std::move(options)), endpoint_(std::move(endpoint)), iam_(options_) {}

void Gateway::serve(const httplib::Request& request, httplib::Response& response) {
  const std::string request_id = new_request_id();
  const Target target = target_of(request);
  const Route route = route_of(request.method, target.path);
  const Reply reply = dispatch(request, target, route, request_id);
  finish(request, target, route, reply, request_id, response);
}

httplib::Server::HandlerResponse Gateway::answer_unserved(const httplib::Request& request,
                                                          httplib::Response& response) {
  if (response.has_header("X-Request-Id")) return httplib::Server::HandlerResponse::Unhandled;  // ours
  const std::string request_id = new_request_id();
  Reply reply;
  if (response.status == 404) {
    reply = api_not_found(request_id);
  } else if (response.status == 413) {
    reply = api_error(413, "ModelArts.4104", "Invalid Request Content Length.", request_id);
    reply.headers.emplace_back("Connection", "close");  // the body was not read
  } else if (response.status >= 500) {
    reply = api_error(response.status, "ModelArts.4505", "Backend service internal error.", request_id);
  } else {
    reply = api_error(response.status, "ModelArts.4202", "Request url format invalid.", request_id);
  }
  const Target target = target_of(request);
  finish(request, target, route_of(request.method, target.path), reply, request_id, response);
  return httplib::Server::HandlerResponse::Handled;
}

Gateway::Route Gateway::route_of(const std::string& method, const std::string& path) {
  Route route;
  if (path == "/v3/auth/tokens") {
    if (method == "POST") route.kind = Route::Kind::kToken;
  } else if (path == "/v3/projects") {
    if (method == "GET") route.kind = Route::Kind::kProjects;
  } else if (method == "POST") {
    // /v2/{project_id}/ocr/{api}
    const auto segments = split(path, '/');
    if (segments.size() == 5 && segments[0].empty() && segments[1] == "v2" && !segments[2].empty() &&
        segments[3] == "ocr" && !segments[4].empty()) {
      route.kind = Route::Kind::kOcr;
      route.project_id = std::string(segments[2]);
      route.api = std::string(segments[4]);
    }
  }
  return route;
}

Reply Gateway::dispatch(const httplib::Request& request, const Target& target, const Route& route,
                        const std::string& request_id) {
  // A faulted request never reaches the service, so it counts as a fault only.
  if (auto fault = scripts_.take_fault(target.path, route.api)) {
    recorder_.count(Recorder::Counter::kFault);
    scripts_.wait(fault->delay);
    return fault_reply(*fault, request_id);
  }
  switch (route.kind) {
    case Route::Kind::kToken:
      recorder_.count(Recorder::Counter::kTokenRequest);
      return iam_.issue_token(request, target, endpoint_());
    case Route::Kind::kProjects: {
      recorder_.count(Recorder::Counter::kProjectRequest);
      Caller caller;
      if (auto failure = authentication_failure(request, target, options_, iam_, recorder_, caller)) {
        return auth_error(*failure, request_id);
      }
      return iam_.list_projects(target, endpoint_());
    }
    case Route::Kind::kOcr:
      recorder_.count(Recorder::Counter::kOcrRequest);
      if (is_known_ocr_api(route.api) || scripts_.has_answer(route.api)) {
        return recognize(request, target, route, request_id);
      }
      return api_not_found(request_id);
    case Route::Kind::kUnknown: break;
  }
  return api_not_found(request_id);
}

Reply Gateway::recognize(const httplib::Request& request, const Target& target, const Route& route,
                         const std::string& request_id) {
  Caller caller;
  if (auto failure = authentication_failure(request, target, options_, iam_, recorder_, caller)) {
    return auth_error(*failure, request_id);
  }
  // The path's project must be this region's project, and agree with the
  // token's scope and the X-Project-Id header when those are given.
  if (route.project_id != iam_.ocr_project_id()) {
    return auth_error("project " + route.project_id + " is not this account's project in " + options_.region,
                      request_id);
  }
  if (!caller.token_project_id.empty() && caller.token_project_id != route.project_id) {
    return auth_error("the token is scoped to another project than the one in the URL", request_id);
  }
  if (request.has_header("X-Project-Id") &&
      internal::trim_header_value(request.get_header_value("X-Project-Id")) != route.project_id) {
    return auth_error("X-Project-Id does not match the project in the URL", request_id);
  }
  // Not enabled for this account in this region (Options::disabled_apis).
  if (std::find(options_.disabled_apis.begin(), options_.disabled_apis.end(), route.api) !=
      options_.disabled_apis.end()) {
    return api_error(403, "ModelArts.4204", "Access api error! Not subscribe this api.", request_id);
  }
  // A scripted answer stands in for the service, whatever the body.
  if (auto answer = scripts_.take_answer(route.api)) {
    recorder_.count(Recorder::Counter::kScriptedAnswer);
    scripts_.wait(answer->delay);
    return scripted_reply(*answer, request_id);
  }
  if (!is_known_ocr_api(route.api)) return api_not_found(request_id);  // its script ran out meanwhile
  scripts_.wait(options_.answer_delay);  // Options::answer_delay (ends early on stop())
  OcrOutcome outcome = detail::recognize(route.api, request.body);
  if (!outcome.error_code.empty()) {
    return api_error(outcome.status, outcome.error_code, outcome.error_msg, request_id);
  }
  Reply reply;
  reply.body = std::move(outcome.body);
  return reply;
}

void Gateway::finish(const httplib::Request& request, const Target& target, const Route& route,
                     const Reply& reply, const std::string& request_id, httplib::Response& response) {
  response.status = reply.status;
  response.set_header("X-Request-Id", request_id);
  response.set_header("Date", http_date(SystemClock::now()));
  for (const auto& [name, value] : reply.headers) response.set_header(name, value);
  if (reply.body.empty()) {
    response.body.clear();
    response.set_header("Content-Type", reply.content_type);
  } else {
    response.set_content(reply.body, reply.content_type);
  }
  recorder_.record(request, target, reply, request_id, route.kind == Route::Kind::kOcr ? route.api : "");
}

}  // namespace hwocr::testing::detail
