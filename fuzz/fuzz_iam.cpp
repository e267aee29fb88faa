// IAM answers: TokenAuthenticator's token (X-Subject-Token header, JSON body
// with token.expires_at/issued_at/project.id) or AkSkSigner's project lookup
// (GET /v3/projects), both answered with fuzz bytes; then client.project_id()
// and one typed call (whose OCR answer is fixed, or a 401 saying the token
// expired, so that the token is renewed from the same fuzzed IAM answer).
//
// Input: [mode][status][status2][header lines "\n"-separated]"\n\n"[body]
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "hwocr/hwocr.h"
#include "hwocr/text.h"

using namespace hwocr;

namespace {

const char kGoodAnswer[] =
    R"({"result":{"words_block_count":1,"words_block_list":[{"words":"hwocr","location":[[1,2],[3,2],[3,4],[1,4]],"confidence":0.9}]}})";
const char kExpiredAnswer[] = R"({"error_code":"APIG.0307","error_msg":"The token expires."})";

// What leaves the library never holds one of the client's secrets (the
// password with TokenAuthenticator; the SK and security token with
// AkSkSigner), even when the fuzzed answer quotes it.
std::vector<std::string> g_secrets;

void check_no_secret(const std::string& text) {
  fuzz::consume(text);
  for (const std::string& secret : g_secrets) {
    if (text.find(secret) != std::string::npos) fuzz::fail("secret in an error message", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader in(data, size);
  const std::uint8_t mode = in.byte();
  const HttpResponse iam_answer = fuzz::response_from(in);
  const bool token_auth = (mode & 1) != 0;
  const bool expire_once = (mode & 2) != 0;
  const bool scoped_by_id = (mode & 4) != 0;
  const bool security_token = (mode & 8) != 0;
  g_secrets = token_auth ? std::vector<std::string>{"fuzz-password"} : std::vector<std::string>{"fuzz-sk"};
  if (!token_auth && security_token) g_secrets.push_back("fuzz-security-token");

  int ocr_calls = 0;
  auto transport = std::make_shared<fuzz::FakeTransport>([&](const HttpRequest& request) {
    if (request.url.rfind("https://iam.fuzz.example/", 0) == 0) return iam_answer;
    HttpResponse ocr;
    ++ocr_calls;
    if (expire_once && ocr_calls == 1) {
      ocr.status = 401;
      ocr.body = kExpiredAnswer;
    } else {
      ocr.status = 200;
      ocr.body = kGoodAnswer;
    }
    ocr.headers.add("X-Request-Id", "fuzz-request");
    return ocr;
  });

  std::shared_ptr<Authenticator> auth;
  if (token_auth) {
    TokenOptions options;
    if (scoped_by_id) options.project_id = "fuzz-project-id";
    auth = std::make_shared<TokenAuthenticator>("fuzz-user", "fuzz-password", "fuzz-domain", options);
  } else {
    auth = std::make_shared<AkSkSigner>("fuzz-ak", "fuzz-sk", security_token ? "fuzz-security-token" : "");
  }
  OcrClient client(fuzz::fuzz_config(transport, /*with_project_id=*/false), auth);

  const Result<std::string> project = client.project_id();
  if (project) {
    fuzz::consume(*project);
  } else {
    check_no_secret(project.error().message());
  }
  const auto text = client.recognize_general_text(Image::from_bytes(std::string("fuzz image bytes")));
  if (text) {
    fuzz::consume(text->raw.dump());
    for (const auto& block : text->words_block_list) {
      if (block.words) fuzz::consume(*block.words);
    }
  } else {
    check_no_secret(text.error().message());
  }
  return 0;
}
