// The signer against every SDK-HMAC-SHA256 vector in sign-vectors.json
// (a copy of ../shared/reference/sign-vectors.json): new cases plus the fixed
// expectations of the official Python, Go and Java SDKs' own tests.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/crypto.h"
#include "hwocr/auth.h"

namespace {

using nlohmann::json;

json load_vectors() {
  std::ifstream in(HWOCR_TEST_DATA_DIR "/sign-vectors.json");
  EXPECT_TRUE(in.good()) << "cannot open sign-vectors.json";
  return json::parse(in);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// Some time that is not the vector's: the signer must take X-Sdk-Date from the headers.
const auto kUnrelatedTime = std::chrono::system_clock::from_time_t(0);

struct VectorRun {
  json vector;
  hwocr::SignatureDetails details;
};

std::vector<VectorRun> run_sha256_vectors() {
  const json all = load_vectors();
  std::vector<VectorRun> runs;
  for (const char* group : {"vectors", "official_sdk_test_vectors"}) {
    for (const auto& v : all.at(group)) {
      const auto& options = v.at("options");
      if (options.value("algorithm", "SDK-HMAC-SHA256") != "SDK-HMAC-SHA256") continue;
      hwocr::Headers headers;
      for (const auto& [name, value] : v.at("headers").items()) headers.add(name, value.get<std::string>());
      headers.set("X-Sdk-Date", v.at("x_sdk_date").get<std::string>());
      hwocr::SigningOptions signing;
      signing.add_host_if_missing = options.at("add_host_if_missing").get<bool>();
      signing.sign_content_type = options.at("sign_content_type").get<bool>();
      signing.skip_headers_with_underscore = options.at("skip_headers_with_underscore").get<bool>();
      const hwocr::AkSkSigner signer(v.at("ak").get<std::string>(), v.at("sk").get<std::string>());
      runs.push_back({v, signer.sign_detailed(v.at("method").get<std::string>(), v.at("url").get<std::string>(),
                                              headers, v.at("body").get<std::string>(), kUnrelatedTime, signing)});
    }
  }
  return runs;
}

TEST(SignerVectors, EverySha256VectorReproduced) {
  const auto runs = run_sha256_vectors();
  // 9 new vectors + 10 SHA-256 expectations from the official SDKs' tests.
  ASSERT_EQ(runs.size(), 19u);
  for (const auto& run : runs) {
    SCOPED_TRACE(run.vector.at("name").get<std::string>());
    const auto& expected = run.vector.at("expected");
    EXPECT_EQ(run.details.canonical_request, expected.at("canonical_request").get<std::string>());
    EXPECT_EQ(run.details.string_to_sign, expected.at("string_to_sign").get<std::string>());
    EXPECT_EQ(run.details.signature, expected.at("signature").get<std::string>());
    EXPECT_EQ(run.details.authorization, expected.at("authorization").get<std::string>());
  }
}

TEST(SignerVectors, PartsAndHeadersToSend) {
  std::size_t checked = 0;
  for (const auto& run : run_sha256_vectors()) {
    const auto& expected = run.vector.at("expected");
    if (!expected.contains("headers_to_send")) continue;
    SCOPED_TRACE(run.vector.at("name").get<std::string>());
    ++checked;
    const auto lines = lines_of(run.details.canonical_request);
    ASSERT_GE(lines.size(), 6u);
    EXPECT_EQ(lines[1], expected.at("canonical_uri").get<std::string>());
    EXPECT_EQ(lines[2], expected.at("canonical_query_string").get<std::string>());
    EXPECT_EQ(lines[lines.size() - 2], expected.at("signed_headers").get<std::string>());
    EXPECT_EQ(lines.back(), expected.at("payload_hash").get<std::string>());
    EXPECT_EQ(run.details.signed_headers, expected.at("signed_headers").get<std::string>());
    EXPECT_EQ(run.details.request_target, expected.at("request_target").get<std::string>());

    std::map<std::string, std::string> sent;
    for (const auto& [name, value] : run.details.headers_to_send) sent[name] = value;
    std::map<std::string, std::string> wanted;
    for (const auto& [name, value] : expected.at("headers_to_send").items()) wanted[name] = value.get<std::string>();
    EXPECT_EQ(sent, wanted);
  }
  EXPECT_EQ(checked, 9u);
}

TEST(Signer, AddsDateFromTheGivenTimeAndSignsIt) {
  const hwocr::AkSkSigner signer("AK", "SK");
  const auto time = std::chrono::system_clock::from_time_t(1591583940);  // 2020-06-08T02:39:00Z
  const auto headers = signer.sign("GET", "https://service.endpoint.myhuaweicloud.com/resources?size=1", {}, "", time);
  ASSERT_NE(headers.find("x-sdk-date"), nullptr);
  EXPECT_EQ(*headers.find("X-Sdk-Date"), "20200608T023900Z");
  EXPECT_EQ(hwocr::format_sdk_date(time), "20200608T023900Z");
  ASSERT_NE(headers.find("Authorization"), nullptr);
  EXPECT_NE(headers.find("Authorization")->find("SignedHeaders=host;x-sdk-date,"), std::string::npos);
}

TEST(Signer, SecurityTokenIsSentAndSigned) {
  const hwocr::AkSkSigner signer("AK", "SK", "temporary-token");
  const auto details = signer.sign_detailed("POST", "https://ocr.cn-north-4.myhuaweicloud.com/v2/p/ocr/id-card",
                                            {}, "{}", std::chrono::system_clock::now());
  ASSERT_NE(details.headers_to_send.find("X-Security-Token"), nullptr);
  EXPECT_EQ(*details.headers_to_send.find("X-Security-Token"), "temporary-token");
  EXPECT_EQ(details.signed_headers, "host;x-sdk-date;x-security-token");
}

TEST(Signer, EmptyKeysAndBadUrlsAreRejected) {
  EXPECT_THROW(hwocr::AkSkSigner("", "sk"), hwocr::Exception);
  EXPECT_THROW(hwocr::AkSkSigner("ak", ""), hwocr::Exception);
  const hwocr::AkSkSigner signer("AK", "SK");
  try {
    signer.sign("GET", "not a url", {}, "", std::chrono::system_clock::now());
    FAIL() << "expected hwocr::Exception";
  } catch (const hwocr::Exception& e) {
    EXPECT_EQ(e.error().category, hwocr::ErrorCategory::kInvalidArgument);
  }
}

TEST(Signer, SecretNeverInTheOutput) {
  const std::string sk = "VerySecretKeyValue0123456789";
  const hwocr::AkSkSigner signer("AK", sk);
  const auto details = signer.sign_detailed("POST", "https://h/p", {{"X-A", "b"}}, "body",
                                            std::chrono::system_clock::now());
  EXPECT_EQ(details.canonical_request.find(sk), std::string::npos);
  EXPECT_EQ(details.authorization.find(sk), std::string::npos);
  for (const auto& [name, value] : details.headers_to_send) EXPECT_EQ(value.find(sk), std::string::npos) << name;
  std::string text = "oops " + sk + " leaked";
  signer.redact(text);
  EXPECT_EQ(text, "oops *** leaked");
}

}  // namespace

namespace {

// RFC 4231 test cases 1, 2 and 6 (a key longer than the block), on the HMAC
// that signs every request.
TEST(Crypto, HmacSha256Rfc4231) {
  EXPECT_EQ(hwocr::internal::hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hwocr::internal::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hwocr::internal::hmac_sha256_hex(std::string(131, '\xaa'),
                                             "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hwocr::internal::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
