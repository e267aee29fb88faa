// The credential sources (static, environment, profile file, ECS metadata,
// pod identity) and the chain over them. Facts about the sources:
// ../shared/reference/credentials.md. No message built here contains a
// value read from a source: only names of variables, files, keys and fields.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

#include "auth/credentials_internal.h"
#include "common/errors.h"
#include "common/http_check.h"
#include "common/json_document.h"
#include "common/text.h"
#include "common/time.h"
#include "common/url.h"
#include "hwocr/credentials.h"
#include "model/error_body.h"

namespace hwocr {
namespace internal {
namespace {

Error auth_error(std::string message) { return make_error(ErrorCategory::kAuth, std::move(message)); }

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The limits of one call to a credentials server: the source's own, never
// more than what the caller can wait.
TransportLimits source_limits(std::chrono::milliseconds connect, std::chrono::milliseconds read,
                              const TransportLimits& caller) {
  TransportLimits limits;
  limits.connect_timeout = connect;
  // The transport knows a whole-attempt limit, not a read timeout; for
  // answers of a few hundred bytes connect + read is the same bound.
  limits.total_timeout = connect + read;
  if (caller.connect_timeout.count() > 0) limits.connect_timeout = std::min(limits.connect_timeout, caller.connect_timeout);
  if (caller.total_timeout.count() > 0) limits.total_timeout = std::min(limits.total_timeout, caller.total_timeout);
  return limits;
}

ErrorCategory category_of_status(int status) {
  if (status == 401 || status == 403) return ErrorCategory::kAuth;
  if (status == 429) return ErrorCategory::kThrottled;
  if (status >= 500) return ErrorCategory::kServer;
  return ErrorCategory::kClient;
}

// An unexpected status, without the body: a credentials server's body may
// hold anything, and this text goes into logs.
Error status_error(std::string what, const HttpResponse& response) {
  Error error = make_error(category_of_status(response.status),
                           what + " answered HTTP " + std::to_string(response.status), response.status);
  error.request_id = request_id_of(response);
  error.retryable = is_retryable_status(response.status);
  return error;
}

Error send_error(std::string what, Error error) {
  error.error_msg = what + ": " + error.error_msg;
  return error;
}

const nlohmann::json* member(const nlohmann::json& object, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const auto found = object.find(name);
    if (found != object.end() && !found->is_null()) return &*found;
  }
  return nullptr;
}

}  // namespace

std::optional<Error> check_credentials(const Credentials& credentials, std::string_view source) {
  const std::string where(source);
  if (credentials.ak.empty() || credentials.sk.empty()) {
    return auth_error(where + ": the access key (AK) or secret key (SK) is empty");
  }
  // All of them go into headers (the SK into the HMAC only, but a key with a
  // line break in it is a broken paste, not a key).
  const std::pair<const char*, const std::string*> values[] = {
      {"access key (AK)", &credentials.ak},
      {"secret key (SK)", &credentials.sk},
      {"security token", &credentials.security_token},
      {"project id", &credentials.project_id},
      {"IAM endpoint", &credentials.iam_endpoint}};
  for (const auto& [what, value] : values) {
    if (!is_valid_utf8(*value) || has_control_character(*value)) {
      return auth_error(where + ": the " + what + " contains control characters or is not valid UTF-8");
    }
  }
  // The AK is written into the Authorization value, where these separate fields.
  if (credentials.ak.find_first_of(" ,=") != std::string::npos) {
    return auth_error(where + ": the access key (AK) contains a space, ',' or '='");
  }
  if (!credentials.iam_endpoint.empty()) {
    const auto parts = parse_url(credentials.iam_endpoint);
    if (!parts || (parts->scheme != "https" && parts->scheme != "http")) {
      return auth_error(where + ": the IAM endpoint is not an http(s) URL");
    }
  }
  return std::nullopt;
}

Result<SmallFile> read_small_file(const std::string& path, std::size_t max_bytes, std::string_view what) {
  const std::string shown = printable_text(path, 512);
  // O_NONBLOCK: a FIFO put in the file's place must not hang the caller.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    const int error = errno;
    return auth_error(std::string(what) + " " + shown +
                      (error == ENOENT ? ": does not exist" : std::string(": cannot be opened: ") + std::strerror(error)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return auth_error(std::string(what) + " " + shown + ": is not a regular file");
  }
  if (static_cast<std::uint64_t>(info.st_size) > max_bytes) {
    return auth_error(std::string(what) + " " + shown + ": is " + std::to_string(info.st_size) +
                      " bytes, more than the " + std::to_string(max_bytes) + " read");
  }
  SmallFile file;
  file.mode = info.st_mode;
  // Read at most max_bytes + 1 whatever fstat said: the file may grow meanwhile.
  std::string content(max_bytes + 1, '\0');
  std::size_t size = 0;
  while (size < content.size()) {
    const ssize_t got = ::read(fd, content.data() + size, content.size() - size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return auth_error(std::string(what) + " " + shown + ": cannot be read: " + std::strerror(errno));
    if (got == 0) break;
    size += static_cast<std::size_t>(got);
  }
  if (size > max_bytes) {
    return auth_error(std::string(what) + " " + shown + ": is more than the " + std::to_string(max_bytes) +
                      " bytes read");
  }
  content.resize(size);
  file.content = std::move(content);
  return file;
}

Result<IniSection> parse_ini_section(std::string_view text, std::string_view section, std::string_view file_for_messages) {
  const std::string file(file_for_messages);
  if (!is_valid_utf8(text)) return auth_error("profile file " + file + ": is not valid UTF-8");
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a BOM some editors write
  IniSection result;
  std::vector<std::string> sections_seen;
  bool in_wanted = false;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string where = "profile file " + file + ", line " + std::to_string(line_number);
    const std::string content = trim(line);
    if (content.empty() || content[0] == '#' || content[0] == ';') continue;
    if (line[0] == ' ' || line[0] == '\t') {
      // configparser would join it to the previous value with a line break,
      // which no key may contain.
      if (in_wanted) return auth_error(where + ": continuation lines are not supported");
      continue;
    }
    if (content.front() == '[') {
      if (content.back() != ']') return auth_error(where + ": a section header without ']'");
      const std::string name = trim(std::string_view(content).substr(1, content.size() - 2));
      if (std::find(sections_seen.begin(), sections_seen.end(), name) != sections_seen.end()) {
        return auth_error(where + ": section [" + printable_text(name, 64) + "] appears twice");
      }
      sections_seen.push_back(name);
      in_wanted = name == section;
      result.found = result.found || in_wanted;
      continue;
    }
    const auto separator = content.find_first_of("=:");
    if (separator == std::string::npos) return auth_error(where + ": neither a section, a key = value nor a comment");
    if (sections_seen.empty()) return auth_error(where + ": a key before the first section header");
    if (!in_wanted) continue;
    // configparser reads keys case-insensitively.
    std::string key = lower_ascii(trim(std::string_view(content).substr(0, separator)));
    std::string value = trim(std::string_view(content).substr(separator + 1));
    if (key.empty()) return auth_error(where + ": an empty key");
    if (has_control_character(value)) {
      return auth_error(where + ": the value of '" + printable_text(key, 64) + "' contains control characters");
    }
    if (result.values.count(key) != 0) {
      return auth_error(where + ": '" + printable_text(key, 64) + "' appears twice in [" + std::string(section) + "]");
    }
    result.values.emplace(std::move(key), std::move(value));
  }
  return result;
}

Result<Credentials> parse_temporary_credentials(const HttpResponse& response, std::string_view what,
                                                std::size_t max_bytes, std::chrono::system_clock::time_point now) {
  const std::string where(what);
  if (response.body.size() > max_bytes) {
    return make_error(ErrorCategory::kParse, where + ": the answer is " + std::to_string(response.body.size()) +
                                                 " bytes, more than the " + std::to_string(max_bytes) + " accepted",
                      response.status);
  }
  std::string why;
  const auto document = parse_json(response.body, JsonRepair::kDropBadValues, &why);
  if (!document || !document->is_object()) {
    return make_error(ErrorCategory::kParse,
                      where + ": the answer is not a JSON object" + (why.empty() ? "" : " (" + why + ")"),
                      response.status);
  }
  const nlohmann::json* object = member(*document, {"credential", "credentials"});
  if (object == nullptr || !object->is_object()) {
    return make_error(ErrorCategory::kParse, where + ": the answer has no \"credential\" object", response.status);
  }
  Credentials credentials;
  struct Field {
    std::initializer_list<const char*> names;
    std::string* out;
  };
  std::string expires_text;
  const Field fields[] = {{{"access", "accessKeyId"}, &credentials.ak},
                          {{"secret", "secretAccessKey"}, &credentials.sk},
                          {{"securitytoken", "securityToken"}, &credentials.security_token},
                          {{"expires_at", "expiration"}, &expires_text}};
  for (const Field& field : fields) {
    const nlohmann::json* value = member(*object, field.names);
    if (value == nullptr || !value->is_string() || value->get_ref<const std::string&>().empty()) {
      // kDropBadValues turned a string that is not UTF-8 into null: missing too.
      return make_error(ErrorCategory::kParse,
                        where + ": the answer has no usable \"" + *field.names.begin() + "\" (or \"" +
                            *(field.names.begin() + 1) + "\")",
                        response.status);
    }
    *field.out = value->get<std::string>();
  }
  const auto expires_at = parse_iso8601_utc(expires_text);
  if (!expires_at) {
    return make_error(ErrorCategory::kParse, where + ": \"expires_at\" is not a time", response.status);
  }
  if (*expires_at <= now) {
    return make_error(ErrorCategory::kAuth, where + ": the credentials it gave have already expired (" +
                                                printable_text(expires_text, 64) + ")",
                      response.status);
  }
  credentials.expires_at = *expires_at;
  credentials.source = where;
  if (auto problem = check_credentials(credentials, where)) return *problem;
  return credentials;
}

}  // namespace internal

// --- environment ---------------------------------------------------------------

EnvironmentLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

namespace {

EnvironmentLookup or_process(EnvironmentLookup environment) {
  return environment ? std::move(environment) : process_environment();
}

// Set and not empty: an empty variable is how shells unset for one command.
std::string variable(const EnvironmentLookup& environment, const std::string& name) {
  auto value = environment(name);
  return value ? std::move(*value) : std::string();
}

}  // namespace

StaticCredentials::StaticCredentials(std::string ak, std::string sk, std::string security_token) {
  credentials_.ak = std::move(ak);
  credentials_.sk = std::move(sk);
  credentials_.security_token = std::move(security_token);
  credentials_.source = "static credentials";
}

Result<Credentials> StaticCredentials::get(const CredentialsContext& context) {
  (void)context;
  if (auto problem = internal::check_credentials(credentials_, "static credentials")) return *problem;
  return credentials_;
}

EnvironmentCredentials::EnvironmentCredentials(EnvironmentLookup environment)
    : environment_(or_process(std::move(environment))) {}

Result<Credentials> EnvironmentCredentials::get(const CredentialsContext& context) {
  (void)context;
  try {
    Credentials credentials;
    credentials.ak = variable(environment_, "HUAWEICLOUD_SDK_AK");
    credentials.sk = variable(environment_, "HUAWEICLOUD_SDK_SK");
    if (credentials.ak.empty() || credentials.sk.empty()) {
      const char* missing = credentials.ak.empty() && credentials.sk.empty()
                                ? "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not set"
                            : credentials.ak.empty() ? "HUAWEICLOUD_SDK_AK is not set (HUAWEICLOUD_SDK_SK is)"
                                                     : "HUAWEICLOUD_SDK_SK is not set (HUAWEICLOUD_SDK_AK is)";
      return internal::make_error(ErrorCategory::kAuth, std::string("environment: ") + missing);
    }
    credentials.security_token = variable(environment_, "HUAWEICLOUD_SDK_SECURITY_TOKEN");
    credentials.project_id = variable(environment_, "HUAWEICLOUD_SDK_PROJECT_ID");
    credentials.iam_endpoint = variable(environment_, "HUAWEICLOUD_SDK_IAM_ENDPOINT");
    credentials.source = "environment";
    if (auto problem = internal::check_credentials(credentials, "environment (HUAWEICLOUD_SDK_*)")) return *problem;
    return credentials;
  } catch (...) {
    return internal::error_from_exception();  // the lookup function is the user's
  }
}

// --- profile file --------------------------------------------------------------

ProfileFileCredentials::ProfileFileCredentials(ProfileFileOptions options) : options_(std::move(options)) {
  options_.environment = or_process(std::move(options_.environment));
}

std::string ProfileFileCredentials::resolved_path() const {
  if (!options_.path.empty()) return options_.path;
  if (std::string path = variable(options_.environment, "HUAWEICLOUD_SDK_CREDENTIALS_FILE"); !path.empty()) return path;
  const std::string home = variable(options_.environment, "HOME");
  if (home.empty()) return {};
  return home + (home.back() == '/' ? "" : "/") + ".huaweicloud/credentials";
}

Result<Credentials> ProfileFileCredentials::get(const CredentialsContext& context) {
  (void)context;
  try {
    const std::string path = resolved_path();
    if (path.empty()) {
      return internal::make_error(ErrorCategory::kAuth,
                                  "profile file: neither HUAWEICLOUD_SDK_CREDENTIALS_FILE nor HOME is set");
    }
    auto file = internal::read_small_file(path, options_.max_file_bytes, "profile file");
    if (!file) return std::move(file).error();
    const std::string shown = internal::printable_text(path, 512);
    auto section = internal::parse_ini_section(file->content, options_.section, shown);
    if (!section) return std::move(section).error();
    const std::string where = "profile file " + shown + ", section [" + internal::printable_text(options_.section, 64) + "]";
    if (!section->found) return internal::make_error(ErrorCategory::kAuth, "profile file " + shown + ": has no section [" +
                                                                               internal::printable_text(options_.section, 64) + "]");
    const auto value = [&](const char* key) {
      const auto found = section->values.find(key);
      return found == section->values.end() ? std::string() : found->second;
    };
    Credentials credentials;
    credentials.ak = value("ak");
    credentials.sk = value("sk");
    if (credentials.ak.empty() || credentials.sk.empty()) {
      if (!value("idp_id").empty() || !value("id_token_file").empty()) {
        return internal::make_error(ErrorCategory::kAuth,
                                    where + ": federated credentials (idp_id, id_token_file) are not supported; give ak and sk");
      }
      return internal::make_error(ErrorCategory::kAuth, where + ": has no " +
                                                            (credentials.ak.empty() && credentials.sk.empty() ? "'ak' and 'sk'"
                                                             : credentials.ak.empty()                        ? "'ak'"
                                                                                                             : "'sk'"));
    }
    credentials.security_token = value("security_token");
    credentials.project_id = value("project_id");
    credentials.iam_endpoint = value("iam_endpoint");
    credentials.source = "profile file " + shown;
    if (auto problem = internal::check_credentials(credentials, where)) return *problem;
    // The official SDKs do not look; a file of long-lived keys others can read
    // is worth a word.
    if ((file->mode & (S_IRGRP | S_IROTH)) != 0) {
      credentials.warnings.push_back("profile file " + shown +
                                     " is readable by group or others; it holds secret keys: chmod 600 it");
    }
    return credentials;
  } catch (...) {
    return internal::error_from_exception();
  }
}

// --- ECS metadata --------------------------------------------------------------

struct EcsMetadataCredentials::State {
  std::mutex mutex;
  std::string session_token;  // "" when none is held
  std::chrono::system_clock::time_point session_token_until{};
};

EcsMetadataCredentials::EcsMetadataCredentials(EcsMetadataOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
}

EcsMetadataCredentials::~EcsMetadataCredentials() = default;

namespace {

constexpr std::string_view kNoAgencyMessage = "Please configure Cloud Service Agency first";

}  // namespace

Result<Credentials> EcsMetadataCredentials::get(const CredentialsContext& context) {
  try {
    const auto parts = internal::parse_url(options_.base_url);
    if (!parts || (parts->scheme != "http" && parts->scheme != "https") ||
        internal::has_control_character(options_.base_url)) {
      return internal::make_error(ErrorCategory::kInvalidArgument, "ECS metadata: the base URL is not an http(s) URL");
    }
    const TransportLimits limits = internal::source_limits(options_.connect_timeout, options_.read_timeout, context.limits);
    const auto now = context.now();

    // The session token: kept while its TTL runs (by our clock), since each
    // refresh would otherwise cost a PUT.
    const auto session_token = [&](bool fresh) -> Result<std::string> {
      if (!fresh) {
        std::lock_guard<std::mutex> lock(state_->mutex);
        if (!state_->session_token.empty() && now < state_->session_token_until) return state_->session_token;
      }
      HttpRequest put;
      put.method = "PUT";
      put.url = options_.base_url + "/meta-data/latest/api/token";
      put.headers.set("X-Metadata-Token-Ttl-Seconds", std::to_string(options_.session_token_ttl.count()));
      const std::string what = "ECS metadata: PUT " + internal::url_for_display(put.url);
      auto answer = context.transport.send(put, limits);
      if (!answer) return internal::send_error(what, std::move(answer).error());
      std::string token;
      if (answer->status == 404 || answer->status == 405 || answer->status == 503) {
        token.clear();  // this metadata service has no session tokens: go on without
      } else if (answer->status != 200) {
        return internal::status_error(what, *answer);
      } else {
        token = internal::trim(answer->body);
        if (token.size() > 4096 || internal::has_control_character(token) || !internal::is_valid_utf8(token)) {
          return internal::make_error(ErrorCategory::kParse, what + ": the session token is not one (control "
                                                                    "characters, not UTF-8 or over 4096 bytes)",
                                      answer->status);
        }
      }
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->session_token = token;
      // A minute short of the TTL, so a token is not used as it expires.
      state_->session_token_until = now + options_.session_token_ttl - std::min<std::chrono::seconds>(
                                                                           options_.session_token_ttl / 2, std::chrono::minutes(1));
      return token;
    };

    HttpRequest request;
    request.method = "GET";
    request.url = options_.base_url + "/openstack/latest/securitykey";
    const std::string what = "ECS metadata: GET " + internal::url_for_display(request.url);
    Result<HttpResponse> answer = internal::make_error(ErrorCategory::kInternal, "not sent");
    for (int round = 0; round < 2; ++round) {
      auto token = session_token(round > 0);
      if (!token) return std::move(token).error();
      request.headers = Headers{};
      if (!token->empty()) request.headers.set("X-Metadata-Token", *token);
      answer = context.transport.send(request, limits);
      if (!answer) return internal::send_error(what, std::move(answer).error());
      if (answer->status != 401) break;
      if (answer->body.find(kNoAgencyMessage) != std::string::npos) {
        Error error = internal::status_error(what, *answer);
        error.error_msg += ": no agency is bound to this server (\"Please configure Cloud Service Agency first\")";
        return error;
      }
      // Any other 401: the session token expired; a new one, once.
    }
    if (answer->status != 200) return internal::status_error(what, *answer);
    return internal::parse_temporary_credentials(*answer, "ECS metadata", options_.max_answer_bytes, now);
  } catch (...) {
    return internal::error_from_exception();
  }
}

// --- pod identity -------------------------------------------------------------

PodIdentityCredentials::PodIdentityCredentials(PodIdentityOptions options) : options_(std::move(options)) {
  options_.environment = or_process(std::move(options_.environment));
}

Result<Credentials> PodIdentityCredentials::get(const CredentialsContext& context) {
  try {
    const std::string uri = variable(options_.environment, "HC_CONTAINER_CREDENTIALS_FULL_URI");
    const std::string token_file = variable(options_.environment, "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (uri.empty() || token_file.empty()) {
      return internal::make_error(ErrorCategory::kAuth, std::string("pod identity: ") +
                                                            (uri.empty() ? "HC_CONTAINER_CREDENTIALS_FULL_URI"
                                                                         : "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE") +
                                                            " is not set");
    }
    const auto parts = internal::parse_url(uri);
    if (!parts || (parts->scheme != "http" && parts->scheme != "https") || internal::has_control_character(uri)) {
      return internal::make_error(ErrorCategory::kAuth, "pod identity: HC_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL");
    }
    // Read on every get: the kubelet rotates the projected token.
    auto file = internal::read_small_file(token_file, options_.max_token_file_bytes, "pod identity: token file");
    if (!file) return std::move(file).error();
    const std::string token = internal::trim(file->content);
    if (token.empty() || internal::has_control_character(token) || !internal::is_valid_utf8(token)) {
      return internal::make_error(ErrorCategory::kAuth, "pod identity: token file " + internal::printable_text(token_file, 512) +
                                                            " is empty or holds control characters");
    }
    HttpRequest request;
    request.method = "POST";
    request.url = uri;
    request.headers.set("Content-Type", "application/json");
    request.headers.set("Authorization", token);
    request.body = "{}";
    const std::string what = "pod identity: POST " + internal::url_for_display(uri);
    const TransportLimits limits = internal::source_limits(options_.connect_timeout, options_.read_timeout, context.limits);
    const auto now = context.now();
    auto answer = context.transport.send(request, limits);
    if (!answer) return internal::send_error(what, std::move(answer).error());
    if (answer->status != 200) return internal::status_error(what, *answer);
    return internal::parse_temporary_credentials(*answer, "pod identity", options_.max_answer_bytes, now);
  } catch (...) {
    return internal::error_from_exception();
  }
}

// --- chain --------------------------------------------------------------------

CredentialsChain::CredentialsChain(std::vector<std::shared_ptr<CredentialsProvider>> sources)
    : sources_(std::move(sources)) {
  sources_.erase(std::remove(sources_.begin(), sources_.end(), nullptr), sources_.end());
}

Result<Credentials> CredentialsChain::get(const CredentialsContext& context) {
  try {
    std::string said;
    for (const auto& source : sources_) {
      Result<Credentials> got = internal::make_error(ErrorCategory::kInternal, "not asked");
      try {
        got = source->get(context);
      } catch (...) {
        got = internal::error_from_exception();  // a user's provider may throw
      }
      if (got) return got;
      said += said.empty() ? "" : "; ";
      said += got.error().error_msg;
    }
    if (sources_.empty()) said = "the chain has no sources";
    return internal::make_error(ErrorCategory::kAuth, "no credentials found: " + said);
  } catch (...) {
    return internal::error_from_exception();
  }
}

std::shared_ptr<CredentialsProvider> default_credentials_chain(DefaultChainOptions options) {
  EnvironmentLookup environment = or_process(std::move(options.environment));
  ProfileFileOptions profile;
  profile.environment = environment;
  profile.section = std::move(options.profile_section);
  PodIdentityOptions pod;
  pod.environment = environment;
  return std::make_shared<CredentialsChain>(std::vector<std::shared_ptr<CredentialsProvider>>{
      std::make_shared<EnvironmentCredentials>(environment),
      std::make_shared<ProfileFileCredentials>(std::move(profile)),
      std::make_shared<PodIdentityCredentials>(std::move(pod)),
      std::make_shared<EcsMetadataCredentials>(std::move(options.ecs_metadata)),
  });
}

}  // namespace hwocr
