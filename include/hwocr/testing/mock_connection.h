// A gMock mock of hwocr::OcrConnection, the seam under OcrClient: test your
// own code's use of OcrClient without a network or an emulator.
//
//   auto mock = std::make_shared<::testing::NiceMock<hwocr::testing::MockOcrConnection>>();
//   EXPECT_CALL(*mock, send(::testing::Field(&hwocr::OcrRequest::api, "id-card")))
//       .WillOnce(::testing::Return(hwocr::testing::answer(R"({"result":{"name":"Zhang San"}})")));
//   hwocr::OcrClient client(mock);
//   EXPECT_EQ(client.recognize_id_card(hwocr::Image::from_bytes("x"))->name, "Zhang San");
//
// OcrRequest::api is the API's name ("id-card"), OcrRequest::body the JSON
// text sent (Base64 image included). Unless told otherwise:
// - send_async calls send and then the completion, so expectations on send
//   cover asynchronous calls too;
// - send returns an internal error naming the API ("no answer scripted"),
//   so an unexpected call fails as a call, not as a crash;
// - project_id returns "test-project-id"; wants_body_sha256 returns false;
//   config returns the ClientConfig given to set_config (default-constructed).
// OcrClient also asks wants_body_sha256() and config(): NiceMock keeps gMock
// from noting those calls. Header-only; link hwocr::testing.
#pragma once

#include <gmock/gmock.h>

#include <string>
#include <utility>

#include "hwocr/connection.h"
#include "hwocr/testing/answers.h"

namespace hwocr::testing {

class MockOcrConnection : public OcrConnection {
 public:
  MockOcrConnection() {
    using ::testing::_;
    ON_CALL(*this, send(_)).WillByDefault([](const OcrRequest& request) -> Result<OcrAnswer> {
      Error error;
      error.category = ErrorCategory::kInternal;
      error.error_msg = "MockOcrConnection: no answer scripted for send() of " + request.api;
      return error;
    });
    ON_CALL(*this, send_async(_, _)).WillByDefault([this](OcrRequest request, Completion done) {
      done(send(std::move(request)));
    });
    ON_CALL(*this, project_id(_)).WillByDefault([](const CallOptions&) -> Result<std::string> {
      return std::string("test-project-id");
    });
    ON_CALL(*this, wants_body_sha256()).WillByDefault(::testing::Return(false));
    ON_CALL(*this, config()).WillByDefault(::testing::ReturnRef(config_));
  }

  MOCK_METHOD(Result<OcrAnswer>, send, (OcrRequest request), (override));
  MOCK_METHOD(void, send_async, (OcrRequest request, Completion done), (override));
  MOCK_METHOD(Result<std::string>, project_id, (const CallOptions& options), (override));
  MOCK_METHOD(bool, wants_body_sha256, (), (const, noexcept, override));
  MOCK_METHOD(const ClientConfig&, config, (), (const, noexcept, override));

  // What config() returns by default. Set it before the client is built.
  void set_config(ClientConfig config) { config_ = std::move(config); }

 private:
  ClientConfig config_;
};

}  // namespace hwocr::testing
