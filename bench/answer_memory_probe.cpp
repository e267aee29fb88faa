// hwocr_answer_memory_probe: the peak memory of receiving and parsing one
// large answer, as a multiple of the answer's size. A transport of its own
// builds each answer inside send(), as libcurl would receive it, so what is
// measured is the client alone: the body, the parsed document, the typed
// result. No server, no network.
//
//   hwocr_answer_memory_probe [blocks ...]   (default: 10000 40000 160000)
//
// Each size runs in a child process, so one size's peak does not hide the next.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench_data.h"
#include "hwocr/hwocr.h"
#include "hwocr/text.h"

namespace {

using hwocr::bench::status_mib;

// A general-text answer with `blocks` text lines, like a dense page's.
std::string general_text_answer(int blocks) {
  std::string body = R"({"result":{"direction":0,"words_block_count":)" + std::to_string(blocks) +
                     R"(,"words_block_list":[)";
  for (int i = 0; i < blocks; ++i) {
    if (i != 0) body += ',';
    body += R"({"words":"line )" + std::to_string(i) +
            R"( of recognized text","location":[[12,40],[980,40],[980,78],[12,78]],"confidence":0.9973})";
  }
  body += "]}}";
  return body;
}

class AnswerTransport final : public hwocr::HttpTransport {
 public:
  explicit AnswerTransport(int blocks) : blocks_(blocks) {}
  hwocr::Result<hwocr::HttpResponse> send(const hwocr::HttpRequest&, const hwocr::TransportLimits&) override {
    hwocr::HttpResponse response;
    response.status = 200;
    response.headers.set("X-Request-Id", "memory-probe");
    response.body = general_text_answer(blocks_);
    return response;
  }

 private:
  int blocks_;
};

int measure(int blocks) {
  const std::size_t answer_bytes = general_text_answer(blocks).size();
  hwocr::ClientConfig config;
  config.endpoint = "http://127.0.0.1:9";
  config.project_id = "0e5a1b2c3d4e5f60718293a4b5c6d7e8";
  config.max_response_bytes = 1u << 30;
  config.transport = std::make_shared<AnswerTransport>(blocks);
  const hwocr::OcrClient client(config, std::make_shared<hwocr::AkSkSigner>("AK", "SK"));
  const hwocr::Image image = hwocr::Image::from_bytes(std::string(1024, 'x'));
  const double baseline = status_mib("VmRSS:");
  const auto started = std::chrono::steady_clock::now();
  const auto result = client.recognize_general_text(image);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!result) {
    std::fprintf(stderr, "call failed: %s\n", result.error().message().c_str());
    return 1;
  }
  const double peak = status_mib("VmHWM:") - baseline;
  const double held = status_mib("VmRSS:") - baseline;
  const double answer_mib = static_cast<double>(answer_bytes) / (1024.0 * 1024.0);
  std::printf("%8d blocks  answer %7.2f MiB  peak +%8.1f MiB (%5.1fx)  held by the result +%8.1f MiB (%5.1fx)  %8.1f ms\n",
              blocks, answer_mib, peak, peak / answer_mib, held, held / answer_mib, ms);
  return result->words_block_list.size() == static_cast<std::size_t>(blocks) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {10000, 40000, 160000};
  int failures = 0;
  for (const int blocks : sizes) {
    std::fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
      const int code = measure(blocks);
      std::fflush(stdout);  // _exit() does not flush
      _exit(code);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
  }
  return failures == 0 ? 0 : 1;
}
