// hwocr's emulator of Huawei Cloud OCR and the parts of IAM it needs: a real
// HTTP server on 127.0.0.1, usable in-process (tests, benchmarks) or as the
// hwocr-emulator executable.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hwocr::emulator {

struct AccessKey {
  std::string ak;
  std::string sk;
  std::string security_token;  // non-empty: temporary credentials, X-Security-Token required
};

struct IamUser {
  std::string name;
  std::string password;
  std::string domain;  // account name
};

struct Project {
  std::string id;
  std::string name;  // region id, e.g. "cn-north-4"
};

// Answer the next `times` matching requests with `status` instead of serving
// them (times < 0: all of them).
struct Fault {
  std::string path_contains;  // "" matches every path
  int status = 503;
  int times = 1;
  std::string retry_after;  // Retry-After header value, "" for none
  // "" -> a JSON error body fitting the status ({"error_code","error_msg"});
  // "html" -> a gateway's HTML error page; "empty" -> no body; else sent as is.
  std::string body;
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
  std::string tls_cert_file;
  std::string tls_key_file;
  std::size_t worker_threads = 8;
};

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string query;  // raw, without '?'
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t body_size = 0;
  // The JSON body without its image ("image"/"data" removed), compact; ""
  // when the body is not a JSON object.
  std::string options_json;
  int status = 0;  // what the emulator answered
  std::string error_code;  // "" on success
};

struct Stats {
  std::size_t token_requests = 0;    // POST /v3/auth/tokens
  std::size_t project_requests = 0;  // GET /v3/projects
  std::size_t ocr_requests = 0;      // POST /v2/{project_id}/ocr/*
  std::size_t auth_failures = 0;     // answered 401
  std::size_t unsigned_payload_requests = 0;  // AK/SK accepted with X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD
  std::size_t faults_injected = 0;
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

  void inject(Fault fault);
  void clear_faults();
  // Every token issued so far is answered as expired from now on.
  void expire_tokens();

  Stats stats() const;
  std::vector<RecordedRequest> requests() const;  // oldest first, at most the last 1000
  void clear_requests();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes a self-signed certificate for 127.0.0.1/localhost and its key (PEM),
// for TLS tests. False on failure.
bool write_self_signed_certificate(const std::string& cert_path, const std::string& key_path);

}  // namespace hwocr::emulator
