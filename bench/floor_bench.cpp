// hwocr_floor_bench: hwocr against the bare-libcurl floor, call by call in
// turns, against a loopback sink server (bench/sink_server.h) that runs in
// its own process and is never the bottleneck. Prints, per image size and
// thread count, the median wall time of one call of each (medians over
// rounds) and the ratios, then the peak RSS of each kind measured in fresh
// processes. See README.md beside this file.
//
//   hwocr_floor_bench [--seconds S] [--rounds N] [--sizes 10KiB,1MiB,...]
//                     [--threads 1,4] [--cpus same|apart|any] [--no-rss]
//                     [--only floor|sdk|unsigned|file]
//   hwocr_floor_bench --serve PORT     (the sink alone, for other clients)
//
// --only runs one kind alone (for perf record).
#include <curl/curl.h>
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "apis/generated.h"
#include "bench_data.h"
#include "common/crypto.h"
#include "hwocr/cards.h"
#include "hwocr/hwocr.h"
#include "model/request_body.h"
#include "sink_server.h"

namespace {

using namespace hwocr;
using Clock = std::chrono::steady_clock;

constexpr const char* kAk = "BENCHAKBENCHAKBENCHAK";
constexpr const char* kSk = "bench-secret-key-bench-secret-key-0123456";
constexpr const char* kProjectId = "0123456789abcdef0123456789abcdef";

// --- inputs ----------------------------------------------------------------------

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

using hwocr::bench::padded_png;

IdCardOptions typical_options() {
  IdCardOptions options;
  options.side = "front";
  options.return_verification = true;
  options.return_text_location = true;
  options.detect_reproduce = true;
  options.detect_copy = true;
  return options;
}

std::string label(std::size_t bytes) {
  char text[32];
  if (bytes % (1u << 20) == 0) std::snprintf(text, sizeof text, "%zu MiB", bytes >> 20);
  else if (bytes % (1u << 19) == 0) std::snprintf(text, sizeof text, "%.1f MiB", bytes / 1048576.0);
  else if (bytes % 1024 == 0) std::snprintf(text, sizeof text, "%zu KiB", bytes >> 10);
  else std::snprintf(text, sizeof text, "%zu B", bytes);
  return text;
}

std::size_t parse_size(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  const std::string unit(end);
  if (unit == "KiB") return static_cast<std::size_t>(value * 1024);
  if (unit == "MiB") return static_cast<std::size_t>(value * 1048576);
  return static_cast<std::size_t>(value);
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) parts.push_back(part);
  return parts;
}

// A /proc/self/status field in MB (10^6 bytes).
double status_mb(const char* field) {
  std::ifstream status("/proc/self/status");
  const std::size_t length = std::strlen(field);
  for (std::string line; std::getline(status, line);) {
    if (line.compare(0, length, field) == 0) return std::strtod(line.c_str() + length, nullptr) * 1024.0 / 1e6;
  }
  return -1;
}
double peak_rss_mb() { return status_mb("VmHWM:"); }
double current_rss_mb() { return status_mb("VmRSS:"); }

// --- the sink, in its own process ----------------------------------------------------

bench::SinkProcess start_sink(int cpu) {
  const std::string answer = read_file(std::string(HWOCR_BENCH_FIXTURES) + "/id-card.json");
  if (answer.empty()) throw std::runtime_error("cannot read the id-card answer fixture");
  return bench::start_sink_process(answer, std::chrono::milliseconds(0), cpu);
}

// Where the client's threads and the sink run. On this machine's VMs a
// wake-up across CPUs costs tens of microseconds (an IPI and a halted vCPU's
// exit), and the scheduler places each connection's sink thread anew: unpinned,
// a 10 KiB call takes about 0.05 ms or 0.13 ms depending on where its sink
// thread landed, kind by kind and round by round. Pinned, the numbers repeat.
enum class Placement { kSame, kApart, kAny };

Placement placement_named(const std::string& name) {
  if (name == "same") return Placement::kSame;
  if (name == "apart") return Placement::kApart;
  if (name == "any") return Placement::kAny;
  throw std::runtime_error("--cpus takes same, apart or any");
}

const char* describe(Placement placement) {
  switch (placement) {
    case Placement::kSame: return "client threads and sink on CPU 0 (no cross-CPU wake-ups)";
    case Placement::kApart: return "client threads on CPU 0, sink on CPU 1";
    case Placement::kAny: return "unpinned (the scheduler's choice)";
  }
  return "";
}

void pin_self(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (::sched_setaffinity(0, sizeof set, &set) != 0) throw std::runtime_error("cannot pin to CPU " + std::to_string(cpu));
}

// The calling thread's CPU time, user and kernel: what one call costs the
// client whatever the wake-ups cost.
double thread_cpu_ms() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// --- the floor ---------------------------------------------------------------------

// The answer is kept (as any client must), not parsed.
std::size_t keep(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// What any client must do per call and nothing more: one reused easy handle
// (keep-alive), the prebuilt body sent from its buffer, and the AK/SK
// signature per call (SHA-256 of the body, canonical request, HMAC).
class FloorClient {
 public:
  FloorClient(const std::string& endpoint, const std::string& body)
      : body_(body),
        path_(std::string("/v2/") + kProjectId + "/ocr/id-card"),
        host_(endpoint.substr(endpoint.find("://") + 3)),
        url_(endpoint + path_),
        handle_(curl_easy_init(), &curl_easy_cleanup) {
    CURL* curl = handle_.get();
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep);
    response_.reserve(64 * 1024);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response_);
  }

  bool call() {
    static constexpr const char* kSignedHeaders = "content-type;host;x-sdk-date";
    const std::string date = format_sdk_date(std::chrono::system_clock::now());
    std::string canonical = "POST\n" + path_ + "/\n\ncontent-type:application/json;charset=UTF-8\nhost:" + host_ +
                            "\nx-sdk-date:" + date + "\n\n" + kSignedHeaders + "\n" + internal::sha256_hex(body_);
    const std::string signature = internal::hmac_sha256_hex(
        kSk, "SDK-HMAC-SHA256\n" + date + "\n" + internal::sha256_hex(canonical));
    const std::string authorization = std::string("Authorization: SDK-HMAC-SHA256 Access=") + kAk +
                                      ", SignedHeaders=" + kSignedHeaders + ", Signature=" + signature;
    const std::string date_header = "X-Sdk-Date: " + date;
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json;charset=UTF-8");
    headers = curl_slist_append(headers, date_header.c_str());
    headers = curl_slist_append(headers, authorization.c_str());
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(handle_.get(), CURLOPT_HTTPHEADER, headers);
    response_.clear();
    const CURLcode code = curl_easy_perform(handle_.get());
    long status = 0;
    curl_easy_getinfo(handle_.get(), CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(handle_.get(), CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    return code == CURLE_OK && status == 200;
  }

 private:
  const std::string& body_;
  const std::string path_;
  const std::string host_;
  const std::string url_;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle_;
  std::string response_;
};

// --- the SDK -------------------------------------------------------------------------

OcrClient make_client(const std::string& endpoint, bool unsigned_payload) {
  ClientConfig config;
  config.region = "cn-north-4";
  config.endpoint = endpoint;
  config.iam_endpoint = endpoint;
  config.project_id = kProjectId;
  config.retry.max_attempts = 1;
  config.unsigned_payload = unsigned_payload;
  return OcrClient(std::move(config), std::make_shared<AkSkSigner>(kAk, kSk));
}

enum Kind { kFloor, kSdk, kUnsigned, kFile, kKinds };
const char* const kKindNames[kKinds] = {"floor", "sdk", "unsigned", "file"};

struct Setup {
  std::string endpoint;
  Image image;
  Image file_image;
  std::string body;  // the floor's prebuilt body: exactly what the SDK sends
  std::unique_ptr<OcrClient> sdk;
  std::unique_ptr<OcrClient> sdk_unsigned;
  IdCardOptions options = typical_options();
};

std::string file_path(std::size_t size) { return "/tmp/hwocr_floor_bench_" + std::to_string(size) + ".png"; }

Setup make_setup(const std::string& endpoint, std::size_t size, bool with_file) {
  Setup setup;
  setup.endpoint = endpoint;
  std::string png = padded_png(size);
  if (with_file) {
    std::ofstream(file_path(size), std::ios::binary) << png;
    setup.file_image = Image::from_file(file_path(size));
  }
  setup.image = Image::from_bytes(std::move(png));
  nlohmann::json members = nlohmann::json::object();
  internal::to_json(setup.options, members).value();
  setup.body = internal::build_image_body(setup.image, "image", members).value();
  setup.sdk = std::make_unique<OcrClient>(make_client(endpoint, false));
  setup.sdk_unsigned = std::make_unique<OcrClient>(make_client(endpoint, true));
  return setup;
}

bool sdk_call(const Setup& setup, Kind kind) {
  const OcrClient& client = kind == kUnsigned ? *setup.sdk_unsigned : *setup.sdk;
  auto card = client.recognize_id_card(kind == kFile ? setup.file_image : setup.image, setup.options);
  if (!card) {
    std::cerr << "hwocr call failed: " << card.error().message() << "\n";
    return false;
  }
  return card->http_status == 200 && card->number.has_value();
}

struct Times {
  std::vector<std::vector<double>> wall = std::vector<std::vector<double>>(kKinds);  // ms, per kind
  std::vector<std::vector<double>> cpu = std::vector<std::vector<double>>(kKinds);   // ms of the caller's thread
};

// Runs `kinds` call by call in turns (rotating the order every round) on
// `threads` threads for `seconds`; the wall and CPU time of every call, per kind.
Times run(const Setup& setup, const std::vector<Kind>& kinds, int threads, double seconds) {
  std::vector<Times> per_thread(threads);
  std::atomic<bool> failed{false};
  std::atomic<int> ready{0};
  const auto body = [&](int index) {
    FloorClient floor(setup.endpoint, setup.body);
    auto& times = per_thread[index];
    ready.fetch_add(1);
    while (ready.load() < threads) std::this_thread::yield();
    const auto until = Clock::now() + std::chrono::duration<double>(seconds);
    for (std::size_t turn = static_cast<std::size_t>(index);
         Clock::now() < until || times.wall[kinds[0]].size() < 5; ++turn) {
      for (std::size_t k = 0; k < kinds.size(); ++k) {
        const Kind kind = kinds[(turn + k) % kinds.size()];
        const double cpu_started = thread_cpu_ms();
        const auto started = Clock::now();
        const bool ok = kind == kFloor ? floor.call() : sdk_call(setup, kind);
        times.wall[kind].push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        times.cpu[kind].push_back(thread_cpu_ms() - cpu_started);
        if (!ok) {
          failed = true;
          return;
        }
      }
      if (failed) return;
    }
  };
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) workers.emplace_back(body, i);
  body(0);
  for (auto& worker : workers) worker.join();
  if (failed) throw std::runtime_error("a call failed");
  Times all;
  for (auto& thread_times : per_thread) {
    for (int k = 0; k < kKinds; ++k) {
      all.wall[k].insert(all.wall[k].end(), thread_times.wall[k].begin(), thread_times.wall[k].end());
      all.cpu[k].insert(all.cpu[k].end(), thread_times.cpu[k].begin(), thread_times.cpu[k].end());
    }
  }
  return all;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// --- peak RSS, in fresh processes ----------------------------------------------------------

// Child: `calls` calls of `kind` per thread, then the peak RSS (MB) on stdout.
int rss_child(const std::string& endpoint, Kind kind, std::size_t size, int threads, int calls) {
  Setup setup;
  setup.endpoint = endpoint;
  std::string png = padded_png(size);
  if (kind == kFile) {
    std::ofstream(file_path(size), std::ios::binary) << png;
    png.clear();
    png.shrink_to_fit();
    setup.image = Image::from_file(file_path(size));
  } else {
    setup.image = Image::from_bytes(std::move(png));
  }
  setup.file_image = setup.image;
  if (kind == kFloor) {
    nlohmann::json members = nlohmann::json::object();
    internal::to_json(setup.options, members).value();
    setup.body = internal::build_image_body(setup.image, "image", members).value();
  } else {
    setup.sdk = std::make_unique<OcrClient>(make_client(endpoint, false));
    setup.sdk_unsigned = std::make_unique<OcrClient>(make_client(endpoint, true));
  }
  const double before = current_rss_mb();
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      std::unique_ptr<FloorClient> floor;
      if (kind == kFloor) floor = std::make_unique<FloorClient>(endpoint, setup.body);
      for (int i = 0; i < calls && !failed; ++i) {
        if (!(kind == kFloor ? floor->call() : sdk_call(setup, kind))) failed = true;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  if (failed) return 1;
  std::printf("%.1f %.1f\n", peak_rss_mb(), before);
  return 0;
}

// Peak RSS and the RSS before the first call (image, client or prebuilt body ready), MB.
std::pair<double, double> measure_rss(const std::string& self, const std::string& endpoint, Kind kind,
                                      std::size_t size, int threads) {
  const std::string command = "'" + self + "' --rss-child " + endpoint + " " + kKindNames[kind] + " " +
                              std::to_string(size) + " " + std::to_string(threads) + " 10";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, -1};
  double peak = -1;
  double before = -1;
  if (std::fscanf(pipe, "%lf %lf", &peak, &before) != 2) peak = before = -1;
  if (::pclose(pipe) != 0) return {-1, -1};
  return {peak, before};
}

Kind kind_named(const std::string& name) {
  for (int k = 0; k < kKinds; ++k) {
    if (name == kKindNames[k]) return static_cast<Kind>(k);
  }
  throw std::runtime_error("unknown kind " + name);
}

std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc == 7 && std::string(argv[1]) == "--rss-child") {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return rss_child(argv[2], kind_named(argv[3]), std::stoull(argv[4]), std::stoi(argv[5]), std::stoi(argv[6]));
  }
  if (argc == 3 && std::string(argv[1]) == "--serve") {
    bench::SinkServer server(read_file(std::string(HWOCR_BENCH_FIXTURES) + "/id-card.json"));
    std::string error;
    if (!server.start(&error, std::stoi(argv[2]))) throw std::runtime_error(error);
    std::printf("sink listening on %s\n", server.endpoint().c_str());
    std::fflush(stdout);
    for (;;) ::pause();
  }
  double seconds = 1.0;
  int rounds = 3;
  std::vector<std::size_t> sizes = {10 * 1024, 1 << 20, 5 << 20, 15 << 19};
  std::vector<int> thread_counts = {1, 4};
  bool rss = true;
  std::string only;
  Placement placement = Placement::kSame;
  std::string endpoint;  // an external sink (--serve), e.g. to profile the client alone
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const std::string value = i + 1 < argc ? argv[i + 1] : "";
    if (flag == "--no-rss") {
      rss = false;
      continue;
    }
    if (value.empty()) throw std::runtime_error(flag + " needs a value");
    ++i;
    if (flag == "--seconds") seconds = std::stod(value);
    else if (flag == "--rounds") rounds = std::stoi(value);
    else if (flag == "--only") only = value;
    else if (flag == "--cpus") placement = placement_named(value);
    else if (flag == "--endpoint") endpoint = value;
    else if (flag == "--sizes") {
      sizes.clear();
      for (const auto& part : split(value)) sizes.push_back(parse_size(part));
    } else if (flag == "--threads") {
      thread_counts.clear();
      for (const auto& part : split(value)) thread_counts.push_back(std::stoi(part));
    } else {
      throw std::runtime_error("unknown option " + flag);
    }
  }

  const bool two_cpus = std::thread::hardware_concurrency() >= 2;
  if (placement == Placement::kApart && !two_cpus) placement = Placement::kSame;
  bench::SinkProcess sink;
  const int sink_cpu = placement == Placement::kAny ? -1 : placement == Placement::kApart ? 1 : 0;
  if (endpoint.empty()) sink = start_sink(sink_cpu);  // before any thread: fork() is safe
  else sink.endpoint = endpoint;
  if (placement != Placement::kAny) pin_self(0);  // threads started from now on inherit it
  curl_global_init(CURL_GLOBAL_DEFAULT);
  struct SinkStopper {
    pid_t pid;
    ~SinkStopper() {
      if (pid <= 0) return;
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  } stopper{sink.pid};

  if (!only.empty()) {
    const Kind kind = kind_named(only);
    for (const std::size_t size : sizes) {
      const Setup setup = make_setup(sink.endpoint, size, kind == kFile);
      for (const int threads : thread_counts) {
        const auto times = run(setup, {kind}, threads, seconds);
        std::printf("%-8s %-8s threads %d: %zu calls, median %.3f ms, %.1f us CPU\n", kKindNames[kind],
                    label(size).c_str(), threads, times.wall[kind].size(), median(times.wall[kind]),
                    median(times.cpu[kind]) * 1e3);
      }
    }
    return 0;
  }

  std::printf("hwocr vs the bare-libcurl floor, loopback sink server in its own process\n");
  std::printf("%d rounds of %.1f s per row, calls interleaved (floor, sdk, unsigned, file; order rotated)\n",
              rounds, seconds);
  std::printf("placement: %s\n", describe(placement));
  std::printf("load average before: %s; Base64 encoder: %s\n\n", load_average().c_str(),
              internal::base64_avx2_supported() ? "AVX2" : "scalar");
  // medians[threads][size][kind] = per-round medians, wall and CPU; ratios likewise.
  std::map<int, std::map<std::size_t, std::vector<std::vector<double>>>> medians;
  std::map<int, std::map<std::size_t, std::vector<std::vector<double>>>> cpu_medians;
  std::map<std::size_t, Setup> setups;
  for (const std::size_t size : sizes) setups.emplace(size, make_setup(sink.endpoint, size, true));
  for (int round = 0; round < rounds; ++round) {
    for (const int threads : thread_counts) {
      for (const std::size_t size : sizes) {
        const auto times = run(setups.at(size), {kFloor, kSdk, kUnsigned, kFile}, threads, seconds);
        auto& row = medians[threads][size];
        auto& cpu_row = cpu_medians[threads][size];
        row.resize(kKinds);
        cpu_row.resize(kKinds);
        for (int k = 0; k < kKinds; ++k) {
          row[k].push_back(median(times.wall[k]));
          cpu_row[k].push_back(median(times.cpu[k]));
        }
      }
    }
  }
  std::printf("%-8s %-8s %10s %10s %10s %10s %9s %9s %9s %11s %11s\n", "threads", "image", "floor ms", "sdk ms",
              "unsig. ms", "file ms", "sdk/fl", "unsig/fl", "file/fl", "cpu fl/sdk", "cpu sdk/fl");
  for (const int threads : thread_counts) {
    for (const std::size_t size : sizes) {
      const auto& row = medians[threads][size];
      const auto& cpu_row = cpu_medians[threads][size];
      std::vector<double> ratio[kKinds];
      std::vector<double> cpu_ratio;
      for (int r = 0; r < rounds; ++r) {
        for (int k = 1; k < kKinds; ++k) ratio[k].push_back(row[k][r] / row[kFloor][r]);
        cpu_ratio.push_back(cpu_row[kSdk][r] / cpu_row[kFloor][r]);
      }
      char cpu[32];
      std::snprintf(cpu, sizeof cpu, "%.0f/%.0f", median(cpu_row[kFloor]) * 1e3, median(cpu_row[kSdk]) * 1e3);
      std::printf("%-8d %-8s %10.3f %10.3f %10.3f %10.3f %8.2fx %8.2fx %8.2fx %11s %10.2fx\n", threads,
                  label(size).c_str(), median(row[kFloor]), median(row[kSdk]), median(row[kUnsigned]),
                  median(row[kFile]), median(ratio[kSdk]), median(ratio[kUnsigned]), median(ratio[kFile]), cpu,
                  median(cpu_ratio));
    }
  }
  std::printf("(ms: median wall time of one call, median over rounds; ratios: median of the per-round ratios;\n"
              " sdk = Image::from_bytes + recognize_id_card, unsigned = the same with unsigned_payload,\n"
              " file = Image::from_file; with 4 threads, latencies under 4 concurrent callers;\n"
              " cpu: median microseconds of the calling thread's CPU time (user + kernel) per call, floor/sdk)\n");
  std::printf("load average after: %s\n", load_average().c_str());

  if (rss) {
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) throw std::runtime_error("readlink /proc/self/exe failed");
    self[n] = '\0';
    std::printf("\npeak RSS in MB (10^6 bytes), a fresh process per cell, 10 calls per thread, sink in its own\n"
                "process; (+N) = peak minus the RSS before the first call (image, client / prebuilt body ready)\n");
    std::printf("%-8s %-8s %15s %15s %15s %15s\n", "threads", "image", "floor", "sdk", "unsigned", "file");
    for (const int threads : thread_counts) {
      for (const std::size_t size : sizes) {
        std::printf("%-8d %-8s", threads, label(size).c_str());
        for (const Kind kind : {kFloor, kSdk, kUnsigned, kFile}) {
          const auto [peak, before] = measure_rss(self, sink.endpoint, kind, size, threads);
          std::printf("   %5.1f (+%5.1f)", peak, peak - before);
        }
        std::printf("\n");
      }
    }
  }
  for (const std::size_t size : sizes) std::remove(file_path(size).c_str());
  return 0;
} catch (const std::exception& e) {
  std::cerr << "hwocr_floor_bench: " << e.what() << "\n";
  return 1;
}
