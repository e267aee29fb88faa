// Large bodies end to end against the emulator: the same bytes whatever the
// image's path and signing mode, the fused hash accepted by the AK/SK check,
// UNSIGNED-PAYLOAD accepted, body buffers shared by 8 threads, and an idle
// client's buffers given back.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "e2e_support.h"
#include "model/request_body.h"
#include "transport/curl_transport.h"

namespace hwocr::testing {
namespace {

// The demo PNG padded after IEND to `size` bytes (the emulator reads the header only).
std::string padded_png(std::size_t size, std::uint64_t seed = 1) {
  std::ifstream file(HWOCR_DEMO_IMAGE, std::ios::binary);
  std::string png((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::mt19937_64 random(seed);
  while (png.size() < size) png.push_back(static_cast<char>(random() & 0xff));
  return png;
}

// Forwards to libcurl and keeps what each request carried.
class RecordingTransport final : public HttpTransport {
 public:
  explicit RecordingTransport(const ClientConfig& config) : inner_(internal::make_curl_transport(config)) {}
  Result<HttpResponse> send(const HttpRequest& request, const TransportLimits& limits) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (request.url.find("/ocr/") != std::string::npos) sent_.push_back(request);
    }
    return inner_->send(request, limits);
  }
  std::vector<HttpRequest> sent() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }

 private:
  std::shared_ptr<HttpTransport> inner_;
  std::mutex mutex_;
  std::vector<HttpRequest> sent_;
};

class LargeBodyTest : public EmulatorTest {
 protected:
  // A worker per connection two clients of 8 threads keep open.
  emulator::Options emulator_options() override {
    emulator::Options options;
    options.worker_threads = 20;
    return options;
  }
  ClientConfig project_config(bool unsigned_payload) {
    ClientConfig c = config();
    c.project_id = server().options().projects.front().id;
    c.unsigned_payload = unsigned_payload;
    c.retry.max_attempts = 1;
    return c;
  }
};

TEST_F(LargeBodyTest, SameBodyFromFileBytesSignedOrUnsignedAndEachIsAccepted) {
  const std::string png = padded_png(700 * 1024 + 1);
  const std::string path = ::testing::TempDir() + "hwocr_large_body.png";
  std::ofstream(path, std::ios::binary) << png;
  IdCardOptions options;
  options.side = "front";
  options.return_verification = true;

  std::vector<HttpRequest> sent;
  for (const bool unsigned_payload : {false, true}) {
    ClientConfig c = project_config(unsigned_payload);
    auto recorder = std::make_shared<RecordingTransport>(c);
    c.transport = recorder;
    const OcrClient client(std::move(c), signer());
    for (const Image& image : {Image::from_bytes(png), Image::from_file(path)}) {
      auto card = client.recognize_id_card(image, options);
      ASSERT_TRUE(card) << card.error().message();  // the emulator checked the signature
      EXPECT_EQ(card->http_status, 200);
    }
    const auto url = client.recognize_id_card(Image::from_url("https://example.com/card.png"), options);
    ASSERT_TRUE(url) << url.error().message();
    for (const auto& request : recorder->sent()) sent.push_back(request);
  }
  std::remove(path.c_str());
  ASSERT_EQ(sent.size(), 6u);
  // bytes, file, url signed; then the same with UNSIGNED-PAYLOAD.
  std::string expected = "{      \"image\":\"";  // large: the Base64 starts 16-byte aligned
  internal::append_base64(expected, png);
  expected += "\",\"return_verification\":true,\"side\":\"front\"}";
  for (const std::size_t i : {0u, 1u, 3u, 4u}) EXPECT_TRUE(sent[i].body == expected) << "request " << i;
  EXPECT_EQ(sent[2].body, R"({"url":"https://example.com/card.png","return_verification":true,"side":"front"})");
  EXPECT_EQ(sent[5].body, sent[2].body);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    const std::string* declared = sent[i].headers.find("X-Sdk-Content-Sha256");
    if (i < 3) {
      EXPECT_EQ(declared, nullptr) << "request " << i;
    } else {
      ASSERT_NE(declared, nullptr) << "request " << i;
      EXPECT_EQ(*declared, "UNSIGNED-PAYLOAD");
      EXPECT_NE(sent[i].headers.find("Authorization")->find("x-sdk-content-sha256"), std::string::npos);
    }
  }
  EXPECT_EQ(server().stats().unsigned_payload_requests, 3u);
  EXPECT_EQ(server().stats().auth_failures, 0u);
}

// Over hwocr's own transport a large image's body is streamed: the emulator
// gets the very bytes the whole body has (its SHA-256 recorded), checks the
// signature made from the hash of a pass that kept nothing, and accepts
// UNSIGNED-PAYLOAD and tokens alike.
TEST_F(LargeBodyTest, StreamedBodiesAreTheWholeBodiesByteForByteAndAreAccepted) {
  const std::string png = padded_png(internal::kStreamedImageBytes + 1000 + 1);
  const std::string path = ::testing::TempDir() + "hwocr_streamed_body.png";
  std::ofstream(path, std::ios::binary) << png;
  IdCardOptions options;
  options.side = "front";
  std::string expected = "{      \"image\":\"";
  internal::append_base64(expected, png);
  expected += "\",\"side\":\"front\"}";
  const std::string expected_hash = internal::sha256_hex(expected);

  std::vector<OcrClient> clients;
  clients.emplace_back(project_config(false), signer());
  clients.emplace_back(project_config(true), signer());
  const auto& user = server().options().users.front();
  clients.emplace_back(project_config(false), std::make_shared<TokenAuthenticator>(user.name, user.password, user.domain));
  int calls = 0;
  for (const OcrClient& client : clients) {
    ASSERT_TRUE(client.connection()->accepts_body_stream());
    for (const Image& image : {Image::from_bytes(png), Image::from_file(path)}) {
      auto card = client.recognize_id_card(image, options);
      ASSERT_TRUE(card) << card.error().message();
      ++calls;
      const auto received = server().requests("id-card").back();
      EXPECT_EQ(received.body_size, expected.size());
      EXPECT_EQ(received.body_sha256, expected_hash) << "call " << calls;
      // The same streamed from the event loop's thread.
      auto async_card = client.recognize_id_card_async(image, options).get();
      ASSERT_TRUE(async_card) << async_card.error().message();
      EXPECT_EQ(server().requests("id-card").back().body_sha256, expected_hash) << "async call " << calls;
    }
  }
  std::remove(path.c_str());
  EXPECT_EQ(server().stats().unsigned_payload_requests, 4u);
  EXPECT_EQ(server().stats().auth_failures, 0u);
  // A transport of the user's own gets the whole text (RecordingTransport).
  ClientConfig c = project_config(false);
  auto recorder = std::make_shared<RecordingTransport>(c);
  c.transport = recorder;
  const OcrClient recorded(std::move(c), signer());
  EXPECT_FALSE(recorded.connection()->accepts_body_stream());
  ASSERT_TRUE(recorded.recognize_id_card(Image::from_bytes(png), options));
  ASSERT_EQ(recorder->sent().size(), 1u);
  EXPECT_TRUE(recorder->sent()[0].body == expected);
  EXPECT_EQ(recorder->sent()[0].body_stream, nullptr);
}

// A body stream that fails half-way (as a file that shrinks does) ends the
// call with its error, not delivered and not retried; one given without a
// hash is hashed by the signer from a pass of its own.
class ScriptedStream final : public BodyStream {
 public:
  ScriptedStream(std::string text, std::size_t fail_after) : text_(std::move(text)), fail_after_(fail_after) {}
  std::uint64_t size() const noexcept override { return text_.size(); }
  std::unique_ptr<Pass> open() const override {
    ++passes;
    return std::make_unique<TextPass>(*this);
  }
  mutable std::atomic<int> passes{0};

 private:
  class TextPass final : public Pass {
   public:
    explicit TextPass(const ScriptedStream& s) : s_(s) {}
    Result<std::size_t> read(char* into, std::size_t max) override {
      if (at_ >= s_.fail_after_) {
        Error error;
        error.category = ErrorCategory::kInvalidArgument;
        error.error_msg = "the scripted stream stopped";
        return error;
      }
      const std::size_t n = std::min({max, s_.text_.size() - at_, s_.fail_after_ - at_});
      std::memcpy(into, s_.text_.data() + at_, n);
      at_ += n;
      return n;
    }

   private:
    const ScriptedStream& s_;
    std::size_t at_ = 0;
  };
  std::string text_;
  std::size_t fail_after_;
};

TEST_F(LargeBodyTest, AStreamThatFailsEndsTheCallAndOneWithoutAHashIsHashedBySigning) {
  const std::string png = padded_png(300 * 1024);
  std::string text = "{\"image\":\"";
  internal::append_base64(text, png);
  text += "\"}";
  const auto connection = make_connection(project_config(false), signer());

  OcrRequest whole;
  whole.api = "id-card";
  auto good = std::make_shared<ScriptedStream>(text, text.size() + 1);
  whole.body_stream = good;  // no body_sha256: the signer hashes a pass of its own
  auto answer = connection->send(whole);
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_EQ(good->passes.load(), 2);  // the hash, then the send
  EXPECT_EQ(server().requests("id-card").back().body_sha256, internal::sha256_hex(text));

  OcrRequest failing;
  failing.api = "id-card";
  failing.body_sha256 = internal::sha256_hex(text);
  failing.body_stream = std::make_shared<ScriptedStream>(text, text.size() / 2);
  const std::size_t before = server().stats().ocr_requests;
  auto failed = connection->send(failing);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().category, ErrorCategory::kInvalidArgument) << failed.error().message();
  EXPECT_NE(failed.error().message().find("the scripted stream stopped"), std::string::npos);
  EXPECT_FALSE(failed.error().maybe_delivered);
  EXPECT_EQ(failed.error().attempts, 1);
  EXPECT_EQ(server().stats().ocr_requests, before);  // never answered: the request was not whole
  // The connection goes on working.
  EXPECT_TRUE(connection->send(whole));
}

TEST_F(LargeBodyTest, UnsignedPayloadStillSignsEverythingElse) {
  // A signature made for UNSIGNED-PAYLOAD does not pass for a hashed body:
  // the declaration is part of what is signed.
  const std::string body = R"({"image":"aGk="})";
  const std::string url = server().endpoint() + "/v2/" + server().options().projects.front().id + "/ocr/id-card";
  AkSkSigner plain(default_key().ak, default_key().sk, default_key().security_token);
  Headers headers{{"Content-Type", "application/json;charset=UTF-8"},
                  {"X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"}};
  const auto details = plain.sign_detailed("POST", url, headers, body, std::chrono::system_clock::now());
  EXPECT_NE(details.canonical_request.find("\nUNSIGNED-PAYLOAD"), std::string::npos);
  EXPECT_EQ(details.canonical_request.find(internal::sha256_hex(body)), std::string::npos);
}

TEST_F(LargeBodyTest, EightThreadsShareOneClientAndItsBodyBuffers) {
  constexpr int kThreads = 8;
  constexpr int kCalls = 4;
  std::vector<Image> images;
  // Pooled (built whole) and streamed bodies side by side.
  for (int i = 0; i < kThreads; ++i) {
    const std::size_t size = (i % 2 ? internal::kStreamedImageBytes : 200 * 1024) + 4099 * static_cast<std::size_t>(i);
    images.push_back(Image::from_bytes(padded_png(size, 10 + i)));
  }
  const OcrClient client(project_config(false), signer());
  const OcrClient unsigned_client(project_config(true), signer());
  IdCardOptions options;
  options.side = "front";
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const OcrClient& which = (t + i) % 2 ? unsigned_client : client;
        auto card = which.recognize_id_card(images[static_cast<std::size_t>((t + i) % kThreads)], options);
        if (!card || card->http_status != 200) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server().stats().auth_failures, 0u);
  EXPECT_EQ(server().stats().ocr_requests, static_cast<std::size_t>(kThreads * kCalls));
}

TEST_F(LargeBodyTest, AnIdleClientGivesItsBodyBuffersBack) {
  internal::release_idle_body_buffers();
  const std::size_t baseline = internal::body_buffer_bytes_held();
  EXPECT_EQ(baseline, 0u);
  const OcrClient client(project_config(false), signer());
  // Built whole in a pooled buffer (a larger one would be streamed: no buffer at all).
  const Image image = Image::from_bytes(padded_png(internal::kStreamedImageBytes - 1));
  for (int i = 0; i < 3; ++i) {
    auto card = client.recognize_id_card(image);
    ASSERT_TRUE(card) << card.error().message();
  }
  // At most one body buffer is held between calls of one thread.
  EXPECT_LE(internal::body_buffer_bytes_held(), 2 * internal::base64_size(image.bytes()->size()) + 4096);
  // Idle: the pool's thread frees it; wait for that (generously, the machine
  // may be loaded) rather than for a set time.
  for (int i = 0; i < 3000 && internal::body_buffer_bytes_held() != baseline; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(internal::body_buffer_bytes_held(), baseline);
  // And the next call works as the first did.
  EXPECT_TRUE(client.recognize_id_card(image));
}

}  // namespace
}  // namespace hwocr::testing
