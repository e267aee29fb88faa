// Test data every benchmark and probe shares, with no emulator attached:
// images of a given size and the process's memory readings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace hwocr::bench {

// The demo's synthetic ID card (856x540 PNG), padded with pseudo-random
// bytes after its IEND chunk up to `size` bytes. PNG decoders ignore what
// follows IEND; the emulator reads the signature and IHDR only. Throws when
// the sample cannot be read or is larger than `size`.
inline std::string padded_png(std::size_t size) {
  std::ifstream file(HWOCR_BENCH_SAMPLE_IMAGE, std::ios::binary);
  std::string png((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (png.size() < 33 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) {
    throw std::runtime_error("cannot read the sample PNG " + std::string(HWOCR_BENCH_SAMPLE_IMAGE));
  }
  if (png.size() > size) {
    throw std::runtime_error("the sample PNG is " + std::to_string(png.size()) + " bytes, more than " +
                             std::to_string(size));
  }
  png.reserve(size);
  std::uint64_t state = 0x9e3779b97f4a7c15u;  // xorshift64: deterministic, incompressible
  while (png.size() < size) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    png.push_back(static_cast<char>(state >> 56));
  }
  return png;
}

// A /proc/self/status field ("VmRSS:", "VmHWM:") in MiB; -1 when unknown.
inline double status_mib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::size_t length = std::strlen(field);
  while (std::getline(status, line)) {
    if (line.compare(0, length, field) == 0) return std::strtod(line.c_str() + length, nullptr) / 1024.0;
  }
  return -1;
}

}  // namespace hwocr::bench
