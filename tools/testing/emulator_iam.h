// The two IAM calls clients make -- password tokens (POST /v3/auth/tokens)
// and the project lookup (GET /v3/projects) -- and the tokens issued, which
// the gateway checks X-Auth-Token against. Private to hwocr_testing.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <httplib.h>

#include "emulator_messages.h"
#include "hwocr/testing/emulator.h"

namespace hwocr::testing::detail {

class Iam {
 public:
  explicit Iam(const Options& options);

  // The first project named after the region: the one OCR paths must use.
  const std::string& ocr_project_id() const { return ocr_project_id_; }

  // POST /v3/auth/tokens (auth.md §B.1, B.2): no signature, password in the
  // body. `endpoint`: the emulator's, for the token's catalog.
  Reply issue_token(const httplib::Request& request, const Target& target, const std::string& endpoint);
  // GET /v3/projects[?name=region] (auth.md §B.5), once the gateway has
  // authenticated the request.
  Reply list_projects(const Target& target, const std::string& endpoint) const;

  // Why `token` is refused ("decrypt token fail", "token expires"), or
  // nullopt with the project it is scoped to in `project_id`.
  std::optional<std::string> token_failure(const std::string& token, std::string& project_id) const;
  // Every token issued so far is answered as expired from now on.
  void expire_tokens();

 private:
  struct IssuedToken {
    std::string project_id;
    std::chrono::system_clock::time_point expires_at;
    bool revoked = false;  // expire_tokens()
  };

  const Options& options_;
  std::string ocr_project_id_;
  std::string account_domain_;  // name of the account the projects belong to
  mutable std::mutex mutex_;
  std::unordered_map<std::string, IssuedToken> tokens_;
};

}  // namespace hwocr::testing::detail
