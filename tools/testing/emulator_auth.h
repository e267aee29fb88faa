// The gateway's authentication of a request: an AK/SK signature
// (SDK-HMAC-SHA256, rebuilt from the request as it arrived) or an IAM token.
// Private to hwocr_testing.
#pragma once

#include <optional>
#include <string>

#include <httplib.h>

#include "emulator_iam.h"
#include "emulator_messages.h"
#include "emulator_recording.h"
#include "hwocr/testing/emulator.h"

namespace hwocr::testing::detail {

// Who a request authenticated as.
struct Caller {
  std::string token_project_id;  // "" for AK/SK
};

// Why the request is refused (the text after "Incorrect IAM authentication
// information: "), or nullopt with `caller` filled in. Counts AK/SK requests
// accepted with UNSIGNED-PAYLOAD in `recorder`.
std::optional<std::string> authentication_failure(const httplib::Request& request, const Target& target,
                                                  const Options& options, const Iam& iam, Recorder& recorder,
                                                  Caller& caller);

// Why the AK/SK signature of the request does not verify, or nullopt.
std::optional<std::string> signature_failure(const httplib::Request& request, const Target& target,
                                             const Options& options);

}  // namespace hwocr::testing::detail
