// IAM: password tokens and the project lookup.
#include "emulator_iam.h"

#include <algorithm>
#include <utility>

#include "common/crypto.h"
#include "emulator_support.h"

namespace hwocr::testing::detail {
namespace {

using nlohmann::json;

}  // namespace

Iam::Iam(const Options& options) : options_(options) {
  for (const auto& project : options_.projects) {
    if (project.name == options_.region) {
      ocr_project_id_ = project.id;
      break;
    }
  }
  account_domain_ = options_.users.empty() ? "hwocr-account" : options_.users.front().domain;
}

Reply Iam::issue_token(const httplib::Request& request, const Target& target, const std::string& endpoint) {
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  const json* methods = find_path(body, {"auth", "identity", "methods"});
  const std::string* name = string_at(body, {"auth", "identity", "password", "user", "name"});
  const std::string* password = string_at(body, {"auth", "identity", "password", "user", "password"});
  const std::string* domain = string_at(body, {"auth", "identity", "password", "user", "domain", "name"});
  if (body.is_discarded() || !methods || !methods->is_array() || !name || !password || !domain) {
    return keystone_error(400, "The request body is malformed: auth.identity.methods and "
                               "auth.identity.password.user.{name,password,domain.name} are required.");
  }
  if (std::find(methods->begin(), methods->end(), "password") == methods->end()) {
    return keystone_error(400, "auth.identity.methods must include \"password\".");
  }
  const auto user = std::find_if(options_.users.begin(), options_.users.end(), [&](const IamUser& u) {
    return u.name == *name && u.domain == *domain && internal::equal_constant_time(u.password, *password);
  });
  if (user == options_.users.end()) return keystone_error(401, "The username or password is wrong.");

  const std::string* scope_id = string_at(body, {"auth", "scope", "project", "id"});
  const std::string* scope_name = string_at(body, {"auth", "scope", "project", "name"});
  if (!scope_id && !scope_name) {
    return keystone_error(400, "OCR needs a project-scoped token: set auth.scope.project.name or .id.");
  }
  const auto project = std::find_if(options_.projects.begin(), options_.projects.end(), [&](const Project& p) {
    return scope_id ? p.id == *scope_id : p.name == *scope_name;
  });
  if (project == options_.projects.end()) {
    return keystone_error(401, "The project in auth.scope does not exist in this account.");
  }

  const auto now = SystemClock::now();
  const auto expires_at = now + options_.token_lifetime;
  const std::string token = new_token();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tokens_[token] = IssuedToken{project->id, expires_at, false};
  }
  const json domain_json = {{"id", stable_id("domain", user->domain)}, {"name", user->domain}};
  json token_json = {
      {"expires_at", iam_time(expires_at)},
      {"issued_at", iam_time(now)},
      {"methods", json::array({"password"})},
      {"project", {{"id", project->id}, {"name", project->name}, {"domain", domain_json}}},
      {"user",
       {{"id", stable_id("user", user->domain + "/" + user->name)},
        {"name", user->name},
        {"domain", domain_json},
        {"password_expires_at", ""}}},
      {"roles", json::array({{{"id", stable_id("role", "te_admin")}, {"name", "te_admin"}},
                             {{"id", stable_id("role", "ocr_adm")}, {"name", "ocr_adm"}}})}};
  // nocatalog: any non-empty value leaves the catalog out.
  if (query_value(target.raw_query, "nocatalog").value_or("").empty()) {
    const auto service = [&](const char* type, const std::string& region, const std::string& url) {
      return json{{"id", stable_id("service", type)},
                  {"name", type},
                  {"type", type},
                  {"endpoints", json::array({{{"id", stable_id("endpoint", type)},
                                              {"interface", "public"},
                                              {"region", region},
                                              {"region_id", region},
                                              {"url", url}}})}};
    };
    token_json["catalog"] =
        json::array({service("iam", "*", endpoint + "/v3"), service("ocr", options_.region, endpoint)});
  }
  Reply reply = json_reply(201, {{"token", std::move(token_json)}});
  reply.headers.emplace_back("X-Subject-Token", token);
  return reply;
}

Reply Iam::list_projects(const Target& target, const std::string& endpoint) const {
  const std::optional<std::string> name = query_value(target.raw_query, "name");
  const std::string domain_id = stable_id("domain", account_domain_);
  json projects = json::array();
  for (const auto& project : options_.projects) {
    if (name && project.name != *name) continue;
    projects.push_back({{"id", project.id},
                        {"name", project.name},
                        {"domain_id", domain_id},
                        {"parent_id", domain_id},
                        {"is_domain", false},
                        {"enabled", true},
                        {"description", ""},
                        {"links", {{"self", endpoint + "/v3/projects/" + project.id}}}});
  }
  std::string self = endpoint + "/v3/projects";
  if (!target.raw_query.empty()) self += "?" + target.raw_query;
  return json_reply(200, {{"projects", std::move(projects)},
                          {"links", {{"self", self}, {"previous", nullptr}, {"next", nullptr}}}});
}

std::optional<std::string> Iam::token_failure(const std::string& token, std::string& project_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto issued = tokens_.find(token);
  if (issued == tokens_.end()) return std::string("decrypt token fail");
  if (issued->second.revoked || SystemClock::now() >= issued->second.expires_at) {
    return std::string("token expires");
  }
  project_id = issued->second.project_id;
  return std::nullopt;
}

void Iam::expire_tokens() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& entry : tokens_) entry.second.revoked = true;
}

}  // namespace hwocr::testing::detail
