// hwocr against a hostile server (tests/hostile_server.h) and hostile inputs:
// one or more end-to-end tests over 127.0.0.1 per defect of issue 7, and the
// attacks the issue does not name. Whatever the server or the caller does,
// a call ends in a success or an Error -- never a crash, a hang, an
// exception, a forged request or a secret in any text that leaves hwocr.
//
// Every test's outputs (log lines at all levels, every Error's texts,
// exception texts) are collected and checked in TearDown for the secrets
// used here: the SK, the security token, the IAM password in every form hwocr
// encodes it, the tokens the hostile IAM issues.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "hostile_server.h"
#include "hwocr/cards.h"
#include "hwocr/hwocr.h"
#include "hwocr/invoices.h"
#include "hwocr/text.h"

namespace hwocr::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// ---- Secrets: each carries a marker that must never appear in any output.
const std::string kAk = "HOSTILEAK00000000001";
const std::string kSk = "SK-SECRET-5f0c2e9a7b31d4";
const std::string kSecurityToken = "STS-SECRET-8d1e4a2c6b";
const std::string kUser = "hostile-user";
const std::string kDomain = "hostile-domain";
// The issue's password: a quote, a backslash and a control character.
const std::string kPassword = std::string("pa\"ss\\wo") + '\x01' + "rd";
// Every form in which hwocr (or its own escaping) could write it.
const std::vector<std::string> kPasswordForms = {
    kPassword,                                  // raw
    "pa\\\"ss\\\\wo\\u0001rd",                  // JSON-escaped
    "pa%22ss%5Cwo%01rd", "pa%22ss%5cwo%01rd",   // percent-encoded
    "pa\"ss\\wo\\u0001rd", "pa\"ss\\wo\\x01rd",  // control character escaped for a log line
};
const std::string kTokenMarker = "TOKEN-SECRET";
const std::string kIssuedToken = "MIIhostile-" + kTokenMarker + "-0123456789abcdef";
const std::string kProject = "0hostile0project0id0000000000000";

const std::string kRequestIdHeader = "X-Request-Id";

// A small "image" of a format nobody recognizes: checked by the service only.
const Image kImage = Image::from_bytes(std::string("hostile test image bytes"));

std::string ocr_path(std::string_view api) { return "/v2/" + kProject + "/ocr/" + std::string(api); }

bool is_iam_token_request(const RecordedRequest& r) { return r.target.rfind("/v3/auth/tokens", 0) == 0; }
bool is_project_request(const RecordedRequest& r) { return r.target.rfind("/v3/projects", 0) == 0; }
bool is_ocr_request(const RecordedRequest& r) { return r.target.find("/ocr/") != std::string::npos; }

// A control character other than tab, or a lone CR/LF, in a head line.
bool has_broken_line(const std::string& head) {
  std::string_view rest(head);
  while (!rest.empty()) {
    const std::size_t crlf = rest.find("\r\n");
    const std::string_view line = rest.substr(0, crlf);
    for (const char c : line) {
      const auto byte = static_cast<unsigned char>(c);
      if ((byte < 0x20 && c != '\t') || byte == 0x7f) return true;
    }
    if (crlf == std::string_view::npos) break;
    rest.remove_prefix(crlf + 2);
  }
  return false;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// A 200 general-text answer whose only line says `words`.
std::string general_text_answer(const std::string& words) {
  return R"({"result":{"words_block_count":1,"words_block_list":[{"words":)" + json_quote(words) +
         R"(,"location":[[1,2],[3,2],[3,4],[1,4]],"confidence":0.9}]}})";
}

std::string id_card_answer() { return R"({"result":{"name":"Li Ming","sex":"M","number":"11010819880315231X"}})"; }

// IAM's answer to POST /v3/auth/tokens.
Script iam_token(const std::string& token = kIssuedToken, const std::string& project_json = json_quote(kProject),
                 const HeaderList& extra = {}) {
  HeaderList headers = extra;
  headers.emplace_back("X-Subject-Token", token);
  return json(201,
              R"({"token":{"expires_at":"2099-01-02T00:00:00.000000Z","issued_at":"2099-01-01T00:00:00.000000Z",)"
              R"("project":{"id":)" + project_json + R"(,"name":"cn-north-4"}}})",
              headers);
}

// Everything a test's code let out of hwocr.
class Outputs {
 public:
  LogCallback callback() {
    return [this](LogLevel level, std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.push_back(std::string(to_string(level)) + ": " + std::string(line));
    };
  }
  void add(std::string text) {
    std::lock_guard<std::mutex> lock(mutex_);
    texts_.push_back(std::move(text));
  }
  void add(const Error& error) {
    add(error.message());
    add(error.error_msg);
    add(error.error_code);
    add(error.request_id);
    add(error.response_body);
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }
  // Log lines and other texts.
  std::vector<std::string> all() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out = lines_;
    out.insert(out.end(), texts_.begin(), texts_.end());
    return out;
  }
  std::string log() const {
    std::string text;
    for (const auto& line : lines()) text += line + "\n";
    return text;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  std::vector<std::string> texts_;
};

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.start(&error)) << error;
  }

  void TearDown() override {
    server_.stop();
    const auto texts = out_.all();
    std::vector<std::string> secrets = {kSk, "SK-SECRET", kSecurityToken, "STS-SECRET", kTokenMarker};
    secrets.insert(secrets.end(), kPasswordForms.begin(), kPasswordForms.end());
    secrets.insert(secrets.end(), extra_secrets_.begin(), extra_secrets_.end());
    for (const auto& secret : secrets) {
      for (const auto& text : texts) {
        EXPECT_EQ(text.find(secret), std::string::npos)
            << "a secret (" << secret.size() << " bytes, starting '" << secret.substr(0, 6)
            << "') is in an output text of " << text.size() << " bytes";
      }
    }
  }

  ClientConfig config() {
    ClientConfig c;
    c.endpoint = server_.endpoint();
    c.iam_endpoint = server_.endpoint();
    c.project_id = kProject;
    c.connect_timeout = seconds(5);
    c.request_timeout = seconds(10);
    c.retry.max_attempts = 1;
    c.retry.initial_backoff = milliseconds(1);
    c.retry.max_backoff = milliseconds(10);
    c.log = out_.callback();
    return c;
  }
  static std::shared_ptr<AkSkSigner> signer() { return std::make_shared<AkSkSigner>(kAk, kSk, kSecurityToken); }
  static std::shared_ptr<TokenAuthenticator> token_auth() {
    return std::make_shared<TokenAuthenticator>(kUser, kPassword, kDomain);
  }

  // Collects a result's error texts for the secret check.
  template <class T>
  const Result<T>& see(const Result<T>& result) {
    if (!result.ok()) out_.add(result.error());
    return result;
  }

  // The client still works after whatever came before: the next answer is
  // its own.
  void expect_next_call_gets_its_own_answer(const OcrClient& client, const std::string& marker) {
    server_.enqueue(json(200, general_text_answer(marker)));
    const auto next = see(client.recognize_general_text(kImage));
    ASSERT_TRUE(next.ok()) << next.error().message();
    ASSERT_EQ(next->words_block_list.size(), 1u);
    EXPECT_EQ(next->words_block_list[0].words, marker);
  }

  HostileServer server_;
  Outputs out_;
  std::vector<std::string> extra_secrets_;  // per test, e.g. a signature seen on the wire
};

// ===== 1. Deep JSON =========================================================
// (These crashed the process before the fix; run them apart from the rest
// while that is so: --gtest_filter='HostileDeepJson.*'.)

using HostileDeepJson = Hostile;

TEST_F(HostileDeepJson, ErrorCodeNested100000DeepIsAParseErrorWithTheRequestId) {
  server_.enqueue(json(400, R"({"error_code":)" + nested(100000) + R"(,"error_msg":"deep"})",
                       {{kRequestIdHeader, "rid-deep-error"}}));
  const OcrClient client(config(), signer());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kParse) << card.error().message();
  EXPECT_EQ(card.error().request_id, "rid-deep-error");
  EXPECT_LE(card.error().message().size(), 8192u);
}

TEST_F(HostileDeepJson, ResultNested100000DeepIsAParseErrorWithTheRequestId) {
  const std::string body = R"({"result":{"name":"deep","nest":)" + nested(100000) + "}}";
  server_.enqueue(json(200, body, {{kRequestIdHeader, "rid-deep-typed"}}));
  server_.enqueue(json(200, body, {{kRequestIdHeader, "rid-deep-raw"}}));
  const OcrClient client(config(), signer());

  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_FALSE(card.ok()) << "a document 100,000 levels deep was accepted";
  EXPECT_EQ(card.error().category, ErrorCategory::kParse) << card.error().message();
  EXPECT_EQ(card.error().request_id, "rid-deep-typed");

  const auto raw = see(client.call("id-card", kImage));
  ASSERT_FALSE(raw.ok()) << "a document 100,000 levels deep was accepted";
  EXPECT_EQ(raw.error().category, ErrorCategory::kParse) << raw.error().message();
  EXPECT_EQ(raw.error().request_id, "rid-deep-raw");
}

TEST_F(HostileDeepJson, IamTokenAnswerNested100000DeepIsAParseErrorWithTheRequestId) {
  HeaderList headers = {{"X-Subject-Token", kIssuedToken}, {kRequestIdHeader, "rid-deep-iam"}};
  server_.enqueue(json(201, R"({"token":{"project":{"id":)" + nested(100000) + "}}}", headers));
  const OcrClient client(config(), token_auth());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kParse) << card.error().message();
  EXPECT_EQ(card.error().request_id, "rid-deep-iam");
  for (const auto& r : server_.requests()) EXPECT_FALSE(is_ocr_request(r)) << r.target;
}

TEST_F(HostileDeepJson, IamErrorAndProjectLookupNested100000DeepFail) {
  // Whatever the category, these end in an Error (the process survives).
  server_.enqueue(json(400, R"({"error":{"code":)" + nested(100000) + R"(,"message":"deep"}})"));
  const OcrClient token_client(config(), token_auth());
  EXPECT_FALSE(see(token_client.recognize_id_card(kImage)).ok());

  auto c = config();
  c.project_id.clear();  // AK/SK looks the project up
  server_.enqueue(json(200, R"({"projects":[{"id":)" + nested(100000) + R"(,"name":"cn-north-4"}]})"));
  const OcrClient aksk_client(c, signer());
  EXPECT_FALSE(see(aksk_client.recognize_id_card(kImage)).ok());
  for (const auto& r : server_.requests()) EXPECT_FALSE(is_ocr_request(r)) << r.target;
}

TEST_F(HostileDeepJson, NestingOf200InAnUnknownFieldIsAccepted) {
  server_.enqueue(json(200, R"({"result":{"name":"shallow enough","unknown":)" + nested(200) + "}}"));
  const OcrClient client(config(), signer());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(card->name, "shallow enough");
  EXPECT_EQ(card->raw["unknown"].size(), 1u);
  EXPECT_EQ(card->raw.dump().find(nested(200)), std::string("{\"name\":\"shallow enough\",\"unknown\":").size());
}

// ===== 2. Files that are not regular files ===================================

using HostileFiles = Hostile;

TEST_F(HostileFiles, FifoWithNoWriterIsRefusedPromptly) {
  const std::string dir = ::testing::TempDir() + "hwocr_hostile_fifo_" + std::to_string(::getpid());
  ::mkdir(dir.c_str(), 0700);
  const std::string fifo = dir + "/image.jpg";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const OcrClient client(config(), signer());
  auto call = std::async(std::launch::async, [&] { return client.recognize_id_card(Image::from_file(fifo)); });
  const bool prompt = call.wait_for(seconds(10)) == std::future_status::ready;
  if (!prompt) {
    // Unblock the reader stuck in open(): a writer appears and leaves.
    const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (writer >= 0) ::close(writer);
  }
  const auto card = see(call.get());
  EXPECT_TRUE(prompt) << "the call blocked on a FIFO";
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kInvalidArgument);
  EXPECT_NE(card.error().message().find("not a regular file"), std::string::npos) << card.error().message();
  EXPECT_EQ(server_.request_count(), 0u);
  ::unlink(fifo.c_str());
  ::rmdir(dir.c_str());
}

TEST_F(HostileFiles, DirectoryAndDevZeroAreRefused) {
  const OcrClient client(config(), signer());
  for (const std::string& path : std::vector<std::string>{::testing::TempDir(), "/dev/zero"}) {
    auto call = std::async(std::launch::async, [&] { return client.recognize_id_card(Image::from_file(path)); });
    ASSERT_EQ(call.wait_for(seconds(20)), std::future_status::ready) << path;
    const auto card = see(call.get());
    ASSERT_FALSE(card.ok()) << path;
    EXPECT_EQ(card.error().category, ErrorCategory::kInvalidArgument) << path << ": " << card.error().message();
    EXPECT_NE(card.error().message().find("not a regular file"), std::string::npos) << card.error().message();
  }
  EXPECT_EQ(server_.request_count(), 0u);
}

// ===== 3. Header injection and request smuggling ============================

using HostileHeaders = Hostile;

const std::string kSmuggled = "x\r\nContent-Length: 0\r\n\r\nPOST /v2/" + kProject +
                              "/ocr/general-text HTTP/1.1\r\nHost: x";

std::vector<std::string> hostile_header_values() {
  return {"a\rb", "a\nb", "a\r\nX-Injected: 1", std::string("a") + '\x01' + "b", std::string("a") + '\0' + "b",
          "a\x1f" "b", kSmuggled};
}

void expect_invalid_config(const ClientConfig& c, const std::shared_ptr<Authenticator>& auth, Outputs& out,
                           const std::string& what) {
  try {
    const OcrClient client(c, auth);
    ADD_FAILURE() << what << ": the client was built";
  } catch (const Exception& e) {
    out.add(e.what());
    out.add(e.error());
    EXPECT_EQ(e.error().category, ErrorCategory::kInvalidArgument) << what;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": not an hwocr::Exception: " << e.what();
  }
}

TEST_F(HostileHeaders, ControlCharactersInConfiguredHeaderValuesAreRefusedByTheConstructor) {
  for (const auto& value : hostile_header_values()) {
    auto c = config();
    c.user_agent_suffix = value;
    expect_invalid_config(c, signer(), out_, "user_agent_suffix");
    c = config();
    c.enterprise_project_id = value;
    expect_invalid_config(c, signer(), out_, "enterprise_project_id");
    c = config();
    c.project_id = value;
    expect_invalid_config(c, signer(), out_, "project_id");
  }
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(HostileHeaders, TabInAHeaderValueIsAllowed) {
  auto c = config();
  c.user_agent_suffix = "tabbed\tsuffix";
  c.enterprise_project_id = "epid\twith-tab";
  server_.enqueue(json(200, id_card_answer()));
  const OcrClient client(c, signer());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_TRUE(card.ok()) << card.error().message();
  ASSERT_EQ(server_.request_count(), 1u);
  EXPECT_FALSE(has_broken_line(server_.requests()[0].head));
}

TEST_F(HostileHeaders, ControlCharactersInPerCallEnterpriseProjectIdSendNothing) {
  const OcrClient client(config(), signer());
  for (const auto& value : hostile_header_values()) {
    CallOptions call;
    call.enterprise_project_id = value;
    Result<IdCardResult> card = Error{};
    EXPECT_NO_THROW(card = client.recognize_id_card(kImage, {}, call));
    see(card);
    ASSERT_FALSE(card.ok());
    EXPECT_EQ(card.error().category, ErrorCategory::kInvalidArgument) << card.error().message();
  }
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(HostileHeaders, TheIssuesSmugglingStringNeverReachesTheWire) {
  // As configured: refused when the client is built.
  auto c = config();
  c.user_agent_suffix = kSmuggled;
  expect_invalid_config(c, signer(), out_, "user_agent_suffix");

  // Per call: refused before sending; the calls in between each get their own
  // answer, and the server sees exactly one request per good call.
  server_.set_default([](const RecordedRequest& r) {
    return json(200, general_text_answer("answer for " + r.header("Enterprise-Project-Id")));
  });
  const OcrClient client(config(), signer());
  for (int round = 1; round <= 4; ++round) {
    CallOptions bad;
    bad.enterprise_project_id = kSmuggled;
    Result<GeneralTextResult> smuggled = Error{};
    EXPECT_NO_THROW(smuggled = client.recognize_general_text(kImage, {}, bad));
    see(smuggled);
    ASSERT_FALSE(smuggled.ok()) << "round " << round << ": the smuggled call 'succeeded'";
    EXPECT_EQ(smuggled.error().category, ErrorCategory::kInvalidArgument);

    CallOptions good;
    good.enterprise_project_id = "epid-" + std::to_string(round);
    const auto text = see(client.recognize_general_text(kImage, {}, good));
    ASSERT_TRUE(text.ok()) << text.error().message();
    ASSERT_EQ(text->words_block_list.size(), 1u);
    EXPECT_EQ(text->words_block_list[0].words, "answer for epid-" + std::to_string(round));
    EXPECT_EQ(server_.request_count(), static_cast<std::size_t>(round));
  }
  for (const auto& r : server_.requests()) {
    EXPECT_FALSE(has_broken_line(r.head)) << r.head;
    EXPECT_EQ(r.target, ocr_path("general-text"));
    EXPECT_EQ(count(r.head, "Content-Length:") + count(r.head, "content-length:"), 1u) << r.head;
  }
}

TEST_F(HostileHeaders, ControlCharactersInTheAkOrSecurityTokenAreRefusedBySigner) {
  for (const auto& value : hostile_header_values()) {
    for (int which = 0; which < 2; ++which) {
      try {
        const AkSkSigner signer(which == 0 ? "AK" + value : kAk, kSk, which == 1 ? "STS" + value : "");
        ADD_FAILURE() << (which == 0 ? "AK" : "security token") << " with a control character was accepted";
      } catch (const Exception& e) {
        out_.add(e.what());
        EXPECT_EQ(e.error().category, ErrorCategory::kInvalidArgument);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "not an hwocr::Exception: " << e.what();
      }
    }
  }
}

// The hostile IAM's answers carry control characters; the client must not
// put them on the wire.
void expect_no_forged_request(const std::vector<RecordedRequest>& requests) {
  for (const auto& r : requests) {
    EXPECT_FALSE(is_ocr_request(r)) << "an OCR request was sent: " << json_quote(r.head);
    EXPECT_FALSE(has_broken_line(r.head)) << json_quote(r.head);
    EXPECT_TRUE(is_iam_token_request(r) || is_project_request(r)) << json_quote(r.head);
  }
}

TEST_F(HostileHeaders, IamProjectIdWithControlCharactersIsNotUsed) {
  auto c = config();
  c.project_id.clear();  // from the token
  for (const std::string& project : std::vector<std::string>{"p\r\nX-Injected: 1", "p\rq", "p\nq", std::string("p") + '\x01',
                                                              "p\r\nContent-Length: 0\r\n\r\nGET /smuggled HTTP/1.1"}) {
    server_.enqueue(iam_token(kIssuedToken, json_quote(project)));
    const OcrClient client(c, token_auth());
    Result<IdCardResult> card = Error{};
    EXPECT_NO_THROW(card = client.recognize_id_card(kImage));
    see(card);
    EXPECT_FALSE(card.ok()) << json_quote(project);
  }
  expect_no_forged_request(server_.requests());
}

TEST_F(HostileHeaders, AkSkProjectLookupWithControlCharactersIsNotUsed) {
  auto c = config();
  c.project_id.clear();  // GET /v3/projects
  for (const std::string& project : std::vector<std::string>{"p\r\nX-Injected: 1", std::string("p") + '\x01',
                                                              "p\r\nContent-Length: 0\r\n\r\nGET /smuggled HTTP/1.1"}) {
    server_.enqueue(json(200, R"({"projects":[{"id":)" + json_quote(project) + R"(,"name":"cn-north-4"}]})"));
    const OcrClient client(c, signer());
    Result<IdCardResult> card = Error{};
    EXPECT_NO_THROW(card = client.recognize_id_card(kImage));
    see(card);
    EXPECT_FALSE(card.ok()) << json_quote(project);
  }
  expect_no_forged_request(server_.requests());
}

TEST_F(HostileHeaders, IamSubjectTokenWithControlCharactersIsNotSent) {
  // On the wire a header line cannot hold CR LF, but it can hold a lone CR
  // or another control character. RFC 9110 5.5 lets a recipient replace a
  // lone CR with a space; a control character that stays in the token must
  // end the call before the OCR request.
  server_.set_default([](const RecordedRequest&) { return json(200, id_card_answer()); });
  struct Case {
    std::string token;
    bool may_succeed;  // a lone CR may have become a space
  };
  const std::vector<Case> cases = {
      {kIssuedToken + '\x01', false},
      {kIssuedToken + '\x7f' + "x", false},
      {kIssuedToken + "\rX-Injected: 1", true},
      {kIssuedToken + "\rContent-Length: 0\r\rPOST " + ocr_path("general-text") + " HTTP/1.1", true},
  };
  for (const auto& c : cases) {
    const std::size_t before = server_.request_count();
    server_.enqueue(iam_token(c.token));
    const OcrClient client(config(), token_auth());
    Result<IdCardResult> card = Error{};
    EXPECT_NO_THROW(card = client.recognize_id_card(kImage));
    see(card);
    const auto requests = server_.requests();
    std::size_t ocr_requests = 0;
    for (std::size_t i = before; i < requests.size(); ++i) {
      const auto& r = requests[i];
      EXPECT_FALSE(has_broken_line(r.head)) << json_quote(r.head);
      EXPECT_TRUE(is_iam_token_request(r) || r.target == ocr_path("id-card")) << json_quote(r.head);
      if (is_ocr_request(r)) {
        ++ocr_requests;
        EXPECT_EQ(r.header("X-Auth-Token").find('\r'), std::string::npos);
        EXPECT_FALSE(r.has_header("X-Injected")) << json_quote(r.head);
      }
    }
    if (!c.may_succeed) {
      EXPECT_FALSE(card.ok()) << json_quote(c.token);
      EXPECT_EQ(ocr_requests, 0u) << json_quote(c.token);
    } else {
      EXPECT_LE(ocr_requests, 1u) << json_quote(c.token);  // nothing smuggled after it
      EXPECT_EQ(card.ok(), ocr_requests == 1u);
    }
  }
}

TEST_F(HostileHeaders, IamProjectIdCannotRewriteTheRequestPath) {
  // Not control characters but URL syntax: a hostile IAM's project id must
  // not move the OCR request (with its image and token) to another path.
  auto c = config();
  c.project_id.clear();  // from the token
  server_.set_default([](const RecordedRequest& r) {
    return is_iam_token_request(r) ? Script(json(400, "{}")) : json(200, id_card_answer());
  });
  for (const std::string& project : std::vector<std::string>{"../../../v3/auth/tokens", "p/../../../evil", "p?x=1",
                                                              "p#fragment", "p%2F..%2F..", "p/./q", "p q"}) {
    const std::size_t before = server_.request_count();
    server_.enqueue(iam_token(kIssuedToken, json_quote(project)));
    const OcrClient client(c, token_auth());
    Result<IdCardResult> card = Error{};
    EXPECT_NO_THROW(card = client.recognize_id_card(kImage));
    see(card);
    std::cout << "    project id " << json_quote(project) << ": "
              << (card.ok() ? std::string("success") : json_quote(card.error().message())) << "\n";
    const auto requests = server_.requests();
    for (std::size_t i = before + 1; i < requests.size(); ++i) {
      const std::string& target = requests[i].target;
      std::cout << "    project id " << json_quote(project) << " -> " << json_quote(target) << "\n";
      EXPECT_EQ(target.rfind("/v2/", 0), 0u) << target;
      EXPECT_EQ(target.find("/.."), std::string::npos) << target;
      EXPECT_EQ(target.find('?'), std::string::npos) << target;
      EXPECT_NE(target.find("/ocr/id-card"), std::string::npos) << target;
    }
  }
}

// ===== 4. Secrets that leak ==================================================

using HostileSecrets = Hostile;

// Builds a client from `c` and makes a call; every text of what came out is
// collected (the TearDown check then looks for `extra_secrets_`).
void build_and_call(const ClientConfig& c, Outputs& out, std::vector<std::string>& texts) {
  try {
    const OcrClient client(c, std::make_shared<AkSkSigner>(kAk, kSk));
    const auto card = client.recognize_id_card(kImage);
    if (!card.ok()) {
      out.add(card.error());
      texts.push_back(card.error().message());
      texts.push_back(card.error().response_body);
    }
  } catch (const Exception& e) {
    out.add(e.what());
    out.add(e.error());
    texts.push_back(e.what());
  } catch (const std::exception& e) {
    out.add(e.what());
    texts.push_back(e.what());
  }
}

TEST_F(HostileSecrets, CredentialsInTheEndpointOrProxyNeverShow) {
  extra_secrets_ = {"PASS-SECRET", "PASS%2DSECRET", "PASS%2dSECRET"};
  server_.set_default(echo_request_headers());
  const std::string port = std::to_string(server_.port());
  std::size_t outcomes = 0;
  for (const std::string password : {"EP/PASS-SECRET", "EP?PASS-SECRET", "EP#PASS-SECRET", "PASS-SECRET",
                                     "EP%2FPASS-SECRET"}) {
    const std::string url = "http://user:" + password + "@127.0.0.1:" + port;
    std::vector<std::string> texts;
    auto c = config();
    c.endpoint = url;
    build_and_call(c, out_, texts);
    c = config();
    c.iam_endpoint = url;
    c.project_id.clear();
    build_and_call(c, out_, texts);
    c = config();
    c.proxy = url;
    build_and_call(c, out_, texts);
    outcomes += texts.size();
  }
  EXPECT_GT(outcomes, 0u);  // something was said: the check above had texts to look at
}

TEST_F(HostileSecrets, ProxyCredentialsEchoedAsBasicAuthNeverShow) {
  // libcurl, not hwocr, encodes the proxy's credentials (Proxy-Authorization:
  // Basic base64(user:password)); a proxy that echoes request headers shows them.
  extra_secrets_ = {"PASS-SECRET", "dXNlcjpQQVNTLVNFQ1JFVA"};
  server_.set_default(echo_request_headers());
  auto c = config();
  c.proxy = "http://user:PASS-SECRET@127.0.0.1:" + std::to_string(server_.port());
  const OcrClient client(c, signer());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_FALSE(card.ok());
  ASSERT_EQ(server_.request_count(), 1u);
  EXPECT_TRUE(server_.requests()[0].has_header("Proxy-Authorization"));
}

TEST_F(HostileSecrets, IamPasswordEchoedByIamNeverShowsInAnyForm) {
  server_.set_default(echo_request_body());
  const OcrClient client(config(), token_auth());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_FALSE(card.ok());
  // The echo reached the client (so the check is not vacuous) ...
  ASSERT_GE(server_.request_count(), 1u);
  const auto requests = server_.requests();
  ASSERT_TRUE(is_iam_token_request(requests[0]));
  ASSERT_NE(requests[0].body.find("pa\\\"ss\\\\wo\\u0001rd"), std::string::npos) << requests[0].body;
  EXPECT_NE(card.error().response_body.find("auth"), std::string::npos) << card.error().response_body;
  // ... and no form of the password is in it (TearDown checks every text).
  for (const auto& form : kPasswordForms) {
    EXPECT_EQ(card.error().message().find(form), std::string::npos);
    EXPECT_EQ(card.error().response_body.find(form), std::string::npos);
  }
}

TEST_F(HostileSecrets, IamPasswordEchoedAndEscapedAgainNeverShows) {
  // The echo JSON-escapes the JSON request body once more: response_body then
  // holds the password escaped twice.
  extra_secrets_ = {"pa\\\\\\\"ss\\\\\\\\wo\\\\u0001rd"};
  server_.set_default(echo_request_body());
  const OcrClient client(config(), token_auth());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_FALSE(card.ok());
  EXPECT_NE(card.error().response_body.find("auth"), std::string::npos) << card.error().response_body;
}

TEST_F(HostileSecrets, EchoedRequestHeadersShowNoCredentialAkSk) {
  server_.set_default(echo_request_headers());
  const OcrClient client(config(), signer());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_FALSE(card.ok());
  ASSERT_EQ(server_.request_count(), 1u);
  const RecordedRequest sent = server_.requests()[0];
  const std::string authorization = sent.header("Authorization");
  ASSERT_FALSE(authorization.empty());
  const auto at = authorization.find("Signature=");
  ASSERT_NE(at, std::string::npos);
  const std::string signature = authorization.substr(at + 10);
  ASSERT_EQ(signature.size(), 64u) << authorization;
  EXPECT_EQ(sent.header("X-Security-Token"), kSecurityToken);
  extra_secrets_ = {authorization, signature, sent.header("X-Security-Token")};
  // The echo did arrive: the request line is in it.
  EXPECT_NE(card.error().error_msg.find("POST " + ocr_path("id-card")), std::string::npos) << card.error().error_msg;
  EXPECT_NE(card.error().response_body.find("POST " + ocr_path("id-card")), std::string::npos);
}

TEST_F(HostileSecrets, EchoedRequestHeadersShowNoCredentialToken) {
  server_.set_default([](const RecordedRequest& r) {
    return is_iam_token_request(r) ? iam_token() : echo_request_headers()(r);
  });
  const OcrClient client(config(), token_auth());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_FALSE(card.ok());
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].header("X-Auth-Token"), kIssuedToken);
  extra_secrets_ = {kIssuedToken};
  EXPECT_NE(card.error().error_msg.find("POST " + ocr_path("id-card")), std::string::npos) << card.error().error_msg;
}

// ===== 5. Numbers and text from the service ==================================

using HostileNumbers = Hostile;

TEST_F(HostileNumbers, OneUnrepresentableNumberDropsOnlyThatField) {
  server_.enqueue(json(200, R"({"result":{"name":"Li Ming","sex":"M","birth":1e400,"number":"123",)"
                            R"("score_info":{"copy_score":96,"blur_score":1e400},"detect_copy_result":true}})"));
  const OcrClient client(config(), signer());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(card->name, "Li Ming");
  EXPECT_EQ(card->sex, "M");
  EXPECT_EQ(card->number, "123");
  EXPECT_EQ(card->birth, std::nullopt);
  EXPECT_EQ(card->detect_copy_result, true);
  ASSERT_TRUE(card->score_info.has_value());
  EXPECT_EQ(card->score_info->copy_score, 96);
  EXPECT_EQ(card->score_info->blur_score, std::nullopt);
}

TEST_F(HostileNumbers, OneInvalidUtf8StringDropsOnlyThatField) {
  server_.enqueue(json(200, std::string(R"({"result":{"name":"Li Ming","address":"bad )") + "\xff\xfe" +
                                R"( bytes","number":"123","sex":"M"}})"));
  const OcrClient client(config(), signer());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(card->name, "Li Ming");
  EXPECT_EQ(card->number, "123");
  EXPECT_EQ(card->sex, "M");
  EXPECT_EQ(card->address, std::nullopt);
}

TEST_F(HostileNumbers, OutOfRangeIntegersAndPointsAreDropped) {
  server_.enqueue(json(200, R"({"result":{"name":"Li Ming",)"
                            R"("score_info":{"tampering_score":1e300,"interim_score":-1e300,)"
                            R"("reproduce_score":18446744073709551615,"copy_score":96},)"
                            R"("portrait_location":[[1e300,5],[10,20],[-1e300,3],[18446744073709551615,1],)"
                            R"([30,18446744073709551615],[-1e300,-1e300]]}})"));
  server_.enqueue(json(200, R"({"result":{"words_block_count":18446744073709551615,"direction":1e300,)"
                            R"("words_block_list":[{"words":"w","location":[[1,2],[1e300,1],[3,-1e300],[5,6]]}]}})"));
  const OcrClient client(config(), signer());

  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(card->name, "Li Ming");
  ASSERT_TRUE(card->score_info.has_value());
  EXPECT_EQ(card->score_info->tampering_score, std::nullopt);
  EXPECT_EQ(card->score_info->interim_score, std::nullopt);
  EXPECT_EQ(card->score_info->reproduce_score, std::nullopt);
  EXPECT_EQ(card->score_info->copy_score, 96);
  EXPECT_EQ(card->portrait_location, (std::vector<Point>{{10, 20}}));

  const auto text = see(client.recognize_general_text(kImage));
  ASSERT_TRUE(text.ok()) << text.error().message();
  EXPECT_EQ(text->words_block_count, std::nullopt);
  ASSERT_EQ(text->words_block_list.size(), 1u);
  EXPECT_EQ(text->words_block_list[0].words, "w");
  EXPECT_EQ(text->words_block_list[0].location, (std::vector<Point>{{1, 2}, {5, 6}}));
}

// ===== 6. No exception out of a Result ======================================

using HostileNoThrow = Hostile;

TEST_F(HostileNoThrow, InvalidUtf8InAnImageUrlIsAnInvalidArgument) {
  const OcrClient client(config(), signer());
  Result<IdCardResult> card = Error{};
  EXPECT_NO_THROW(card = client.recognize_id_card(Image::from_url("https://example.com/\xff\xfe.jpg")));
  see(card);
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kInvalidArgument) << card.error().message();
  Result<OcrResponse> raw = Error{};
  EXPECT_NO_THROW(raw = client.call("id-card", Image::from_url("https://example.com/\xc3.jpg")));
  see(raw);
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.error().category, ErrorCategory::kInvalidArgument) << raw.error().message();
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(HostileNoThrow, InvalidUtf8InInvoiceVerificationFieldsIsAnInvalidArgument) {
  const OcrClient client(config(), signer());
  const std::string bad = "12\xff" "34";
  for (int field = 0; field < 5; ++field) {
    InvoiceVerificationRequest request;
    request.code = field == 0 ? bad : "011001900111";
    request.number = field == 1 ? bad : "12345678";
    request.issue_date = field == 2 ? bad : "2020-01-01";
    request.check_code = field == 3 ? bad : "123456";
    request.subtotal_amount = field == 4 ? bad : "88.00";
    Result<InvoiceVerificationResult> verified = Error{};
    EXPECT_NO_THROW(verified = client.recognize_invoice_verification(request)) << "field " << field;
    see(verified);
    ASSERT_FALSE(verified.ok()) << "field " << field;
    EXPECT_EQ(verified.error().category, ErrorCategory::kInvalidArgument) << verified.error().message();
  }
  EXPECT_EQ(server_.request_count(), 0u);
}

class ThrowingTransport final : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest&, const TransportLimits&) override {
    ++calls;
    throw std::runtime_error("the transport threw");
  }
  std::atomic<int> calls{0};
};

// Runs `call` on its own thread; false when it did not return within
// `limit` (the thread is then left behind, holding what it uses).
template <class F>
bool returns_within(std::chrono::seconds limit, F call) {
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  std::thread([done, call]() mutable {
    try {
      call();
    } catch (...) {
    }
    done->set_value();
  }).detach();
  return finished.wait_for(limit) == std::future_status::ready;
}

TEST_F(HostileNoThrow, ThrowingTransportGivesAnErrorWithAkSk) {
  auto transport = std::make_shared<ThrowingTransport>();
  auto c = config();
  c.transport = transport;
  const OcrClient client(c, signer());
  for (int i = 0; i < 2; ++i) {
    Result<IdCardResult> card = Error{};
    EXPECT_NO_THROW(card = client.recognize_id_card(kImage));
    see(card);
    EXPECT_FALSE(card.ok());
  }
  c.project_id.clear();  // the project lookup goes through it too
  const OcrClient lookup(c, signer());
  Result<IdCardResult> card = Error{};
  EXPECT_NO_THROW(card = lookup.recognize_id_card(kImage));
  see(card);
  EXPECT_FALSE(card.ok());
  EXPECT_GE(transport->calls.load(), 3);
}

TEST_F(HostileNoThrow, ThrowingTransportGivesAnErrorWithTokensAndTheNextCallReturns) {
  auto transport = std::make_shared<ThrowingTransport>();
  auto c = config();
  c.transport = transport;
  // Shared with the thread below, which may outlive the test if it hangs.
  auto sink = std::make_shared<Outputs>();
  c.log = [sink](LogLevel level, std::string_view line) { sink->callback()(level, line); };
  auto client = std::make_shared<const OcrClient>(c, token_auth());
  auto outcomes = std::make_shared<std::vector<Result<IdCardResult>>>();
  auto threw = std::make_shared<std::atomic<int>>(0);
  const bool returned = returns_within(seconds(20), [client, outcomes, threw] {
    for (int i = 0; i < 2; ++i) {
      try {
        outcomes->push_back(client->recognize_id_card(kImage));
      } catch (...) {
        ++*threw;
      }
    }
  });
  ASSERT_TRUE(returned) << "the second call hung (the token fetch stayed 'in progress')";
  EXPECT_EQ(threw->load(), 0);
  ASSERT_EQ(outcomes->size(), 2u);
  for (const auto& outcome : *outcomes) {
    see(outcome);
    EXPECT_FALSE(outcome.ok());
  }
  EXPECT_GE(transport->calls.load(), 1);
  for (const auto& line : sink->lines()) out_.add(line);
}

TEST_F(HostileNoThrow, ThrowingLogCallbackDoesNotStopACall) {
  std::atomic<int> lines{0};
  auto c = config();
  c.log = [&lines](LogLevel, std::string_view) {
    ++lines;
    throw std::runtime_error("the log callback threw");
  };
  server_.enqueue(json(200, id_card_answer()));
  server_.enqueue(json_error(400, "AIS.0101", "bad image"));
  const OcrClient client(c, signer());
  Result<IdCardResult> card = Error{};
  EXPECT_NO_THROW(card = client.recognize_id_card(kImage));
  see(card);
  ASSERT_TRUE(card.ok()) << card.error().message();
  EXPECT_EQ(card->name, "Li Ming");
  Result<IdCardResult> refused = Error{};
  EXPECT_NO_THROW(refused = client.recognize_id_card(kImage));
  see(refused);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().error_code, "AIS.0101");
  EXPECT_GT(lines.load(), 0);  // it was called (and threw)
}

// ===== 7. Log and error text from the service ================================

using HostileServiceText = Hostile;

bool has_control_character(const std::string& text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && c != '\t') return true;
  }
  return false;
}

TEST_F(HostileServiceText, ControlCharactersInErrorMsgAreEscaped) {
  const std::string forged = std::string("bad image\r\nerror: forged log line\nsecond\rthird") + '\x1b' + "[31m" +
                             '\x01' + "end";
  server_.enqueue(json_error(400, "AIS.0101", forged));
  server_.enqueue(json_error(400, "AIS.0101\r\nerror: forged code line", "msg"));
  const OcrClient client(config(), signer());
  for (int i = 0; i < 2; ++i) {
    const auto card = see(client.recognize_id_card(kImage));
    ASSERT_FALSE(card.ok());
    EXPECT_FALSE(has_control_character(card.error().message())) << json_quote(card.error().message());
    EXPECT_NE(card.error().message().find("forged"), std::string::npos) << card.error().message();
  }
  const auto lines = out_.lines();
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) EXPECT_FALSE(has_control_character(line)) << json_quote(line);
  EXPECT_EQ(count(out_.log(), "\nerror: forged"), 0u);
}

TEST_F(HostileServiceText, HugeErrorMsgIsCutInTheMessageAndKeptInTheResponseBody) {
  const std::string huge(20u * 1000u * 1000u, 'E');
  const std::string body = R"({"error_code":"AIS.0101","error_msg":")" + huge + R"("})";
  server_.enqueue(json(400, body));
  auto c = config();
  c.max_response_bytes = 64u << 20;
  const OcrClient client(c, signer());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kClient) << card.error().message().substr(0, 200);
  EXPECT_EQ(card.error().error_code, "AIS.0101");
  const std::string message = card.error().message();
  EXPECT_LE(message.size(), 8u * 1024u);
  EXPECT_LE(card.error().error_msg.size(), 8u * 1024u);
  const bool says_cut = message.find("cut") != std::string::npos || message.find("truncat") != std::string::npos ||
                        message.find("omitted") != std::string::npos || message.find("more bytes") != std::string::npos;
  EXPECT_TRUE(says_cut) << message.substr(message.size() > 300 ? message.size() - 300 : 0);
  EXPECT_EQ(card.error().response_body.size(), body.size());
  EXPECT_EQ(card.error().response_body, body);
  for (const auto& line : out_.lines()) EXPECT_LE(line.size(), 16u * 1024u);
}

// ===== 8. Memory per answer ===================================================

using HostileLimits = Hostile;

TEST_F(HostileLimits, DefaultResponseCapIs16MiB) { EXPECT_EQ(ClientConfig{}.max_response_bytes, 16u << 20); }

TEST_F(HostileLimits, AnswerLargerThanTheCapIsAParseErrorNamingTheLimit) {
  const std::string big = general_text_answer(std::string(2u << 20, 'w'));
  server_.enqueue(json(200, big));  // with Content-Length
  server_.enqueue(Script().send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                                "\r\n" + [&] {
                                  char size[32];
                                  std::snprintf(size, sizeof size, "%zx\r\n", big.size());
                                  return std::string(size) + big + "\r\n0\r\n\r\n";
                                }()));
  auto c = config();
  c.max_response_bytes = 1u << 20;
  const OcrClient client(c, signer());
  for (const char* framing : {"Content-Length", "chunked"}) {
    const auto text = see(client.recognize_general_text(kImage));
    ASSERT_FALSE(text.ok()) << framing;
    EXPECT_EQ(text.error().category, ErrorCategory::kParse) << framing << ": " << text.error().message();
    const std::string message = text.error().message();
    EXPECT_TRUE(message.find("1048576") != std::string::npos || message.find("1 MiB") != std::string::npos)
        << framing << ": " << message;
  }
  EXPECT_EQ(server_.request_count(), 2u);  // a parse error is not retried
}

// ===== 9. Uploads and slow links ===============================================

TEST(HostileSlowLink, StalledUploadEndsAtTheLowSpeedLimitNotTheTotalTimeout) {
  HostileServer::Options options;
  options.receive_buffer = 32 * 1024;  // so the upload really stalls
  HostileServer server(options);
  ASSERT_TRUE(server.start());
  server.set_default(Script().read(Script::Read::kHeadOnly).stall(seconds(60)));
  ClientConfig c;
  c.endpoint = server.endpoint();
  c.project_id = kProject;
  c.request_timeout = seconds(60);
  c.low_speed_limit = 100000;
  c.low_speed_time = seconds(1);
  c.retry.max_attempts = 1;
  const OcrClient client(c, std::make_shared<AkSkSigner>(kAk, kSk));
  const auto started = std::chrono::steady_clock::now();
  const auto card = client.recognize_id_card(Image::from_bytes(std::string(5u << 20, 'x')));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().category, ErrorCategory::kTimeout) << card.error().message();
  EXPECT_NE(card.error().message().find("slower than"), std::string::npos) << card.error().message();
  EXPECT_LT(elapsed, seconds(30));
  ASSERT_EQ(server.request_count(), 1u);
}

// ===== 10. Retry-After ==========================================================

TEST_F(HostileLimits, RetryAfterWithATrailingSpaceIsRead) {
  server_.set_default(json_error(503, "APIG.0201", "busy", {{"Retry-After", "2 "}}));
  auto c = config();
  c.retry.max_attempts = 3;
  c.retry.max_backoff = milliseconds(1);
  const OcrClient client(c, signer());
  const auto card = see(client.recognize_id_card(kImage));
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().http_status, 503);
  std::size_t retries_logged = 0;
  for (const auto& line : out_.lines()) {
    if (line.rfind("info: ", 0) == 0 && line.find("retry after 2000 ms") != std::string::npos) ++retries_logged;
  }
  EXPECT_EQ(retries_logged, 2u) << out_.log();
  EXPECT_EQ(server_.request_count(), 3u);  // 2 s is more than max_backoff: retried after max_backoff
}

// ===== Attacks the issue does not name ===========================================
// Each ends in an Error or a success -- never a crash or a hang -- and the
// client then still gets the next answer right. The outcome is printed for
// the record.

class HostileAttack : public Hostile {
 protected:
  // Plays `script` for one call and returns what the call gave.
  Result<GeneralTextResult> attack(Script script, ClientConfig c) {
    server_.enqueue(std::move(script));
    client_ = std::make_unique<OcrClient>(c, signer());
    auto text = see(client_->recognize_general_text(kImage));
    std::cout << "    outcome of " << ::testing::UnitTest::GetInstance()->current_test_info()->name() << ": "
              << (text.ok() ? std::string("success") : json_quote(text.error().message().substr(0, 300))) << "\n";
    return text;
  }
  Result<GeneralTextResult> attack(Script script) { return attack(std::move(script), config()); }
  void expect_recovery() { expect_next_call_gets_its_own_answer(*client_, "after the attack"); }

  std::unique_ptr<OcrClient> client_;
};

const std::string kGood = general_text_answer("good");

TEST_F(HostileAttack, ResetBeforeTheHeadIsRead) {
  const auto text = attack(Script().read(Script::Read::kNothing).reset());
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kNetwork);
  expect_recovery();
}

TEST_F(HostileAttack, ResetAfterTheHead) {
  const auto text = attack(Script().read(Script::Read::kHeadOnly).reset());
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kNetwork);
  expect_recovery();
}

TEST_F(HostileAttack, ResetAfterHalfTheAnswer) {
  const std::string answer = http_response(200, kGood);
  const auto text = attack(Script().send(answer.substr(0, answer.size() / 2)).reset());
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kNetwork);
  expect_recovery();
}

TEST_F(HostileAttack, TruncatedBodyShorterThanContentLength) {
  const auto text = attack(Script()
                               .send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
                                     kGood.substr(0, 20))
                               .close());
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().category, ErrorCategory::kInvalidArgument);
  expect_recovery();
}

TEST_F(HostileAttack, MalformedChunkedFraming) {
  const auto text = attack(Script()
                               .send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
                                     "\r\n\r\nzz\r\n" + kGood + "\r\n0\r\n\r\n")
                               .close());
  ASSERT_FALSE(text.ok());
  expect_recovery();
}

TEST_F(HostileAttack, ChunkSizeLargerThanTheData) {
  const auto text = attack(Script()
                               .send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff0\r\n" + kGood)
                               .close());
  ASSERT_FALSE(text.ok());
  expect_recovery();
}

TEST_F(HostileAttack, ContentLengthAndChunkedTogether) {
  const auto text = attack(Script().send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                         [] {
                                           char size[32];
                                           std::snprintf(size, sizeof size, "%zx\r\n", kGood.size());
                                           return std::string(size);
                                         }() + kGood + "\r\n0\r\n\r\n"));
  if (text.ok()) {
    ASSERT_EQ(text->words_block_list.size(), 1u);
    EXPECT_EQ(text->words_block_list[0].words, "good");
  }
  expect_recovery();
}

TEST_F(HostileAttack, TwoDifferentContentLengths) {
  const auto text = attack(Script().send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kGood.size()) +
                                         "\r\nContent-Length: 3\r\n\r\n" + kGood));
  if (text.ok()) {
    EXPECT_EQ(text->words_block_list.size(), 1u);
  }
  expect_recovery();
}

TEST_F(HostileAttack, StatusLine999) {
  const auto text = attack(Script().send("HTTP/1.1 999 Whatever\r\nContent-Length: " + std::to_string(kGood.size()) +
                                         "\r\n\r\n" + kGood));
  EXPECT_FALSE(text.ok());
  expect_recovery();
}

TEST_F(HostileAttack, NoStatusLineAtAll) {
  const auto text = attack(Script().send("garbage, no status line (HTTP/0.9 style)\r\n\r\n" + kGood).close());
  ASSERT_FALSE(text.ok());
  expect_recovery();
}

TEST_F(HostileAttack, OneMegabyteHeaderLine) {
  const auto text = attack(Script().send("HTTP/1.1 200 OK\r\nX-Huge: " + std::string(1u << 20, 'h') +
                                         "\r\nContent-Length: " + std::to_string(kGood.size()) + "\r\n\r\n" + kGood));
  if (text.ok()) {
    EXPECT_EQ(text->words_block_list.size(), 1u);
  }
  expect_recovery();
}

TEST_F(HostileAttack, TenThousandHeaders) {
  std::string head = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 10000; ++i) head += "X-H" + std::to_string(i) + ": v\r\n";
  const auto text = attack(Script().send(head + "Content-Length: " + std::to_string(kGood.size()) + "\r\n\r\n" + kGood));
  if (text.ok()) {
    EXPECT_EQ(text->words_block_list.size(), 1u);
  }
  for (const auto& line : out_.lines()) EXPECT_LE(line.size(), 1u << 20);
  expect_recovery();
}

TEST_F(HostileAttack, RedirectIsNotFollowed) {
  HostileServer elsewhere;
  ASSERT_TRUE(elsewhere.start());
  elsewhere.set_default(json(200, kGood));
  const auto text = attack(json(302, R"({"error_code":"MOVED","error_msg":"moved"})",
                                {{"Location", elsewhere.endpoint() + ocr_path("general-text")}}));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().http_status, 302);
  EXPECT_EQ(elsewhere.request_count(), 0u);
  EXPECT_EQ(elsewhere.connections_accepted(), 0u);
  expect_recovery();
}

TEST_F(HostileAttack, GzipGarbage) {
  const std::string garbage = "\x1f\x8b\x08\x00this is not gzip at all";
  const auto text = attack(json(200, garbage, {{"Content-Encoding", "gzip"}}));
  ASSERT_FALSE(text.ok());
  expect_recovery();
}

TEST_F(HostileAttack, OneBytePer100MsDripHitsTheTimeout) {
  auto c = config();
  c.request_timeout = milliseconds(1000);
  const auto started = std::chrono::steady_clock::now();
  const auto text = attack(Script().drip(http_response(200, kGood), 1, milliseconds(100)), c);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().category, ErrorCategory::kTimeout) << text.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(15));
  expect_recovery();
}

TEST_F(HostileAttack, HundredInformationalResponsesThenTheAnswer) {
  std::string lines;
  for (int i = 0; i < 100; ++i) lines += i % 2 ? "HTTP/1.1 100 Continue\r\n\r\n" : "HTTP/1.1 102 Processing\r\n\r\n";
  const auto text = attack(Script().send(lines + http_response(200, kGood)));
  if (text.ok()) {
    ASSERT_EQ(text->words_block_list.size(), 1u);
    EXPECT_EQ(text->words_block_list[0].words, "good");
  }
  expect_recovery();
}

TEST_F(HostileAttack, BodyOnA204) {
  const auto text = attack(Script().send("HTTP/1.1 204 No Content\r\nContent-Length: " +
                                         std::to_string(kGood.size()) + "\r\n\r\n" + kGood));
  // Whatever the 204 gave, the next call must get its own answer, not the
  // 204's leftover body.
  if (text.ok()) {
    EXPECT_TRUE(text->words_block_list.empty());
  }
  expect_recovery();
}

TEST_F(HostileAttack, AnswerBeforeTheRequestWasFullySent) {
  server_.enqueue(Script().read(Script::Read::kHeadOnly).send(http_response(400, R"({"error_code":"AIS.0101",)"
                                                                                 R"("error_msg":"early"})")));
  const OcrClient client(config(), signer());
  const auto card = see(client.recognize_id_card(Image::from_bytes(std::string(5u << 20, 'x'))));
  std::cout << "    outcome: " << (card.ok() ? "success" : card.error().message()) << "\n";
  ASSERT_FALSE(card.ok());
  expect_next_call_gets_its_own_answer(client, "after the early answer");
}

TEST_F(HostileAttack, GarbageAfterTheAnswerOnAKeptConnection) {
  // Bytes after a complete answer must not become the next call's answer.
  const auto text = attack(Script().send(http_response(200, kGood) + http_response(200, general_text_answer("forged"))));
  ASSERT_TRUE(text.ok()) << text.error().message();
  EXPECT_EQ(text->words_block_list.at(0).words, "good");
  expect_recovery();
}

}  // namespace
}  // namespace hwocr::testing
