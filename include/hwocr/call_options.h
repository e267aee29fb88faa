// Per-call settings that override the client's (ClientConfig) for one call.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "hwocr/cancellation.h"
#include "hwocr/config.h"

namespace hwocr {

struct CallOptions {
  std::optional<std::chrono::milliseconds> timeout;  // per attempt
  // The call's retry, backoff, deadline and idempotency policy.
  std::optional<RetryPolicy> retry;
  std::optional<std::string> enterprise_project_id;
  // Cancels the call from another thread (see <hwocr/cancellation.h>): it
  // then ends with ErrorCategory::kCancelled, whatever it was doing.
  CancellationToken cancel;
};

}  // namespace hwocr
