// hwocr_batch_bench: a batch of asynchronous ID-card calls under a QPS limit
// against the in-process emulator (or --endpoint). Prints the achieved start
// rate, the most starts in any 1-second interval [t, t + 1 s), the calls in
// flight at most and the wall time; exits 1 when the most starts in a second
// exceed the limit or the rate is more than 5% under it.
//
//   hwocr_batch_bench [--calls 200] [--qps 20] [--in-flight 8] [--endpoint http://127.0.0.1:PORT]
//                     [--unlimited]   (also a run without a limit, for the emulator's own rate)
//
// A start is timed where the batch hands the item to the client (the first
// thing start() does), on the steady clock.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench_support.h"
#include "emulator.h"
#include "hwocr/batch.h"
#include "hwocr/cards.h"
#include "hwocr/hwocr.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  std::vector<Clock::time_point> starts;
  Clock::duration wall{};
  int most_in_flight = 0;
  hwocr::BatchSummary summary;
  std::string first_error;
};

Run run(const hwocr::OcrClient& client, std::size_t calls, double qps, std::size_t in_flight_limit) {
  Run out;
  out.starts.reserve(calls);
  std::atomic<int> in_flight{0};
  std::atomic<int> most{0};
  hwocr::BatchOptions options;
  options.max_in_flight = in_flight_limit;
  options.max_requests_per_second = qps;
  const hwocr::IdCardOptions card = hwocr::bench::typical_id_card_options();
  const auto began = Clock::now();
  out.summary = hwocr::run_batch<hwocr::IdCardResult>(
      calls,
      [&](std::size_t, const hwocr::CallOptions& call, auto done) {
        out.starts.push_back(Clock::now());  // start() runs on this thread only
        const int now = ++in_flight;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        client.recognize_id_card_async(hwocr::Image::from_file(HWOCR_BENCH_SAMPLE_IMAGE), card, call,
                                       [&in_flight, done = std::move(done)](hwocr::Result<hwocr::IdCardResult> r) {
                                         --in_flight;
                                         done(std::move(r));
                                       });
      },
      options,
      [&](std::size_t, hwocr::Result<hwocr::IdCardResult> r) {
        if (!r && out.first_error.empty()) out.first_error = r.error().message();
      });
  out.wall = Clock::now() - began;
  out.most_in_flight = most.load();
  return out;
}

// The most starts in any interval [t, t + 1 s).
std::size_t max_per_second(std::vector<Clock::time_point> starts) {
  std::sort(starts.begin(), starts.end());
  std::size_t most = 0;
  std::size_t first = 0;
  for (std::size_t last = 0; last < starts.size(); ++last) {
    while (starts[last] - starts[first] >= std::chrono::seconds(1)) ++first;
    most = std::max(most, last - first + 1);
  }
  return most;
}

double achieved_rate(const std::vector<Clock::time_point>& starts) {
  if (starts.size() < 2) return 0;
  return double(starts.size() - 1) / std::chrono::duration<double>(starts.back() - starts.front()).count();
}

double shortest_gap_ms(const std::vector<Clock::time_point>& starts) {
  double shortest = 1e300;
  for (std::size_t i = 1; i < starts.size(); ++i) {
    shortest = std::min(shortest, std::chrono::duration<double, std::milli>(starts[i] - starts[i - 1]).count());
  }
  return shortest;
}

void report(const char* label, const Run& r, std::size_t calls) {
  std::printf("%-10s calls %zu  ok %zu  failed %zu  wall %.3f s  achieved %.3f starts/s  max in any 1 s: %zu  "
              "shortest gap %.3f ms  max in flight %d\n",
              label, calls, r.summary.succeeded, r.summary.failed + r.summary.cancelled,
              std::chrono::duration<double>(r.wall).count(), achieved_rate(r.starts), max_per_second(r.starts),
              shortest_gap_ms(r.starts), r.most_in_flight);
  if (!r.first_error.empty()) std::printf("           first error: %s\n", r.first_error.c_str());
}

[[noreturn]] void usage(const std::string& problem) {
  if (!problem.empty()) std::cerr << "hwocr_batch_bench: " << problem << "\n";
  std::cerr << "usage: hwocr_batch_bench [--calls N] [--qps Q] [--in-flight K] [--endpoint URL] [--unlimited]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t calls = 200;
  double qps = 20;
  std::size_t in_flight = 8;
  std::string endpoint;
  bool unlimited = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--calls") {
      calls = std::strtoull(value().c_str(), nullptr, 10);
    } else if (arg == "--qps") {
      qps = std::strtod(value().c_str(), nullptr);
    } else if (arg == "--in-flight") {
      in_flight = std::strtoull(value().c_str(), nullptr, 10);
    } else if (arg == "--endpoint") {
      endpoint = value();
    } else if (arg == "--unlimited") {
      unlimited = true;
    } else {
      usage("unknown argument " + arg);
    }
  }
  if (calls < 2 || !(qps > 0)) usage("--calls must be at least 2 and --qps positive");

  std::unique_ptr<hwocr::emulator::Emulator> server;
  if (endpoint.empty()) {
    server = std::make_unique<hwocr::emulator::Emulator>();
    std::string error;
    if (!server->start(&error)) {
      std::cerr << "hwocr_batch_bench: cannot start the emulator: " << error << "\n";
      return 1;
    }
    endpoint = server->endpoint();
  }
  const hwocr::OcrClient client = hwocr::bench::make_client(endpoint);

  std::printf("batch of %zu ID-card calls, %zu in flight at most, against %s\n", calls, in_flight, endpoint.c_str());
  if (unlimited) report("unlimited", run(client, calls, 0, in_flight), calls);
  const Run limited = run(client, calls, qps, in_flight);
  char label[32];
  std::snprintf(label, sizeof label, "qps %g", qps);
  report(label, limited, calls);

  const std::size_t most = max_per_second(limited.starts);
  const double achieved = achieved_rate(limited.starts);
  bool ok = limited.summary.ok();
  if (double(most) > qps) {
    std::printf("FAIL: %zu starts in one second, over the limit of %g\n", most, qps);
    ok = false;
  }
  if (achieved < qps * 0.95) {
    std::printf("FAIL: achieved %.3f starts/s, more than 5%% under the limit of %g\n", achieved, qps);
    ok = false;
  }
  if (!limited.summary.ok()) std::printf("FAIL: %zu calls did not succeed\n", calls - limited.summary.succeeded);
  if (ok) std::printf("ok: at most %zu starts in any second (limit %g), achieved %.2f%% of the limit\n", most, qps,
                      100.0 * achieved / qps);
  return ok ? 0 : 1;
}
