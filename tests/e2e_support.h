// What the end-to-end tests share: an emulator on 127.0.0.1 per test and
// clients pointed at it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator.h"
#include "hwocr/cards.h"
#include "hwocr/classification.h"
#include "hwocr/hwocr.h"
#include "hwocr/invoices.h"
#include "hwocr/text.h"

namespace hwocr::testing {

inline const emulator::AccessKey& default_key() {
  static const emulator::Options defaults;
  return defaults.access_keys.front();
}
inline const emulator::IamUser& default_user() {
  static const emulator::Options defaults;
  return defaults.users.front();
}

// Collects log lines (the client may log from several threads).
class LogSink {
 public:
  LogCallback callback() {
    return [this](LogLevel level, std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.push_back(std::string(to_string(level)) + ": " + std::string(line));
    };
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }
  std::string all() const {
    std::string text;
    for (const auto& line : lines()) text += line + "\n";
    return text;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

class EmulatorTest : public ::testing::Test {
 protected:
  // Override to change the emulator before it starts.
  virtual emulator::Options emulator_options() { return {}; }

  void SetUp() override {
    server_ = std::make_unique<emulator::Emulator>(emulator_options());
    std::string error;
    ASSERT_TRUE(server_->start(&error)) << error;
  }

  emulator::Emulator& server() { return *server_; }

  // A client for the emulator; retries are quick so failing tests stay fast.
  ClientConfig config() {
    ClientConfig c;
    c.region = server_->options().region;
    c.endpoint = server_->endpoint();
    c.iam_endpoint = server_->endpoint();
    c.retry.initial_backoff = std::chrono::milliseconds(1);
    c.retry.max_backoff = std::chrono::milliseconds(2000);
    c.log = log_.callback();
    return c;
  }

  std::shared_ptr<AkSkSigner> signer() {
    return std::make_shared<AkSkSigner>(default_key().ak, default_key().sk, default_key().security_token);
  }
  std::shared_ptr<TokenAuthenticator> token_auth(TokenOptions options = {}) {
    return std::make_shared<TokenAuthenticator>(default_user().name, default_user().password, default_user().domain,
                                                options);
  }

  LogSink log_;

 private:
  std::unique_ptr<emulator::Emulator> server_;
};

}  // namespace hwocr::testing
