// The pieces of the credential sources that tests check on their own.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hwocr/credentials.h"
#include "hwocr/error.h"
#include "hwocr/http.h"

namespace hwocr::internal {

// Why `credentials` cannot be signed with (an empty key, control characters,
// invalid UTF-8, an AK that would break the Authorization header), naming
// `source` and the field, never a value.
std::optional<Error> check_credentials(const Credentials& credentials, std::string_view source);

struct SmallFile {
  std::string content;
  mode_t mode = 0;
};
// A regular file of at most max_bytes; errors start with `what` and the path.
Result<SmallFile> read_small_file(const std::string& path, std::size_t max_bytes, std::string_view what);

struct IniSection {
  bool found = false;
  std::map<std::string, std::string> values;  // keys lower-case, values trimmed
};
// One section of an INI text as Python's configparser reads it (the official
// SDKs' reader): '#' and ';' comment lines, "key = value" or "key: value",
// keys case-insensitive, duplicate sections or keys an error.
Result<IniSection> parse_ini_section(std::string_view text, std::string_view section, std::string_view file_for_messages);

// The answer of the ECS metadata securitykey and of pod identity:
// {"credential"|"credentials": {access|accessKeyId, secret|secretAccessKey,
//  securitytoken|securityToken, expires_at|expiration}}.
Result<Credentials> parse_temporary_credentials(const HttpResponse& response, std::string_view what,
                                                std::size_t max_bytes, std::chrono::system_clock::time_point now);

}  // namespace hwocr::internal
