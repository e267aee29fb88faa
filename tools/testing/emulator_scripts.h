// What a test told the emulator to answer instead of serving a request:
// faults (the gateway failing, before authentication) and scripted answers
// per OCR API (instead of the emulated result). Private to hwocr_testing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator_messages.h"
#include "hwocr/testing/emulator.h"

namespace hwocr::testing::detail {

class Scripts {
 public:
  void add_fault(Fault fault);
  void clear_faults();
  // The first fault matching the decoded path and the OCR API ("" for a
  // path that is not an OCR call), counted down; nullopt when none.
  std::optional<Fault> take_fault(std::string_view path, std::string_view api);

  void add_answer(std::string api, Answer answer);
  void clear_answers();
  bool has_answer(std::string_view api) const;
  // The first answer scripted for `api`, counted down; nullopt when none.
  std::optional<Answer> take_answer(std::string_view api);

  // Waits `delay`, or until stopping is set.
  void wait(std::chrono::milliseconds delay);
  void set_stopping(bool stopping);

 private:
  mutable std::mutex mutex_;
  std::condition_variable stopping_changed_;
  bool stopping_ = false;
  std::vector<Fault> faults_;
  std::vector<std::pair<std::string, Answer>> answers_;
};

// The reply a real deployment sends for the fault.
Reply fault_reply(const Fault& fault, const std::string& request_id);
// The reply for a scripted answer (see Answer).
Reply scripted_reply(const Answer& answer, const std::string& request_id);

}  // namespace hwocr::testing::detail
