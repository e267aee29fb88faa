// Cancelling calls: a CancellationSource hands out tokens; put one in
// CallOptions::cancel, and source.cancel() ends every call holding it --
// while it waits for a project id or a token, mid-upload, mid-download, or
// between retries -- with an ErrorCategory::kCancelled error.
//   hwocr::CancellationSource stop;
//   hwocr::CallOptions call;
//   call.cancel = stop.token();
//   auto future = client.recognize_id_card_async(image, {}, call);
//   ...
//   stop.cancel();  // from any thread
#pragma once

#include <memory>

namespace hwocr {

namespace internal {
class CancelState;
}  // namespace internal

// What a call checks. Copies share their source; a default-constructed token
// is never cancelled. Cheap to copy, safe to use from any thread.
class CancellationToken {
 public:
  CancellationToken() = default;
  bool cancelled() const noexcept;

  // For hwocr's own layers: the shared state, or null for a token that is
  // never cancelled.
  const std::shared_ptr<internal::CancelState>& state() const noexcept { return state_; }

 private:
  friend class CancellationSource;
  explicit CancellationToken(std::shared_ptr<internal::CancelState> state) noexcept : state_(std::move(state)) {}
  std::shared_ptr<internal::CancelState> state_;
};

// Owns the decision to cancel. Copies share it.
class CancellationSource {
 public:
  CancellationSource();
  // Idempotent; wakes every call holding one of its tokens.
  void cancel() noexcept;
  bool cancelled() const noexcept;
  CancellationToken token() const noexcept { return CancellationToken(state_); }

 private:
  std::shared_ptr<internal::CancelState> state_;
};

}  // namespace hwocr
