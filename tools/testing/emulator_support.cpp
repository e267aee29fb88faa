// Times, random values, strings and JSON navigation for the emulator.
#include "emulator_support.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "common/crypto.h"
#include "common/url.h"

namespace hwocr::testing::detail {
namespace {

std::tm utc_calendar(SystemClock::time_point time) {
  const std::time_t seconds = SystemClock::to_time_t(time);
  std::tm calendar{};
  gmtime_r(&seconds, &calendar);
  return calendar;
}

std::string random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return bytes;
}

std::string base64(std::string_view bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                   reinterpret_cast<const unsigned char*>(bytes.data()),
                                   static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(size));
  return text;
}

}  // namespace

// --- time ----------------------------------------------------------------------------------------

std::string http_date(SystemClock::time_point time) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::tm utc = utc_calendar(time);
  char text[96];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

std::string iam_time(SystemClock::time_point time) {
  const std::tm utc = utc_calendar(time);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count() %
                      1000000;
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(micros));
  return text;
}

std::string sdk_date(SystemClock::time_point time) {
  const std::tm utc = utc_calendar(time);
  char text[20];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::optional<SystemClock::time_point> parse_sdk_date(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  for (std::size_t i = 0; i < 15; ++i) {
    if (i != 8 && (text[i] < '0' || text[i] > '9')) return std::nullopt;
  }
  const auto number = [&](std::size_t offset, std::size_t length) {
    int value = 0;
    for (std::size_t i = offset; i < offset + length; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  std::tm fields{};
  fields.tm_year = number(0, 4) - 1900;
  fields.tm_mon = number(4, 2) - 1;
  fields.tm_mday = number(6, 2);
  fields.tm_hour = number(9, 2);
  fields.tm_min = number(11, 2);
  fields.tm_sec = number(13, 2);
  const std::tm wanted = fields;
  const std::time_t seconds = timegm(&fields);
  // timegm normalises (Feb 30 -> Mar 2): only an unchanged date is a real one.
  if (fields.tm_year != wanted.tm_year || fields.tm_mon != wanted.tm_mon || fields.tm_mday != wanted.tm_mday ||
      fields.tm_hour != wanted.tm_hour || fields.tm_min != wanted.tm_min || fields.tm_sec != wanted.tm_sec) {
    return std::nullopt;
  }
  return SystemClock::from_time_t(seconds);
}

// --- random values -------------------------------------------------------------------------------

std::string new_request_id() {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::string bytes = random_bytes(16);
  std::string id;
  id.reserve(32);
  for (const char byte : bytes) {
    id.push_back(kDigits[static_cast<unsigned char>(byte) >> 4]);
    id.push_back(kDigits[static_cast<unsigned char>(byte) & 0x0f]);
  }
  return id;
}

std::string new_token() { return "MII" + base64(random_bytes(150)); }

std::string stable_id(std::string_view kind, std::string_view name) {
  return internal::sha256_hex(std::string(kind) + ":" + std::string(name)).substr(0, 32);
}

// --- strings -------------------------------------------------------------------------------------

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    pieces.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return pieces;
    start = end + 1;
  }
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

std::optional<std::string> query_value(std::string_view raw_query, std::string_view key) {
  if (raw_query.empty()) return std::nullopt;
  for (const auto piece : split(raw_query, '&')) {
    const auto equals = piece.find('=');
    if (internal::percent_decode(piece.substr(0, equals)) != key) continue;
    return equals == std::string_view::npos ? std::string() : internal::percent_decode(piece.substr(equals + 1));
  }
  return std::nullopt;
}

// --- JSON ----------------------------------------------------------------------------------------

const nlohmann::json* find_path(const nlohmann::json& root, std::initializer_list<const char*> path) {
  const nlohmann::json* node = &root;
  for (const char* key : path) {
    if (!node->is_object()) return nullptr;
    const auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

const std::string* string_at(const nlohmann::json& root, std::initializer_list<const char*> path) {
  const nlohmann::json* node = find_path(root, path);
  return node && node->is_string() ? &node->get_ref<const std::string&>() : nullptr;
}

}  // namespace hwocr::testing::detail
