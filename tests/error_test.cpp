// Turning the service's error answers into hwocr::Error, and Result<T>.
#include <gtest/gtest.h>

#include "client/retry.h"
#include "hwocr/error.h"
#include "model/error_body.h"

namespace {

using hwocr::ErrorCategory;
using hwocr::HttpResponse;
using hwocr::internal::error_from_response;

HttpResponse response(int status, std::string body, hwocr::Headers headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(ErrorFromResponse, ServiceJsonError) {
  const auto error = error_from_response(response(
      400, R"({"error_code":"AIS.0101","error_msg":"The input parameter is invalid."})", {{"x-request-id", "abc123"}}));
  EXPECT_EQ(error.category, ErrorCategory::kClient);
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.error_code, "AIS.0101");
  EXPECT_EQ(error.error_msg, "The input parameter is invalid.");
  EXPECT_EQ(error.request_id, "abc123");
  EXPECT_FALSE(error.retryable);
  EXPECT_EQ(error.message(),
            "client error: HTTP 400 AIS.0101: The input parameter is invalid. (request id abc123)");
}

TEST(ErrorFromResponse, AuthFailureIsAuthAndNotRetryable) {
  const auto error = error_from_response(response(
      401, R"({"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail","request_id":"body-id"})"));
  EXPECT_EQ(error.category, ErrorCategory::kAuth);
  EXPECT_EQ(error.error_code, "APIG.0301");
  EXPECT_EQ(error.request_id, "body-id");  // from the body when the header is missing
  EXPECT_FALSE(error.retryable);
}

TEST(ErrorFromResponse, IamKeystoneStyleNestedError) {
  const auto error = error_from_response(
      response(401, R"({"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}})"));
  EXPECT_EQ(error.category, ErrorCategory::kAuth);
  EXPECT_EQ(error.error_code, "401");
  EXPECT_EQ(error.error_msg, "The username or password is wrong.");
}

TEST(ErrorFromResponse, OtherSpellingsOfCodeAndMessage) {
  const auto camel = error_from_response(response(403, R"({"errorCode":"X.1","errorMsg":"camel"})"));
  EXPECT_EQ(camel.error_code, "X.1");
  EXPECT_EQ(camel.error_msg, "camel");
  const auto plain = error_from_response(response(404, R"({"code":"Y.2","message":"plain"})"));
  EXPECT_EQ(plain.error_code, "Y.2");
  EXPECT_EQ(plain.error_msg, "plain");
}

TEST(ErrorFromResponse, GatewayHtml502) {
  const auto error = error_from_response(response(
      502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>",
      {{"Content-Type", "text/html"}}));
  EXPECT_EQ(error.category, ErrorCategory::kServer);
  EXPECT_EQ(error.http_status, 502);
  EXPECT_EQ(error.error_code, "502");
  EXPECT_EQ(error.error_msg, "502 Bad Gateway");
  EXPECT_TRUE(error.retryable);
}

TEST(ErrorFromResponse, HtmlWithoutTitleGivesItsText) {
  const auto error = error_from_response(response(503, "<html><body><p>Service\nbusy</p></body></html>"));
  EXPECT_EQ(error.error_msg, "Service busy");
  EXPECT_TRUE(error.retryable);
}

TEST(ErrorFromResponse, EmptyBodies) {
  const auto error = error_from_response(response(504, ""));
  EXPECT_EQ(error.category, ErrorCategory::kServer);
  EXPECT_EQ(error.error_code, "504");
  EXPECT_EQ(error.error_msg, "Gateway Timeout (empty body)");
  EXPECT_TRUE(error.retryable);
  EXPECT_EQ(error.message(), "server error: HTTP 504: Gateway Timeout (empty body)");
  const auto odd = error_from_response(response(418, ""));
  EXPECT_EQ(odd.category, ErrorCategory::kClient);
  EXPECT_EQ(odd.error_msg, "HTTP status 418 (empty body)");
}

TEST(ErrorFromResponse, ThrottlingIsRetryable) {
  const auto error = error_from_response(
      response(429, R"({"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached"})"));
  EXPECT_EQ(error.category, ErrorCategory::kThrottled);
  EXPECT_TRUE(error.retryable);
  const auto quota = error_from_response(response(400, R"({"error_code":"ModelArts.4401","error_msg":"Max concurrency error."})"));
  EXPECT_EQ(quota.category, ErrorCategory::kThrottled);
  EXPECT_TRUE(quota.retryable);
}

TEST(ErrorFromResponse, RetryableStatuses) {
  for (int status : {429, 500, 502, 503, 504}) EXPECT_TRUE(hwocr::internal::is_retryable_status(status)) << status;
  for (int status : {200, 400, 401, 403, 404, 413, 501, 505}) {
    EXPECT_FALSE(hwocr::internal::is_retryable_status(status)) << status;
  }
}

TEST(RetryAfter, SecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1700000000);  // Tue, 14 Nov 2023 22:13:20 GMT
  EXPECT_EQ(hwocr::internal::retry_after(response(503, "", {{"Retry-After", "3"}}), now),
            std::chrono::milliseconds(3000));
  EXPECT_EQ(hwocr::internal::retry_after(response(503, "", {{"retry-after", "Tue, 14 Nov 2023 22:13:25 GMT"}}), now),
            std::chrono::milliseconds(5000));
  EXPECT_FALSE(hwocr::internal::retry_after(response(503, ""), now).has_value());
  EXPECT_FALSE(hwocr::internal::retry_after(response(503, "", {{"Retry-After", "soon"}}), now).has_value());
}

TEST(Backoff, StaysWithinTheCappedExponential) {
  hwocr::RetryPolicy policy;
  policy.initial_backoff = std::chrono::milliseconds(100);
  policy.max_backoff = std::chrono::milliseconds(350);
  for (int i = 0; i < 200; ++i) {
    EXPECT_LE(hwocr::internal::backoff_delay(policy, 1).count(), 100);
    EXPECT_LE(hwocr::internal::backoff_delay(policy, 2).count(), 200);
    EXPECT_LE(hwocr::internal::backoff_delay(policy, 5).count(), 350);
    EXPECT_GE(hwocr::internal::backoff_delay(policy, 5).count(), 0);
  }
}

TEST(LogRedaction, OnlyAllowListedHeaderValuesAppear) {
  const hwocr::Headers headers{{"Content-Type", "application/json"},
                               {"Authorization", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc"},
                               {"X-Auth-Token", "MIIsecret"},
                               {"X-Security-Token", "sts-secret"},
                               {"X-Sdk-Date", "20240102T030405Z"}};
  const std::string line = hwocr::internal::headers_for_log(headers);
  EXPECT_EQ(line,
            "Content-Type: application/json, Authorization: ***, X-Auth-Token: ***, X-Security-Token: ***, "
            "X-Sdk-Date: 20240102T030405Z");
}

TEST(ResultT, ValueThrowsTheError) {
  hwocr::Error error;
  error.category = ErrorCategory::kTimeout;
  error.error_msg = "too slow";
  hwocr::Result<int> failed(error);
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(static_cast<bool>(failed));
  try {
    (void)failed.value();
    FAIL() << "value() did not throw";
  } catch (const hwocr::Exception& e) {
    EXPECT_EQ(e.error().category, ErrorCategory::kTimeout);
    EXPECT_STREQ(e.what(), "timeout: too slow");
  }
  hwocr::Result<int> good(42);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  EXPECT_EQ(good.value(), 42);
}

TEST(Redaction, ReplacesEveryOccurrence) {
  std::string text = "a SECRET b SECRETSECRET";
  hwocr::internal::redact_secret(text, "SECRET");
  EXPECT_EQ(text, "a *** b ******");
  hwocr::internal::redact_secret(text, "");
  EXPECT_EQ(text, "a *** b ******");
}

}  // namespace
