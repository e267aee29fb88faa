// hwocr_rss_probe: the memory a call costs. Starts the in-process emulator
// (or uses --endpoint), makes one client, recognizes one padded PNG of the
// given size a few times and prints the RSS before the first call and the
// peak RSS (getrusage ru_maxrss). Exits non-zero when a call fails.
//
//   hwocr_rss_probe <image-bytes> [--calls N] [--endpoint http://127.0.0.1:PORT]
//
// With the in-process emulator the peak includes the emulator's own copies of
// the request (it receives, parses and decodes the body in this process); an
// external emulator (hwocr-emulator) leaves only the client's memory.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "bench_support.h"
#include "emulator.h"
#include "hwocr/cards.h"
#include "hwocr/hwocr.h"

namespace {

using hwocr::bench::status_mib;

double current_rss_mib() { return status_mib("VmRSS:"); }

// getrusage's ru_maxrss (KiB -> MiB). The kernel updates that high-water
// mark lazily, so it can lag the current RSS by a little; VmHWM is the same
// mark brought up to date, and the larger of the two is reported.
double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return std::max(static_cast<double>(usage.ru_maxrss) / 1024.0, status_mib("VmHWM:"));
}

[[noreturn]] void usage(const std::string& problem) {
  if (!problem.empty()) std::cerr << "hwocr_rss_probe: " << problem << "\n";
  std::cerr << "usage: hwocr_rss_probe <image-bytes> [--calls N] [--endpoint http://127.0.0.1:PORT] [--from-file PATH]\n";
  std::exit(2);
}

std::size_t parse_count(const std::string& text, const char* what) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value == 0) usage(std::string(what) + " must be a positive number");
  return static_cast<std::size_t>(value);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage("");
  const std::size_t image_bytes = parse_count(argv[1], "<image-bytes>");
  std::size_t calls = 5;
  std::string endpoint;
  std::string image_file;  // --from-file: the image is read from disk, as the demo does
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(flag + " needs a value");
    if (flag == "--calls") calls = parse_count(argv[++i], "--calls");
    else if (flag == "--endpoint") endpoint = argv[++i];
    else if (flag == "--from-file") image_file = argv[++i];
    else usage("unknown option " + flag);
  }
  if (!image_file.empty()) {
    std::ofstream(image_file, std::ios::binary) << hwocr::bench::padded_png(image_bytes);
  }

  std::printf("rss at start:              %8.1f MiB\n", current_rss_mib());
  std::unique_ptr<hwocr::emulator::Emulator> server;
  if (endpoint.empty()) {
    server = std::make_unique<hwocr::emulator::Emulator>();
    std::string error;
    if (!server->start(&error)) {
      std::cerr << "hwocr_rss_probe: cannot start the emulator: " << error << "\n";
      return 1;
    }
    endpoint = server->endpoint();
  }

  try {
    const hwocr::OcrClient client = hwocr::bench::make_client(endpoint);
    const hwocr::Image image = image_file.empty() ? hwocr::Image::from_bytes(hwocr::bench::padded_png(image_bytes))
                                                  : hwocr::Image::from_file(image_file);
    const hwocr::IdCardOptions options = hwocr::bench::typical_id_card_options();

    const double before = current_rss_mib();
    const double peak_before = peak_rss_mib();
    std::printf("image:                     %8.2f MiB (%zu bytes), %zu calls, emulator %s\n",
                static_cast<double>(image_bytes) / (1024.0 * 1024.0), image_bytes, calls,
                server ? "in-process" : endpoint.c_str());
    std::printf("rss before the first call: %8.1f MiB (peak so far %.1f MiB)\n", before, peak_before);
    for (std::size_t i = 0; i < calls; ++i) {
      auto card = client.recognize_id_card(image, options);
      if (!card) {
        std::cerr << "hwocr_rss_probe: call " << i + 1 << " failed: " << card.error().message() << "\n";
        return 1;
      }
      if (card->http_status != 200 || !card->number) {
        std::cerr << "hwocr_rss_probe: call " << i + 1 << " answered without the card number\n";
        return 1;
      }
      std::printf("after call %zu:              %8.1f MiB\n", i + 1, current_rss_mib());
    }
    const double peak = peak_rss_mib();
    std::printf("peak rss:                  %8.1f MiB (+%.1f MiB over the rss before the first call)\n", peak,
                peak - before);
  } catch (const std::exception& e) {
    std::cerr << "hwocr_rss_probe: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
