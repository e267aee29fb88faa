// hwocr's emulator of Huawei Cloud OCR and the parts of IAM a client needs
// (password tokens, project lookup): a real HTTP(S) server on 127.0.0.1, in
// your test process, that checks AK/SK signatures and tokens as the API
// gateway does and answers all 52 OCR APIs with deterministic results. Script
// the answer or the fault an API gives, and read back the requests it got:
//
//   hwocr::testing::Emulator emulator;          // port 0: any free port
//   ASSERT_TRUE(emulator.start());
//   emulator.script("id-card", {200, R"({"result":{"name":"Zhang San"}})"});
//   emulator.inject("vat-invoice", {"", 503, -1});  // every vat-invoice call: 503
//   hwocr::OcrClient client(emulator.client_config(), emulator.signer());
//   ... client.recognize_id_card(image) ...
//   EXPECT_EQ(emulator.requests("id-card").at(0).options_json, R"({"side":"front"})");
//
// Link hwocr::testing (find_package(hwocr REQUIRED COMPONENTS testing)).
// Thread-safe: script, inject and read back from any thread while clients call.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hwocr/auth.h"
#include "hwocr/config.h"

namespace hwocr::testing {

// Every member has a default initializer, so that a partial aggregate
// initialisation ({"", 503}) is warning-free with -Wextra.

struct AccessKey {
  std::string ak{};
  std::string sk{};
  std::string security_token{};  // non-empty: temporary credentials, X-Security-Token required
};

struct IamUser {
  std::string name{};
  std::string password{};
  std::string domain{};  // account name
};

struct Project {
  std::string id{};
  std::string name{};  // region id, e.g. "cn-north-4"
};

// Answer the next `times` matching requests with `status` instead of serving
// them (times < 0: all of them). A fault is the gateway failing: it is
// answered before authentication, and wins over a scripted Answer.
struct Fault {
  std::string path_contains{};  // "" matches every path
  int status = 503;
  int times = 1;
  std::string retry_after{};  // Retry-After header value, "" for none
  // "" -> a JSON error body fitting the status ({"error_code","error_msg"});
  // "html" -> a gateway's HTML error page; "empty" -> no body; else sent as is.
  std::string body{};
  std::chrono::milliseconds delay{0};  // wait before answering
  // Only requests to this OCR API (POST /v2/{project_id}/ocr/{api}, e.g.
  // "id-card"); "" for any path (IAM included). Both this and path_contains
  // must match. Emulator::inject(api, fault) sets it.
  std::string api{};
};

// A scripted answer for one OCR API (Emulator::script): a request to the API
// that passes the gateway's checks (signature or token, project) gets this
// instead of the emulated result; its body is not checked. A body that is
// not JSON is sent as text/plain; an empty body with a status >= 400 gets the
// service's error envelope for that status. An error body's "error_code" is
// what the request record shows.
struct Answer {
  int status = 200;
  std::string body{};  // e.g. R"({"result":{"name":"Zhang San"}})"
  int times = -1;    // the next `times` requests to the API; < 0: every one
  std::vector<std::pair<std::string, std::string>> headers{};  // extra response headers
  std::chrono::milliseconds delay{0};  // wait before answering
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port (see Emulator::port())
  std::vector<AccessKey> access_keys = {{"HWOCREMULATORAK000001", "hwocr-emulator-secret-key-0000000000000001", ""}};
  std::vector<IamUser> users = {{"hwocr-user", "hwocr-password", "hwocr-account"}};
  std::string region = "cn-north-4";
  // Projects GET /v3/projects?name= answers from; the first one whose name is
  // the region is the project OCR paths must use.
  std::vector<Project> projects = {{"0e5a1b2c3d4e5f60718293a4b5c6d7e8", "cn-north-4"}};
  std::chrono::seconds token_lifetime{std::chrono::hours(24)};
  // X-Sdk-Date must be within this of the emulator's clock.
  std::chrono::seconds signature_window{std::chrono::minutes(15)};
  // Serve HTTPS with these PEM files instead of HTTP.
  std::string tls_cert_file{};
  std::string tls_key_file{};
  std::size_t worker_threads = 8;
  // OCR APIs ("id-card", ...) not enabled for this account in this region:
  // a correctly authenticated call to one is answered 403 ModelArts.4204, as
  // the service answers a first call in a region where it is not enabled.
  std::vector<std::string> disabled_apis{};
  // Every OCR answer waits this long (the service's think time and the
  // network, as seen from far away), without holding a CPU: for measuring
  // batches and concurrency. Scripted answers and faults keep their own.
  std::chrono::milliseconds answer_delay{0};
};

struct ReceivedRequest {
  std::string method{};
  std::string path{};   // raw, as sent: "/v2/{project_id}/ocr/id-card"
  std::string query{};  // raw, without '?'
  std::string api{};    // the OCR API of POST /v2/{project_id}/ocr/{api}; "" for other paths
  std::vector<std::pair<std::string, std::string>> headers{};  // as received, in order
  std::size_t body_size = 0;
  // Lower-case hex SHA-256 of the body as received: compare bodies sent
  // different ways without keeping them.
  std::string body_sha256{};
  // The JSON body without its image ("image"/"data" removed), compact; ""
  // when the body is not a JSON object.
  std::string options_json{};
  int status = 0;          // what the emulator answered
  std::string error_code{};  // "" on success
  std::string request_id{};  // the X-Request-Id answered

  // The first value of the header (name in any case); "" when absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

struct Stats {
  std::size_t token_requests = 0;    // POST /v3/auth/tokens
  std::size_t project_requests = 0;  // GET /v3/projects
  std::size_t ocr_requests = 0;      // POST /v2/{project_id}/ocr/*
  std::size_t auth_failures = 0;     // answered 401
  std::size_t unsigned_payload_requests = 0;  // AK/SK accepted with X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD
  std::size_t faults_injected = 0;
  std::size_t scripted_answers = 0;  // answered from Emulator::script
};

class Emulator {
 public:
  explicit Emulator(Options options = {});
  ~Emulator();  // stops the server
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Binds and serves from background threads. False (with `error`) when the
  // port cannot be bound or the TLS files cannot be loaded.
  bool start(std::string* error = nullptr);
  void stop();

  int port() const;
  std::string endpoint() const;  // "http://127.0.0.1:<port>" (https with TLS)
  const Options& options() const;

  // A configuration for a client of this emulator: region, OCR and IAM
  // endpoints, the region's project id (no project lookup), the certificate
  // as CA file with TLS, and retries that back off 1 to 100 ms so that tests
  // of retried faults take no time. Call after start().
  ClientConfig client_config() const;
  // An AK/SK signer with the first access key of options() (throws
  // hwocr::Exception when there is none).
  std::shared_ptr<AkSkSigner> signer() const;

  // Faults (see Fault). inject(api, fault) fails only requests to that OCR
  // API ("id-card"): it sets fault.api.
  void inject(Fault fault);
  void inject(std::string api, Fault fault);
  void clear_faults();

  // Scripted answers (see Answer) for an OCR API ("id-card", or a name the
  // emulator does not know). Several for one API are used in the order
  // given, each for its `times`.
  void script(std::string api, Answer answer);
  void clear_scripts();

  // Every token issued so far is answered as expired from now on.
  void expire_tokens();

  Stats stats() const;
  std::vector<ReceivedRequest> requests() const;  // oldest first, at most the last 1000
  std::vector<ReceivedRequest> requests(std::string_view api) const;  // only those to this OCR API
  void clear_requests();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes a self-signed certificate for 127.0.0.1/localhost and its key (PEM),
// for TLS tests (the certificate doubles as the CA file). False on failure.
bool write_self_signed_certificate(const std::string& cert_path, const std::string& key_path);

}  // namespace hwocr::testing
