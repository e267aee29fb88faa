// hwocr_async_bench: asynchronous throughput. `--calls` id-card calls (AK/SK,
// a 10 KiB image) with a fixed number in flight against a loopback sink that
// answers each request after `--latency-ms` (a service's think time), in a
// process of its own so that none of its work counts here. For each
// in-flight count, in a child process of its own (its peak RSS alone):
// wall time against the ideal (ceil(calls / in_flight) x latency), the
// threads the process has, CPU per call, peak RSS.
//
//   hwocr_async_bench [--calls 1000] [--latency-ms 100] [--in-flight 1,8,64,256]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hwocr/cards.h"
#include "hwocr/hwocr.h"
#include "sink_server.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

long status_field(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return -1;
}

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

struct Outcome {
  double wall_s = 0;
  double cpu_us_per_call = 0;
  long threads = 0;
  double peak_rss_mb = 0;
  int failures = 0;
};

Outcome run(const std::string& endpoint, int calls, int in_flight) {
  hwocr::ClientConfig config;
  config.endpoint = endpoint;
  config.iam_endpoint = endpoint;
  config.project_id = "0e5a1b2c3d4e5f60718293a4b5c6d7e8";
  config.max_idle_connections = static_cast<std::size_t>(in_flight) + 8;
  const hwocr::OcrClient client(config, std::make_shared<hwocr::AkSkSigner>("BENCHASYNCAK00000001", "bench-sk"));
  const auto image = hwocr::Image::from_bytes(std::string(10 * 1024, 'x'));

  // One call first: the loop and the task thread exist from then on.
  if (!client.recognize_id_card_async(image).get().ok()) throw std::runtime_error("the first call failed");

  std::mutex mutex;
  std::condition_variable ended;
  int outstanding = 0;
  int finished = 0;
  int failures = 0;
  const double cpu_start = cpu_seconds();
  const auto start = Clock::now();
  for (int i = 0; i < calls; ++i) {
    {
      std::unique_lock<std::mutex> lock(mutex);
      ended.wait(lock, [&] { return outstanding < in_flight; });
      ++outstanding;
    }
    client.recognize_id_card_async(image, {}, {}, [&](hwocr::Result<hwocr::IdCardResult> card) {
      std::lock_guard<std::mutex> lock(mutex);
      --outstanding;
      ++finished;
      if (!card) ++failures;
      ended.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mutex);
  ended.wait(lock, [&] { return finished == calls; });
  Outcome outcome;
  outcome.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  outcome.cpu_us_per_call = (cpu_seconds() - cpu_start) * 1e6 / calls;
  outcome.threads = status_field("Threads:");
  outcome.peak_rss_mb = static_cast<double>(status_field("VmHWM:")) / 1024.0;
  outcome.failures = failures;
  return outcome;
}

std::vector<int> split(const std::string& text) {
  std::vector<int> values;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) values.push_back(std::stoi(part));
  return values;
}

}  // namespace

int main(int argc, char** argv) try {
  int calls = 1000;
  int latency_ms = 100;
  std::vector<int> in_flight = {1, 8, 64, 256};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--calls") calls = std::stoi(argv[i + 1]);
    else if (flag == "--latency-ms") latency_ms = std::stoi(argv[i + 1]);
    else if (flag == "--in-flight") in_flight = split(argv[i + 1]);
    else throw std::runtime_error("unknown option " + flag);
  }
  const std::string answer = read_file(std::string(HWOCR_BENCH_FIXTURES) + "/id-card.json");
  if (answer.empty()) throw std::runtime_error("cannot read the id-card answer fixture");
  auto sink = hwocr::bench::start_sink_process(answer, std::chrono::milliseconds(latency_ms));

  std::printf("%d calls, %d ms latency per call, one client, AK/SK, 10 KiB image\n", calls, latency_ms);
  std::printf("%9s %9s %9s %7s %8s %12s %10s %8s\n", "in_flight", "wall_s", "ideal_s", "ratio", "threads",
              "cpu_us/call", "rss_MB", "failed");
  for (const int n : in_flight) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(pipe_fds[0]);
      Outcome outcome;
      try {
        outcome = run(sink.endpoint, calls, n);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "in_flight %d: %s\n", n, e.what());
        outcome.failures = -1;
      }
      const bool written = ::write(pipe_fds[1], &outcome, sizeof outcome) == sizeof outcome;
      ::_exit(written ? 0 : 1);
    }
    ::close(pipe_fds[1]);
    Outcome outcome;
    const bool read_ok = ::read(pipe_fds[0], &outcome, sizeof outcome) == sizeof outcome;
    ::close(pipe_fds[0]);
    ::waitpid(child, nullptr, 0);
    if (!read_ok) throw std::runtime_error("a run failed");
    const double ideal = std::ceil(static_cast<double>(calls) / n) * latency_ms / 1000.0;
    std::printf("%9d %9.3f %9.3f %7.3f %8ld %12.1f %10.1f %8d\n", n, outcome.wall_s, ideal, outcome.wall_s / ideal,
                outcome.threads, outcome.cpu_us_per_call, outcome.peak_rss_mb, outcome.failures);
    std::fflush(stdout);
  }
  sink.stop();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "hwocr_async_bench: " << e.what() << "\n";
  return 1;
}
