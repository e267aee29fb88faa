// What the emulator saw: counters (Stats) and the last requests with what
// they were answered (ReceivedRequest). Private to hwocr_testing.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "emulator_messages.h"
#include "hwocr/testing/emulator.h"

namespace hwocr::testing::detail {

class Recorder {
 public:
  enum class Counter { kTokenRequest, kProjectRequest, kOcrRequest, kUnsignedPayload, kFault, kScriptedAnswer };

  void count(Counter counter);
  // Records the request and its reply (a 401 counts as an auth failure).
  // `api`: the OCR API the path addresses, "" for other paths.
  void record(const httplib::Request& request, const Target& target, const Reply& reply,
              const std::string& request_id, std::string api);

  Stats stats() const;
  std::vector<ReceivedRequest> requests() const;
  std::vector<ReceivedRequest> requests(std::string_view api) const;
  void clear();

 private:
  mutable std::mutex mutex_;
  Stats stats_;
  std::deque<ReceivedRequest> recorded_;
};

}  // namespace hwocr::testing::detail
