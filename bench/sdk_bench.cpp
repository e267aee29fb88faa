// hwocr's benchmarks (Google Benchmark). The end-to-end ones call the
// in-process emulator on 127.0.0.1 and are compared with a floor: a bare
// libcurl keep-alive loop that sends the same bytes with the same signature
// work and nothing else. See README.md beside this file.
#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_support.h"
#include "common/crypto.h"
#include "emulator.h"
#include "hwocr/cards.h"
#include "hwocr/hwocr.h"
#include "apis/generated.h"
#include "model/request_body.h"

namespace {

using namespace hwocr;

// The JSON members an options struct sends.
template <class Options>
nlohmann::json request_members(const Options& options) {
  nlohmann::json body = nlohmann::json::object();
  internal::to_json(options, body).value();
  return body;
}

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * 1024;
const std::vector<std::size_t> kImageSizes = {10 * kKiB, 1 * kMiB, 5 * kMiB};

std::size_t base64_size(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

// Deterministic, incompressible bytes.
std::string noise(std::size_t size) {
  std::string bytes(size, '\0');
  std::uint64_t state = 0x2545f4914f6cdd1du;
  for (auto& byte : bytes) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    byte = static_cast<char>(state >> 56);
  }
  return bytes;
}

// Everything the end-to-end benchmarks share, set up once in main().
struct Environment {
  emulator::Emulator server;
  std::string endpoint;  // http://127.0.0.1:<port>
  std::string host;      // 127.0.0.1:<port>
  std::map<std::size_t, Image> images;        // padded PNGs
  std::map<std::size_t, std::string> bodies;  // the JSON body the SDK sends for each image
  std::unique_ptr<OcrClient> client;          // one client, shared by every thread
};
Environment* g_env = nullptr;

// --- micro benchmarks ----------------------------------------------------------

void BM_SignOneMegabyteBody(benchmark::State& state) {
  const auto& key = bench::default_key();
  const AkSkSigner signer(key.ak, key.sk, key.security_token);
  const std::string body = noise(kMiB);
  const std::string url =
      "https://ocr.cn-north-4.myhuaweicloud.com/v2/" + bench::default_project_id() + "/ocr/id-card";
  const Headers headers{{"Content-Type", "application/json;charset=UTF-8"},
                        {"X-Project-Id", bench::default_project_id()}};
  for (auto _ : state) {
    const SignatureDetails details =
        signer.sign_detailed("POST", url, headers, body, std::chrono::system_clock::now());
    if (details.signature.size() != 64 || details.authorization.empty()) {
      state.SkipWithError("sign_detailed produced no signature");
      break;
    }
    benchmark::DoNotOptimize(details.signature.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void BM_Base64SevenMegabytes(benchmark::State& state) {
  const std::string input = noise(7 * kMiB);
  std::string out;
  out.reserve(base64_size(input.size()));
  for (auto _ : state) {
    out.clear();
    internal::append_base64(out, input);
    if (out.size() != base64_size(input.size())) {
      state.SkipWithError("append_base64 wrote the wrong number of characters");
      break;
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
}

// The portable encoder, for comparison with the one chosen at run time.
void BM_Base64SevenMegabytesScalar(benchmark::State& state) {
  const std::string input = noise(7 * kMiB);
  std::string out(base64_size(input.size()), '\0');
  for (auto _ : state) {
    internal::encode_base64_scalar(reinterpret_cast<const unsigned char*>(input.data()), input.size(), &out[0], true);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
}

// SHA-256 of 7 MiB alone: the other half of the fused pass.
void BM_Sha256SevenMegabytes(benchmark::State& state) {
  const std::string input = noise(7 * kMiB);
  for (auto _ : state) benchmark::DoNotOptimize(internal::sha256_hex(input));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
}

// The body with its SHA-256 computed in the same pass, as an AK/SK call builds it.
void BM_BuildRequestBodyHashed(benchmark::State& state, std::size_t size) {
  const Image image = Image::from_bytes(bench::padded_png(size));
  const auto members = request_members(bench::typical_id_card_options());
  for (auto _ : state) {
    auto body = internal::build_request_body(image, "image", members, true);
    if (!body || body->sha256.size() != 64) {
      state.SkipWithError("build_request_body failed");
      break;
    }
    benchmark::DoNotOptimize(body->text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void BM_BuildRequestBody(benchmark::State& state, std::size_t size) {
  const Image image = Image::from_bytes(bench::padded_png(size));
  const IdCardOptions options = bench::typical_id_card_options();
  for (auto _ : state) {
    // build_request_body: its buffer goes back to the pool, as in a call.
    auto body = internal::build_request_body(image, "image", request_members(options), false);
    if (!body || body->text.size() < base64_size(size)) {
      state.SkipWithError(body ? "build_request_body produced a short body" : body.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(body->text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

// --- parsing answers into typed results --------------------------------------------

// An answer already received, parsed from text into the typed result: what a
// call spends on the client after the bytes arrive.
// R = void: the JSON text parsed, not mapped, to tell the two costs apart.
template <class R>
void parse_answer(benchmark::State& state, const internal::ApiSpec& api, const std::string& fixture) {
  std::ifstream in(std::string(HWOCR_BENCH_FIXTURES) + "/" + fixture + ".json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty()) {
    state.SkipWithError("fixture not found");
    return;
  }
  for (auto _ : state) {
    if constexpr (std::is_void_v<R>) {
      auto document = std::make_shared<const nlohmann::json>(nlohmann::json::parse(text));
      benchmark::DoNotOptimize(document);
    } else {
      // The answer's text as the transport hands it over (one copy, as a
      // received body would be), read into the struct.
      auto result = internal::parse_response<R>(api, std::make_shared<const std::string>(text), "req", 200);
      benchmark::DoNotOptimize(result);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
void BM_ParseIdCardAnswer(benchmark::State& state) {
  parse_answer<IdCardResult>(state, internal::kIdCardApi, "id-card");
}
void BM_ParseVatInvoiceAnswer(benchmark::State& state) {
  parse_answer<VatInvoiceResult>(state, internal::kVatInvoiceApi, "vat-invoice");
}
void BM_ParseGeneralTableAnswer(benchmark::State& state) {
  parse_answer<GeneralTableResult>(state, internal::kGeneralTableApi, "general-table");
}
void BM_ParseIdCardJsonOnly(benchmark::State& state) { parse_answer<void>(state, internal::kIdCardApi, "id-card"); }
void BM_ParseVatInvoiceJsonOnly(benchmark::State& state) {
  parse_answer<void>(state, internal::kVatInvoiceApi, "vat-invoice");
}
BENCHMARK(BM_ParseIdCardJsonOnly);
BENCHMARK(BM_ParseVatInvoiceJsonOnly);
BENCHMARK(BM_ParseIdCardAnswer);
BENCHMARK(BM_ParseVatInvoiceAnswer);
BENCHMARK(BM_ParseGeneralTableAnswer);

// --- the client's own path, no network ------------------------------------------------

// A transport that answers every request at once with the id-card fixture,
// so what is left is the client's own CPU per call: options, body (Base64 and
// its SHA-256), signing, headers, the answer read into the struct. The
// floor's share of that is the SHA-256 and HMAC alone (BM_SignOneMegabyteBody
// scaled); see README.md.
class AnsweringTransport : public HttpTransport {
 public:
  explicit AnsweringTransport(std::string answer) : answer_(std::move(answer)) {}
  Result<HttpResponse> send(const HttpRequest& request, const TransportLimits&) override {
    HttpResponse response;
    response.status = 200;
    response.headers.add("Content-Type", "application/json;charset=UTF-8");
    response.headers.add("X-Request-Id", "bench-request-id");
    response.body = answer_;
    benchmark::DoNotOptimize(request.body.data());
    return response;
  }

 private:
  const std::string answer_;
};

void BM_CallPathWithoutNetwork(benchmark::State& state, std::size_t size) {
  std::ifstream in(std::string(HWOCR_BENCH_FIXTURES) + "/id-card.json");
  std::string answer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ClientConfig config;
  config.region = "cn-north-4";
  config.endpoint = "http://127.0.0.1:9";
  config.project_id = "0123456789abcdef0123456789abcdef";
  config.retry.max_attempts = 1;
  config.transport = std::make_shared<AnsweringTransport>(std::move(answer));
  const OcrClient client(std::move(config), std::make_shared<AkSkSigner>("BENCHAK", "bench-secret"));
  const Image image = Image::from_bytes(bench::padded_png(size));
  const IdCardOptions options = bench::typical_id_card_options();
  for (auto _ : state) {
    auto card = client.recognize_id_card(image, options);
    if (!card || !card->number) {
      state.SkipWithError(card ? "no card number" : card.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(card->number->data());
  }
  state.SetItemsProcessed(state.iterations());
}

// --- end to end ------------------------------------------------------------------

void BM_IdCardCall(benchmark::State& state, std::size_t size) {
  const Image& image = g_env->images.at(size);
  const OcrClient& client = *g_env->client;
  const IdCardOptions options = bench::typical_id_card_options();
  for (auto _ : state) {
    auto card = client.recognize_id_card(image, options);
    if (!card) {
      state.SkipWithError(card.error().message().c_str());
      break;
    }
    if (card->http_status != 200 || !card->number) {
      state.SkipWithError("HTTP 200 without the card number");
      break;
    }
    benchmark::DoNotOptimize(card->number->data());
  }
  state.SetItemsProcessed(state.iterations());
}

std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// The floor: what any client must do per call, and nothing more. One easy
// handle reused (keep-alive), the prebuilt body sent from its buffer
// (CURLOPT_POSTFIELDS, no copy), and the AK/SK signature computed per call:
// SHA-256 of the body, the canonical request, HMAC-SHA256. The response is
// read but not parsed. One per thread.
class FloorClient {
 public:
  explicit FloorClient(const std::string& body)
      : body_(body),
        path_("/v2/" + bench::default_project_id() + "/ocr/id-card"),
        url_(g_env->endpoint + path_),
        handle_(curl_easy_init(), &curl_easy_cleanup) {
    response_.reserve(64 * kKiB);
    canonical_.reserve(512);
    CURL* curl = handle_.get();
    if (curl == nullptr) return;
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response_);
  }

  // One signed POST; "" when the emulator answered 200, else what went wrong.
  std::string call() {
    static constexpr const char* kSignedHeaders = "content-type;host;x-sdk-date";
    static constexpr const char* kContentType = "application/json;charset=UTF-8";
    CURL* curl = handle_.get();
    if (curl == nullptr) return "curl_easy_init failed";
    const auto& key = bench::default_key();
    const std::string date = format_sdk_date(std::chrono::system_clock::now());
    canonical_.clear();
    canonical_ += "POST\n";
    canonical_ += path_;
    canonical_ += "/\n\n";  // the canonical URI ends in '/'; the query is empty
    canonical_ += "content-type:";
    canonical_ += kContentType;
    canonical_ += "\nhost:";
    canonical_ += g_env->host;
    canonical_ += "\nx-sdk-date:";
    canonical_ += date;
    canonical_ += "\n\n";
    canonical_ += kSignedHeaders;
    canonical_ += '\n';
    canonical_ += internal::sha256_hex(body_);
    const std::string string_to_sign = "SDK-HMAC-SHA256\n" + date + "\n" + internal::sha256_hex(canonical_);
    const std::string signature = internal::hmac_sha256_hex(key.sk, string_to_sign);
    const std::string authorization = "Authorization: SDK-HMAC-SHA256 Access=" + key.ak +
                                      ", SignedHeaders=" + kSignedHeaders + ", Signature=" + signature;
    const std::string date_header = "X-Sdk-Date: " + date;

    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json;charset=UTF-8");
    headers = curl_slist_append(headers, date_header.c_str());
    headers = curl_slist_append(headers, authorization.c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip, as the SDK
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    response_.clear();
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    if (code != CURLE_OK) return curl_easy_strerror(code);
    if (status != 200) return "HTTP " + std::to_string(status) + ": " + response_.substr(0, 300);
    benchmark::DoNotOptimize(response_.data());
    return {};
  }

 private:
  const std::string& body_;
  const std::string path_;
  const std::string url_;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle_;
  std::string response_;
  std::string canonical_;
};

void BM_BareCurlFloor(benchmark::State& state, std::size_t size) {
  FloorClient floor(g_env->bodies.at(size));
  for (auto _ : state) {
    if (const std::string error = floor.call(); !error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// SDK and floor call by call in turns (the order swapped every iteration),
// so whatever else runs on the machine slows both alike. Reports the median
// wall time of each (floor_ms, sdk_ms) and sdk_ms / floor_ms; the Time column
// is one floor call plus one SDK call.
void BM_SdkVsFloor(benchmark::State& state, std::size_t size) {
  using Clock = std::chrono::steady_clock;
  FloorClient floor(g_env->bodies.at(size));
  const Image& image = g_env->images.at(size);
  const OcrClient& client = *g_env->client;
  const IdCardOptions options = bench::typical_id_card_options();
  std::vector<double> floor_ms;
  std::vector<double> sdk_ms;
  bool sdk_first = false;
  for (auto _ : state) {
    std::string error;
    const auto sdk_call = [&] {
      const auto started = Clock::now();
      auto card = client.recognize_id_card(image, options);
      sdk_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
      if (!card) error = card.error().message();
      else if (card->http_status != 200 || !card->number) error = "HTTP 200 without the card number";
    };
    const auto floor_call = [&] {
      const auto started = Clock::now();
      error = floor.call();
      floor_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    };
    if (sdk_first) sdk_call();
    if (error.empty()) floor_call();
    if (!sdk_first && error.empty()) sdk_call();
    sdk_first = !sdk_first;
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
  }
  const auto median = [](std::vector<double>& values) {
    if (values.empty()) return 0.0;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
    return values[values.size() / 2];
  };
  const double floor_median = median(floor_ms);
  const double sdk_median = median(sdk_ms);
  state.counters["floor_ms"] = benchmark::Counter(floor_median, benchmark::Counter::kAvgThreads);
  state.counters["sdk_ms"] = benchmark::Counter(sdk_median, benchmark::Counter::kAvgThreads);
  state.counters["ratio"] =
      benchmark::Counter(floor_median > 0 ? sdk_median / floor_median : 0.0, benchmark::Counter::kAvgThreads);
}

void register_benchmarks() {
  benchmark::RegisterBenchmark("BM_SignOneMegabyteBody", BM_SignOneMegabyteBody)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_Base64SevenMegabytes", BM_Base64SevenMegabytes)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_Base64SevenMegabytesScalar", BM_Base64SevenMegabytesScalar)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_Sha256SevenMegabytes", BM_Sha256SevenMegabytes)->Unit(benchmark::kMillisecond);
  for (const std::size_t size : kImageSizes) {
    benchmark::RegisterBenchmark(("BM_BuildRequestBody/" + bench::size_label(size)).c_str(), BM_BuildRequestBody,
                                 size)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_BuildRequestBodyHashed/" + bench::size_label(size)).c_str(),
                                 BM_BuildRequestBodyHashed, size)
        ->Unit(benchmark::kMicrosecond);
  }
  for (const std::size_t size : {std::size_t{10 * 1024}}) {
    benchmark::RegisterBenchmark(("BM_CallPathWithoutNetwork/" + bench::size_label(size)).c_str(),
                                 BM_CallPathWithoutNetwork, size)
        ->Unit(benchmark::kMicrosecond);
  }
  // Wall-clock time for everything that crosses the network: most of the
  // work of a call happens on the emulator's threads, not the caller's.
  for (const int threads : {1, 4}) {
    for (const std::size_t size : kImageSizes) {
      const std::string label = bench::size_label(size);
      benchmark::RegisterBenchmark(("BM_BareCurlFloor/" + label).c_str(), BM_BareCurlFloor, size)
          ->Threads(threads)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("BM_IdCardCall/" + label).c_str(), BM_IdCardCall, size)
          ->Threads(threads)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (const int threads : {1, 4}) {
    for (const std::size_t size : kImageSizes) {
      benchmark::RegisterBenchmark(("BM_SdkVsFloor/" + bench::size_label(size)).c_str(), BM_SdkVsFloor, size)
          ->Threads(threads)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  curl_global_init(CURL_GLOBAL_DEFAULT);

  auto env = std::make_unique<Environment>();
  std::string error;
  if (!env->server.start(&error)) {
    std::cerr << "hwocr_bench: cannot start the emulator: " << error << "\n";
    return 1;
  }
  env->endpoint = env->server.endpoint();
  env->host = env->endpoint.substr(env->endpoint.find("://") + 3);
  try {
    const auto options = request_members(bench::typical_id_card_options());
    for (const std::size_t size : kImageSizes) {
      Image image = Image::from_bytes(bench::padded_png(size));
      env->bodies[size] = internal::build_image_body(image, "image", options).value();
      env->images.emplace(size, std::move(image));
    }
    env->client = std::make_unique<OcrClient>(bench::make_client(env->endpoint));
  } catch (const std::exception& e) {
    std::cerr << "hwocr_bench: setup failed: " << e.what() << "\n";
    return 1;
  }
  g_env = env.get();

  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  const emulator::Stats stats = env->server.stats();
  std::cerr << "emulator: " << stats.ocr_requests << " OCR requests, " << stats.auth_failures
            << " refused with 401\n";
  g_env = nullptr;
  env.reset();
  curl_global_cleanup();
  return 0;
}
