// What the benchmark and the RSS probe share: test images of a given size,
// the request options, and a client pointed at an emulator.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>

#include "emulator.h"
#include "hwocr/cards.h"
#include "hwocr/hwocr.h"

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

// "10KiB", "1MiB", "5MiB"
inline std::string size_label(std::size_t bytes) {
  if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + "MiB";
  if (bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + "KiB";
  return std::to_string(bytes) + "B";
}

// Typical options of an ID-card check: front side, verification of the
// number, where the text is, and two anti-fraud alarms.
inline IdCardOptions typical_id_card_options() {
  IdCardOptions options;
  options.side = "front";
  options.return_verification = true;
  options.return_text_location = true;
  options.detect_reproduce = true;
  options.detect_copy = true;
  return options;
}

inline const emulator::AccessKey& default_key() {
  static const emulator::Options defaults;
  return defaults.access_keys.front();
}

inline std::string default_project_id() {
  static const emulator::Options defaults;
  return defaults.projects.front().id;
}

inline std::string default_region() {
  static const emulator::Options defaults;
  return defaults.region;
}

// A client for the emulator at `endpoint` with its default AK/SK and the
// project id configured (no lookup). One attempt per call: a failure is
// reported, never hidden behind a retry.
inline OcrClient make_client(const std::string& endpoint) {
  ClientConfig config;
  config.region = default_region();
  config.endpoint = endpoint;
  config.iam_endpoint = endpoint;
  config.project_id = default_project_id();
  config.retry.max_attempts = 1;
  config.request_timeout = std::chrono::seconds(60);
  const auto& key = default_key();
  return OcrClient(std::move(config), std::make_shared<AkSkSigner>(key.ak, key.sk, key.security_token));
}

}  // namespace hwocr::bench
