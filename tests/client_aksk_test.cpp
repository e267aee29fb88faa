// OcrClient with AK/SK against the emulator over real HTTP on 127.0.0.1.
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e_support.h"

namespace hwocr::testing {
namespace {

const Image kSample = Image::from_file(HWOCR_DEMO_IMAGE);

const std::string* header(const emulator::RecordedRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return &value;
    }
  }
  return nullptr;
}

std::vector<emulator::RecordedRequest> ocr_requests(const emulator::Emulator& server) {
  std::vector<emulator::RecordedRequest> out;
  for (const auto& r : server.requests()) {
    if (r.path.find("/ocr/") != std::string::npos) out.push_back(r);
  }
  return out;
}

using AkSkClient = EmulatorTest;

TEST_F(AkSkClient, RecognizesTheFrontAndDiscoversTheProjectOnce) {
  const OcrClient client(config(), signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(card->http_status, 200);
  ASSERT_TRUE(card->name.has_value());
  EXPECT_FALSE(card->name->empty());
  ASSERT_TRUE(card->number.has_value());
  EXPECT_EQ(card->number->size(), 18u);
  EXPECT_TRUE(card->sex.has_value());
  EXPECT_TRUE(card->birth.has_value());
  EXPECT_TRUE(card->ethnicity.has_value());
  EXPECT_TRUE(card->address.has_value());
  EXPECT_FALSE(card->request_id.empty());
  EXPECT_TRUE(card->raw.get().contains("name"));

  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  EXPECT_EQ(server().stats().project_requests, 1u);
  EXPECT_EQ(server().stats().ocr_requests, 2u);
  EXPECT_EQ(client.project_id().value(), server().options().projects.front().id);
}

// Every spelling of a typed call compiles and means what it says (before,
// recognize_x(image, {}) was ambiguous between the options and the call form).
TEST_F(AkSkClient, EverySpellingOfATypedCallCompilesAndSendsItsOptions) {
  const OcrClient client(config(), signer());
  IdCardOptions back;
  back.side = "back";
  CallOptions call;
  call.timeout = std::chrono::seconds(30);
  const auto sent_side = [&](std::size_t index) {
    const auto requests = ocr_requests(server());
    if (index >= requests.size()) return std::string("(no request)");
    const auto body = nlohmann::json::parse(requests[index].options_json);
    return body.contains("side") ? body["side"].get<std::string>() : std::string("(none)");
  };
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  ASSERT_TRUE(client.recognize_id_card(kSample, {}).ok());
  ASSERT_TRUE(client.recognize_id_card(kSample, back).ok());
  ASSERT_TRUE(client.recognize_id_card(kSample, back, call).ok());
  ASSERT_TRUE(client.recognize_id_card(kSample, call).ok());
  ASSERT_TRUE(client.recognize_id_card(kSample, CallOptions{}).ok());
  ASSERT_TRUE(client.recognize_id_card(kSample, {}, call).ok());
  const std::vector<std::string> expected = {"(none)", "(none)", "back", "back", "(none)", "(none)", "(none)"};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(sent_side(i), expected[i]) << "call " << i;
}

TEST_F(AkSkClient, ConfiguredProjectIdNeedsNoLookup) {
  auto c = config();
  c.project_id = server().options().projects.front().id;
  const OcrClient client(c, signer());
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  EXPECT_EQ(server().stats().project_requests, 0u);
}

TEST_F(AkSkClient, BackAndDoubleSide) {
  const OcrClient client(config(), signer());
  IdCardOptions back;
  back.side = "back";
  const auto b = client.recognize_id_card(kSample, back);
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_TRUE(b->issue.has_value());
  EXPECT_TRUE(b->valid_from.has_value());
  EXPECT_TRUE(b->valid_to.has_value());
  EXPECT_FALSE(b->name.has_value());

  IdCardOptions both;
  both.side = "double_side";
  const auto d = client.recognize_id_card(kSample, both);
  ASSERT_TRUE(d.ok()) << d.error().message();
  ASSERT_TRUE(d->front.has_value());
  ASSERT_TRUE(d->back.has_value());
  EXPECT_TRUE(d->front->number.has_value());
  EXPECT_TRUE(d->back->issue.has_value());
}

TEST_F(AkSkClient, EveryOptionComesBackTyped) {
  const OcrClient client(config(), signer());
  IdCardOptions o;
  o.return_verification = o.return_text_location = o.detect_reproduce = o.detect_copy = true;
  o.return_portrait_location = o.return_portrait_image = o.return_adjusted_image = o.detect_tampering = true;
  o.detect_border_integrity = o.detect_blocking_within_border = o.detect_blur = o.detect_interim = true;
  o.detect_glare = true;
  const auto card = client.recognize_id_card(kSample, o);
  ASSERT_TRUE(card.ok()) << card.error().message();
  ASSERT_TRUE(card->verification_result.has_value());
  EXPECT_EQ(card->verification_result->valid_number, true);
  EXPECT_TRUE(card->text_location.has_value());
  EXPECT_TRUE(card->text_location.get().contains("name"));
  EXPECT_TRUE(card->portrait_image.has_value());
  EXPECT_TRUE(card->adjusted_image.has_value());
  EXPECT_EQ(card->portrait_location.size(), 4u);
  EXPECT_TRUE(card->detect_reproduce_result.has_value());
  EXPECT_TRUE(card->detect_copy_result.has_value());
  EXPECT_TRUE(card->detect_tampering_result.has_value());
  EXPECT_TRUE(card->detect_border_integrity_result.has_value());
  EXPECT_TRUE(card->detect_blocking_within_border_result.has_value());
  EXPECT_TRUE(card->detect_blur_result.has_value());
  EXPECT_TRUE(card->detect_interim_result.has_value());
  EXPECT_TRUE(card->detect_glare_result.has_value());
  ASSERT_TRUE(card->score_info.has_value());
  EXPECT_TRUE(card->score_info->glare_score.has_value());
}

TEST_F(AkSkClient, ImageByUrl) {
  const OcrClient client(config(), signer());
  const auto card = client.recognize_id_card(Image::from_url("https://example.com/id-card.jpg"));
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_TRUE(card->number.has_value());
}

TEST_F(AkSkClient, WhatGoesOnTheWire) {
  auto c = config();
  c.enterprise_project_id = "eps-123";
  c.user_agent_suffix = "my-app/2.0";
  const OcrClient client(c, signer());
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  const auto sent = ocr_requests(server());
  ASSERT_EQ(sent.size(), 1u);
  const auto& request = sent.front();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v2/" + server().options().projects.front().id + "/ocr/id-card");  // no trailing '/'
  ASSERT_NE(header(request, "X-Project-Id"), nullptr);
  EXPECT_EQ(*header(request, "X-Project-Id"), server().options().projects.front().id);
  ASSERT_NE(header(request, "X-Sdk-Date"), nullptr);
  EXPECT_EQ(header(request, "X-Sdk-Date")->size(), 16u);
  ASSERT_NE(header(request, "Enterprise-Project-Id"), nullptr);
  EXPECT_EQ(*header(request, "Enterprise-Project-Id"), "eps-123");
  ASSERT_NE(header(request, "User-Agent"), nullptr);
  EXPECT_EQ(*header(request, "User-Agent"), "hwocr/" HWOCR_VERSION_STRING " my-app/2.0");
  ASSERT_NE(header(request, "Authorization"), nullptr);
  EXPECT_NE(header(request, "Authorization")
                ->find("SignedHeaders=content-type;enterprise-project-id;host;user-agent;x-project-id;x-sdk-date,"),
            std::string::npos)
      << *header(request, "Authorization");
  EXPECT_EQ(header(request, "X-Auth-Token"), nullptr);
  EXPECT_EQ(request.status, 200);
}

TEST_F(AkSkClient, GenericCallsLikeChangingTheUriInThePythonDemo) {
  const OcrClient client(config(), signer());
  const auto text = client.call("general-text", kSample, R"({"detect_direction": true})");
  ASSERT_TRUE(text.ok()) << text.error().message();
  EXPECT_EQ(text->http_status, 200);
  EXPECT_FALSE(text->request_id.empty());
  ASSERT_TRUE(text->result.has_value());
  EXPECT_GT(text->result.get().at("words_block_count").get<int>(), 0);
  EXPECT_TRUE(text->body.get().contains("result"));

  const auto by_path = client.call("/v2/{project_id}/ocr/id-card", R"({"url": "https://example.com/card.jpg"})");
  ASSERT_TRUE(by_path.ok()) << by_path.error().message();
  EXPECT_TRUE(by_path->result.get().contains("number"));
}

TEST_F(AkSkClient, UnknownApiIsA404FromTheGateway) {
  const OcrClient client(config(), signer());
  const auto reply = client.call("no-such-api", kSample);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().category, ErrorCategory::kClient);
  EXPECT_EQ(reply.error().http_status, 404);
  EXPECT_EQ(reply.error().error_code, "APIG.0101");
  EXPECT_FALSE(reply.error().request_id.empty());
  EXPECT_FALSE(reply.error().retryable);
  EXPECT_EQ(reply.error().attempts, 1);
}

TEST_F(AkSkClient, BadInputNeverReachesTheNetwork) {
  const OcrClient client(config(), signer());
  const auto missing = client.recognize_id_card(Image::from_file("/nonexistent/card.png"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().category, ErrorCategory::kInvalidArgument);
  EXPECT_FALSE(client.call("id-card", "not json").ok());
  EXPECT_EQ(client.call("id-card", "[1,2]").error().category, ErrorCategory::kInvalidArgument);
  EXPECT_EQ(client.call("id-card", kSample, "{\"url\":\"https://x/y\"}").error().category,
            ErrorCategory::kInvalidArgument);
  EXPECT_EQ(client.call("id card?", kSample).error().category, ErrorCategory::kInvalidArgument);
  EXPECT_EQ(client.call("id-card", kSample, "not json").error().category, ErrorCategory::kInvalidArgument);
  EXPECT_TRUE(server().requests().empty());
}

TEST_F(AkSkClient, ServiceValidationErrorsAreNotRetried) {
  const OcrClient client(config(), signer());
  const auto reply = client.call("id-card", R"({"image": "not base64 @@@"})");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().http_status, 400);
  EXPECT_EQ(reply.error().error_code, "AIS.0102");
  EXPECT_EQ(reply.error().category, ErrorCategory::kClient);
  EXPECT_FALSE(reply.error().retryable);
  EXPECT_EQ(reply.error().attempts, 1);
  const auto both = client.call("id-card", R"({"image": "aGVsbG8=", "url": "https://x/y.jpg"})");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().error_code, "AIS.0101");
  EXPECT_EQ(server().stats().ocr_requests, 2u);
}

TEST_F(AkSkClient, WrongSecretIsAnAuthErrorWithoutTheSecret) {
  const std::string wrong_sk = "this-secret-is-wrong-0123456789";
  const OcrClient client(config(), std::make_shared<AkSkSigner>(default_key().ak, wrong_sk));
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kAuth);
  EXPECT_EQ(card.error().http_status, 401);
  EXPECT_EQ(card.error().error_code, "APIG.0301");
  EXPECT_FALSE(card.error().retryable);
  EXPECT_EQ(card.error().message().find(wrong_sk), std::string::npos);
  EXPECT_EQ(log_.all().find(wrong_sk), std::string::npos);
  EXPECT_EQ(server().stats().ocr_requests, 0u);  // the project lookup already failed
}

TEST_F(AkSkClient, ClockSkewIsCorrectedFromTheGatewaysDate) {
  auto c = config();
  c.project_id = server().options().projects.front().id;
  c.clock = [] { return std::chrono::system_clock::now() - std::chrono::hours(2); };
  const OcrClient client(c, signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(server().stats().auth_failures, 1u);  // the first, skewed signature
  EXPECT_NE(log_.all().find("clock"), std::string::npos);
  ASSERT_TRUE(client.recognize_id_card(kSample).ok());
  EXPECT_EQ(server().stats().auth_failures, 1u);  // the correction is kept
}

TEST_F(AkSkClient, OneClientSharedByThreads) {
  const OcrClient client(config(), signer());
  constexpr int kThreads = 4;
  constexpr int kCalls = 8;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) ok += client.recognize_id_card(kSample).ok() ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kCalls);
  EXPECT_EQ(server().stats().project_requests, 1u);
  EXPECT_EQ(server().stats().ocr_requests, static_cast<std::size_t>(kThreads * kCalls));
}

TEST_F(AkSkClient, InvalidConfigurationsAreRefusedAtConstruction) {
  const auto refused = [&](ClientConfig c, std::shared_ptr<Authenticator> auth) {
    try {
      OcrClient client(std::move(c), std::move(auth));
      return false;
    } catch (const Exception& e) {
      return e.error().category == ErrorCategory::kInvalidArgument;
    }
  };
  auto c = config();
  EXPECT_TRUE(refused(c, nullptr));
  c.endpoint = "ftp://127.0.0.1:1";
  EXPECT_TRUE(refused(c, signer()));
  c = config();
  c.endpoint.clear();
  c.region = "cn north 4";
  EXPECT_TRUE(refused(c, signer()));
  c = config();
  c.retry.max_attempts = 0;
  EXPECT_TRUE(refused(c, signer()));
  c = config();
  c.request_timeout = std::chrono::milliseconds(0);
  EXPECT_TRUE(refused(c, signer()));
  EXPECT_FALSE(refused(config(), signer()));
}

TEST(Endpoints, RegionDefaults) {
  EXPECT_EQ(ocr_endpoint_for_region("cn-north-4"), "https://ocr.cn-north-4.myhuaweicloud.com");
  EXPECT_EQ(iam_endpoint_for_region("ap-southeast-1"), "https://iam.ap-southeast-1.myhuaweicloud.com");
  EXPECT_EQ(iam_endpoint_for_region("xx-nowhere-9"), "https://iam.myhuaweicloud.com");
}

class TemporaryCredentials : public EmulatorTest {
 protected:
  emulator::Options emulator_options() override {
    emulator::Options o;
    o.access_keys = {{"TMPAKEXAMPLE00000001", "TmpSecretExample0000000000000000000000001", "sts-token+/="}};
    return o;
  }
};

TEST_F(TemporaryCredentials, SecurityTokenIsSentAndRequired) {
  const auto& key = server().options().access_keys.front();
  const OcrClient with_token(config(), std::make_shared<AkSkSigner>(key.ak, key.sk, key.security_token));
  ASSERT_TRUE(with_token.recognize_id_card(kSample).ok());
  const OcrClient without(config(), std::make_shared<AkSkSigner>(key.ak, key.sk));
  const auto refused = without.recognize_id_card(kSample);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().category, ErrorCategory::kAuth);
}

class ProjectLookup : public EmulatorTest {
 protected:
  emulator::Options emulator_options() override {
    emulator::Options o;
    o.projects = {{"1111111111111111aaaaaaaaaaaaaaaa", "cn-north-4"},
                  {"2222222222222222bbbbbbbbbbbbbbbb", "cn-north-4"},
                  {"3333333333333333cccccccccccccccc", "ap-southeast-1"}};
    return o;
  }
};

TEST_F(ProjectLookup, SeveralMatchesAreAClearError) {
  const OcrClient client(config(), signer());
  const auto card = client.recognize_id_card(kSample);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kAuth);
  EXPECT_NE(card.error().error_msg.find("2 projects named 'cn-north-4'"), std::string::npos) << card.error().error_msg;
  EXPECT_NE(card.error().error_msg.find("1111111111111111aaaaaaaaaaaaaaaa"), std::string::npos);
  EXPECT_NE(card.error().error_msg.find("ClientConfig::project_id"), std::string::npos);
  EXPECT_EQ(server().stats().ocr_requests, 0u);
}

TEST_F(ProjectLookup, NoMatchIsAClearError) {
  auto c = config();
  c.region = "la-south-2";
  const OcrClient client(c, signer());
  const auto id = client.project_id();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().category, ErrorCategory::kAuth);
  EXPECT_NE(id.error().error_msg.find("no project named 'la-south-2'"), std::string::npos) << id.error().error_msg;
}

}  // namespace
}  // namespace hwocr::testing
