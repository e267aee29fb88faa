// Issue 8, defects 3 (clock skew under concurrency), 4 (deadlines that do not
// hold, as far as token waits, token fetches and the project lookup go) and
// 7 (a TokenAuthenticator shared across scopes), over real HTTP on 127.0.0.1
// against the emulator (tools/emulator.h) and the hostile server
// (tests/hostile_server.h). Orderings are forced by events (a request
// arrived, a correction happened), never by sleeping; durations are checked
// only against bounds several times the deadline involved.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.h"
#include "hostile_server.h"

namespace hwocr::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

const Image kSample = Image::from_file(HWOCR_DEMO_IMAGE);
const std::string kGeneralTextAnswer =
    R"({"result":{"words_block_count":1,"words_block_list":[{"words":"ok","location":[[1,2],[3,2],[3,4],[1,4]],"confidence":0.9}]}})";
const std::string kProject = "0auth0defects0project00000000000";

// An IMF-fixdate for `when`, as a gateway's Date header.
std::string http_date(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm parts{};
  gmtime_r(&t, &parts);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return text;
}

// "20200608T023900Z" -> time point; nullopt when unreadable.
std::optional<std::chrono::system_clock::time_point> parse_sdk_date(const std::string& text) {
  std::tm parts{};
  if (std::sscanf(text.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &parts.tm_year, &parts.tm_mon, &parts.tm_mday,
                  &parts.tm_hour, &parts.tm_min, &parts.tm_sec) != 6) {
    return std::nullopt;
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

// Waits (bounded) until `server` has read `count` requests.
bool wait_for_requests(const HostileServer& server, std::size_t count) {
  const auto until = SteadyClock::now() + seconds(30);
  while (server.request_count() < count) {
    if (SteadyClock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// ===== Defect 3: clock skew under concurrency ===============================

// The client's clock is 20 minutes behind the server's (the gateway is 20
// minutes ahead); the emulator refuses X-Sdk-Date more than 15 minutes off.
Clock twenty_minutes_behind() {
  return [] { return std::chrono::system_clock::now() - std::chrono::minutes(20); };
}

using AuthSkew = EmulatorTest;

TEST_F(AuthSkew, EightThreadsOfAkSkCallsWithTheGatewayTwentyMinutesAheadAllSucceed) {
  // Default configuration: the project is looked up (signed) first, so the
  // lookup must be corrected too.
  auto c = config();
  c.clock = twenty_minutes_behind();
  const OcrClient client(c, signer());
  constexpr int kThreads = 8;
  constexpr int kCalls = 25;
  std::atomic<int> ok{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) {
        const auto card = client.recognize_id_card(kSample);
        if (card.ok()) {
          ++ok;
        } else {
          std::lock_guard<std::mutex> lock(failures_mutex);
          failures.push_back(card.error().message());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kCalls) << (failures.empty() ? std::string() : failures.front());
  EXPECT_EQ(server().stats().ocr_requests, static_cast<std::size_t>(kThreads * kCalls));
  // One refused signature: the lookup's first. The lookup runs once, before
  // any OCR request, and every OCR request is signed with its correction.
  EXPECT_EQ(server().stats().auth_failures, 1u);
  EXPECT_EQ(client.project_id().value(), server().options().projects.front().id);
}

// Deterministic form of the race: two calls signed before any correction;
// the second's 401 is answered only after the first call corrected the clock
// and re-sent. The second call, whose own signing clock is already right by
// then, must still re-sign and re-send.
TEST(AuthSkewRace, A401ArrivingAfterAnotherThreadCorrectedTheClockIsResignedAndSent) {
  HostileServer server;
  std::string start_error;
  ASSERT_TRUE(server.start(&start_error)) << start_error;
  std::mutex mutex;
  std::condition_variable changed;
  int skewed_seen = 0;
  int corrected_seen = 0;
  server.set_default([&](const RecordedRequest& request) {
    const auto signed_at = parse_sdk_date(request.header("X-Sdk-Date"));
    const auto now = std::chrono::system_clock::now();
    const bool skewed = !signed_at || *signed_at < now - std::chrono::minutes(15) ||
                        *signed_at > now + std::chrono::minutes(15);
    std::unique_lock<std::mutex> lock(mutex);
    if (!skewed) {
      ++corrected_seen;
      changed.notify_all();
      return json(200, kGeneralTextAnswer);
    }
    const int n = ++skewed_seen;
    changed.notify_all();
    // Bounded, so a broken client ends the test rather than hangs it.
    if (n == 1) changed.wait_for(lock, seconds(20), [&] { return skewed_seen >= 2; });
    if (n == 2) changed.wait_for(lock, seconds(20), [&] { return corrected_seen >= 1; });
    return json_error(401, "APIG.0301", "Incorrect IAM authentication information: verify aksk signature fail",
                      {{"Date", http_date(std::chrono::system_clock::now())}});
  });
  ClientConfig c;
  c.endpoint = server.endpoint();
  c.iam_endpoint = server.endpoint();
  c.project_id = kProject;
  c.connect_timeout = seconds(5);
  c.request_timeout = seconds(30);
  c.retry.initial_backoff = milliseconds(1);
  c.retry.max_backoff = milliseconds(10);
  c.clock = twenty_minutes_behind();
  const OcrClient client(c, std::make_shared<AkSkSigner>("AUTHDEFECTSAK0000001", "auth-defects-sk"));
  std::string outcome[2];
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      const auto text = client.recognize_general_text(kSample);
      outcome[t] = text.ok() ? "ok" : text.error().message();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(outcome[0], "ok");
  EXPECT_EQ(outcome[1], "ok");
  EXPECT_EQ(skewed_seen, 2);
  EXPECT_EQ(corrected_seen, 2);
}

// ===== Defect 4: deadlines that do not hold ==================================

// An IAM (and gateway) that accepts every connection, reads the request and
// never answers.
class SilentIam : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.start(&error)) << error;
    server_.set_default(Script().stall(seconds(60)));
  }

  // IAM retries generously on the client's own policy: without the call's
  // deadline reaching the IAM calls, 5 attempts would be made.
  ClientConfig config() {
    ClientConfig c;
    c.endpoint = server_.endpoint();
    c.iam_endpoint = server_.endpoint();
    c.connect_timeout = seconds(5);
    c.request_timeout = seconds(3);  // bounds each IAM attempt, so a failure of this test is not a hang
    c.retry.max_attempts = 5;
    c.retry.initial_backoff = milliseconds(1);
    c.retry.max_backoff = milliseconds(10);
    return c;
  }
  static CallOptions with_deadline(milliseconds deadline, const ClientConfig& c) {
    CallOptions call;
    call.retry = c.retry;
    call.retry->deadline = deadline;
    return call;
  }

  // One call starts the IAM request (a 1.5 s deadline); once that request is
  // at the server, a second call with a 500 ms deadline waits on it.
  void run_waiter_and_fetcher(std::shared_ptr<Authenticator> auth, ClientConfig c) {
    const OcrClient client(c, std::move(auth));
    double fetcher_seconds = 0;
    std::optional<Error> fetcher_error;
    std::thread fetcher([&] {
      const auto start = SteadyClock::now();
      const auto text = client.recognize_general_text(kSample, with_deadline(milliseconds(1500), c));
      fetcher_seconds = seconds_since(start);
      if (!text.ok()) fetcher_error = text.error();
    });
    ASSERT_TRUE(wait_for_requests(server_, 1));
    const auto start = SteadyClock::now();
    const auto text = client.recognize_general_text(kSample, with_deadline(milliseconds(500), c));
    const double waiter_seconds = seconds_since(start);
    fetcher.join();

    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.error().category, ErrorCategory::kTimeout) << text.error().message();
    EXPECT_LT(waiter_seconds, 5.0) << text.error().message();
    ASSERT_TRUE(fetcher_error.has_value());
    EXPECT_EQ(fetcher_error->category, ErrorCategory::kTimeout) << fetcher_error->message();
    EXPECT_LT(fetcher_seconds, 6.0) << fetcher_error->message();
    // No OCR request was sent: credentials or project never came.
    for (const auto& r : server_.requests()) EXPECT_EQ(r.target.find("/ocr/"), std::string::npos) << r.target;
  }

  HostileServer server_;
};

TEST_F(SilentIam, CallWaitingForAnotherThreadsTokenFetchEndsAtItsOwnDeadline) {
  auto c = config();
  c.project_id = kProject;
  run_waiter_and_fetcher(std::make_shared<TokenAuthenticator>("user", "password", "account"), c);
}

TEST_F(SilentIam, CallWaitingForAnotherThreadsProjectLookupEndsAtItsOwnDeadline) {
  run_waiter_and_fetcher(std::make_shared<AkSkSigner>("AUTHDEFECTSAK0000001", "auth-defects-sk"), config());
}

// ===== Defect 7: one TokenAuthenticator, several scopes ======================

const std::string kNorthProject = "0e5a1b2c3d4e5f60718293a4b5c6d7e8";
const std::string kEastProject = "1f6b2c3d4e5f60718293a4b5c6d7e8f9";

std::string header_of(const emulator::RecordedRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

std::shared_ptr<TokenAuthenticator> shared_token_auth() {
  return std::make_shared<TokenAuthenticator>(default_user().name, default_user().password, default_user().domain);
}

// One IAM, two projects: a client for cn-north-4 and one for cn-east-3 share
// the authenticator; each must get and send a token of its own project.
TEST(SharedTokenAuthenticator, TwoRegionsOnOneIamEachSendATokenOfTheirOwnProject) {
  emulator::Options options;
  options.projects = {{kNorthProject, "cn-north-4"}, {kEastProject, "cn-east-3"}};
  emulator::Emulator iam(options);  // also cn-north-4's gateway
  std::string error;
  ASSERT_TRUE(iam.start(&error)) << error;
  HostileServer east_gateway;  // records what cn-east-3's client sends
  ASSERT_TRUE(east_gateway.start(&error)) << error;
  east_gateway.set_default(json(200, kGeneralTextAnswer));

  const auto auth = shared_token_auth();
  ClientConfig north;
  north.region = "cn-north-4";
  north.endpoint = iam.endpoint();
  north.iam_endpoint = iam.endpoint();
  ClientConfig east = north;
  east.region = "cn-east-3";
  east.endpoint = east_gateway.endpoint();
  const OcrClient north_client(north, auth);
  const OcrClient east_client(east, auth);

  for (int i = 0; i < 2; ++i) {
    const auto n = north_client.recognize_general_text(kSample);
    ASSERT_TRUE(n.ok()) << n.error().message();
    const auto e = east_client.recognize_general_text(kSample);
    ASSERT_TRUE(e.ok()) << e.error().message();
  }
  EXPECT_EQ(north_client.project_id().value(), kNorthProject);
  EXPECT_EQ(east_client.project_id().value(), kEastProject);
  EXPECT_EQ(iam.stats().token_requests, 2u);  // one per scope, each cached
  EXPECT_EQ(auth->tokens_issued(), 2u);

  std::string north_token;
  for (const auto& r : iam.requests()) {
    if (r.path.find("/ocr/") == std::string::npos) continue;
    EXPECT_EQ(r.status, 200);
    north_token = header_of(r, "X-Auth-Token");
  }
  ASSERT_FALSE(north_token.empty());
  const auto east_requests = east_gateway.requests();
  ASSERT_EQ(east_requests.size(), 2u);
  for (const auto& r : east_requests) {
    EXPECT_NE(r.target.find("/v2/" + kEastProject + "/ocr/"), std::string::npos) << r.target;
    EXPECT_EQ(r.header("X-Project-Id"), kEastProject);
    EXPECT_FALSE(r.header("X-Auth-Token").empty());
    EXPECT_NE(r.header("X-Auth-Token"), north_token);
  }
}

// Two accounts' IAM endpoints with the same region name: the scope includes
// the IAM endpoint, so neither client sends the other IAM's token.
TEST(SharedTokenAuthenticator, TwoIamEndpointsWithTheSameRegionEachKeepTheirOwnToken) {
  emulator::Options first_options;
  emulator::Options second_options;
  second_options.projects = {{kEastProject, "cn-north-4"}};
  emulator::Emulator first(first_options);
  emulator::Emulator second(second_options);
  std::string error;
  ASSERT_TRUE(first.start(&error)) << error;
  ASSERT_TRUE(second.start(&error)) << error;

  const auto auth = shared_token_auth();
  ClientConfig a;
  a.endpoint = first.endpoint();
  a.iam_endpoint = first.endpoint();
  ClientConfig b = a;
  b.endpoint = second.endpoint();
  b.iam_endpoint = second.endpoint();
  const OcrClient client_a(a, auth);
  const OcrClient client_b(b, auth);
  for (int i = 0; i < 3; ++i) {
    const auto ra = client_a.recognize_id_card(kSample);
    ASSERT_TRUE(ra.ok()) << ra.error().message();
    const auto rb = client_b.recognize_id_card(kSample);
    ASSERT_TRUE(rb.ok()) << rb.error().message();
  }
  EXPECT_EQ(first.stats().token_requests, 1u);
  EXPECT_EQ(second.stats().token_requests, 1u);
  EXPECT_EQ(first.stats().auth_failures, 0u);
  EXPECT_EQ(second.stats().auth_failures, 0u);
  EXPECT_EQ(client_b.project_id().value(), kEastProject);
}

}  // namespace
}  // namespace hwocr::testing
