// hwocr sign, hwocr emulator, and --dry-run's printing of requests.
#include <signal.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli.h"
#include "emulator.h"

namespace hwocr::cli {
namespace {

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') quoted += "'\\''";
    else quoted += c;
  }
  return quoted + "'";
}

// "SDK-HMAC-SHA256 Access=AK, SignedHeaders=..., Signature=hex" with the
// signature and most of the AK replaced by ***.
std::string redact_authorization(const std::string& value) {
  std::string text = value;
  if (const auto at = text.find("Signature="); at != std::string::npos) {
    const auto end = text.find_first_of(", ", at);
    text.replace(at + 10, end == std::string::npos ? std::string::npos : end - at - 10, "***");
  }
  if (const auto at = text.find("Access="); at != std::string::npos) {
    const auto end = text.find_first_of(", ", at);
    const std::size_t length = (end == std::string::npos ? text.size() : end) - at - 7;
    if (length > 4) text.replace(at + 11, length - 4, "***");
  }
  return text;
}

Credentials credentials_or_throw(const Settings& settings) {
  auto credentials = local_credentials(settings);
  if (!credentials) throw UsageError("no AK/SK: " + credentials.error().message());
  return *credentials;
}

}  // namespace

std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void print_dry_run(const Invocation& inv, const Settings& settings, const std::string& api, const Input* input,
                   const std::string& options_json, const std::string& stdin_bytes) {
  const ClientConfig& config = settings.config;
  std::string project = config.project_id;
  Result<Credentials> credentials = settings.credentials ? local_credentials(settings) : Result<Credentials>(Error{});
  if (project.empty() && settings.credentials && credentials) project = credentials->project_id;
  const std::string shown_project = project.empty() ? "{project_id}" : project;
  std::string path = api.rfind('/', 0) == 0 ? api : "/v2/{project_id}/ocr/" + api;
  if (const auto at = path.find("{project_id}"); at != std::string::npos) path.replace(at, 12, shown_project);
  const std::string endpoint = config.endpoint.empty() ? ocr_endpoint_for_region(config.region) : config.endpoint;
  const std::string url = endpoint + path;

  nlohmann::json body = nlohmann::json::parse(options_json);
  std::string shown_body = body.dump();
  if (input) {
    const std::string field = inv.api && inv.api->input_field ? inv.api->input_field : "image";
    std::string encoded;
    if (input->kind == Input::Kind::kUrl) {
      body["url"] = input->name;
    } else if (input->kind == Input::Kind::kFile) {
      bool ok = false;
      encoded = base64(read_file(input->name, ok));
      if (!ok) std::cout << "# " << input->name << ": cannot read the file; it would fail\n";
      body[field] = encoded;
    } else {
      encoded = base64(stdin_bytes);
      body[field] = encoded;
    }
    nlohmann::json shown = body;
    if (shown.contains(field) && input->kind != Input::Kind::kUrl) {
      shown[field] = "<base64, " + std::to_string(encoded.size()) + " bytes>";
    }
    shown_body = shown.dump();
  }
  const std::string body_text = body.dump();

  std::cout << "POST " << url << "\n";
  if (input) std::cout << "  input: " << input->name << "\n";
  Headers headers{{"Content-Type", "application/json;charset=UTF-8"}};
  if (settings.uses_token) {
    headers.set("X-Auth-Token", "*** (an IAM token, obtained when sent)");
  } else if (credentials) {
    AkSkSigner signer(credentials->ak, credentials->sk, credentials->security_token);
    headers = signer.sign("POST", url, headers, body_text, std::chrono::system_clock::now());
  } else {
    std::cout << "  # no credentials: " << credentials.error().message() << "\n";
  }
  for (const auto& [name, value] : headers) {
    std::string shown = value;
    if (name == "Authorization") shown = redact_authorization(value);
    else if (name == "X-Security-Token" || name == "X-Auth-Token") shown = "***";
    std::cout << "  " << name << ": " << shown << "\n";
  }
  if (project.empty()) std::cout << "  # {project_id}: looked up at IAM for region " << config.region << " when sent\n";
  std::cout << "  body: " << body_text.size() << " bytes: " << shown_body << "\n";
}

int run_sign(const Invocation& inv) {
  const Settings settings = load_settings(inv.settings);
  const Credentials credentials = credentials_or_throw(settings);
  Headers headers;
  for (const auto& header : inv.sign_headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos || colon == 0) throw UsageError("--header: expected 'Name: value', got '" + header + "'");
    std::string value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    headers.add(header.substr(0, colon), value);
  }
  std::string body = inv.sign_data;
  if (body.size() > 1 && body[0] == '@') {
    bool ok = false;
    body = read_file(body.substr(1), ok);
    if (!ok) throw UsageError("cannot read '" + inv.sign_data.substr(1) + "'");
  }
  if (inv.sign_url.rfind("http://", 0) != 0 && inv.sign_url.rfind("https://", 0) != 0) {
    throw UsageError("sign: URL must be absolute (https://...)");
  }
  const AkSkSigner signer(credentials.ak, credentials.sk, credentials.security_token);
  const Headers signed_headers = signer.sign(inv.sign_method, inv.sign_url, headers, body, std::chrono::system_clock::now());
  if (!inv.curl) {
    for (const auto& [name, value] : signed_headers) std::cout << name << ": " << value << "\n";
    return kExitOk;
  }
  std::cout << "curl -X " << shell_quote(inv.sign_method);
  for (const auto& [name, value] : signed_headers) std::cout << " \\\n  -H " << shell_quote(name + ": " + value);
  if (!inv.sign_data.empty()) std::cout << " \\\n  --data-binary " << shell_quote(body);
  std::cout << " \\\n  " << shell_quote(inv.sign_url) << "\n";
  return kExitOk;
}

int run_emulator(const Invocation& inv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  emulator::Options options;
  options.port = inv.port;
  // Each keep-alive connection holds a worker while it is open: enough for -j 64.
  options.worker_threads = 96;
  options.answer_delay = std::chrono::milliseconds(inv.latency_ms);
  emulator::Emulator server(options);
  std::string error;
  if (!server.start(&error)) {
    std::cerr << "hwocr emulator: " << error << "\n";
    return kExitSomeFailed;
  }
  const auto& key = options.access_keys.front();
  std::cout << "hwocr emulator listening on " << server.endpoint() << std::endl;
  std::cerr << "hwocr emulator: region " << options.region << ", project id " << options.projects.front().id << "\n"
            << "hwocr emulator: try it:\n"
            << "  export HUAWEICLOUD_SDK_AK=" << key.ak << " HUAWEICLOUD_SDK_SK=" << key.sk
            << " HUAWEICLOUD_SDK_OCR_ENDPOINT=" << server.endpoint() << " HUAWEICLOUD_SDK_IAM_ENDPOINT="
            << server.endpoint() << "\n";
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  std::cerr << "hwocr emulator: stopping\n";
  server.stop();
  return kExitOk;
}

}  // namespace hwocr::cli
