#include "config/config.hpp"

#include <algorithm>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace edgechat::worker {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Result<unsigned long> ParseUnsigned(const std::string& key, const std::string& value,
                                    unsigned long min, unsigned long max) {
  unsigned long out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || out < min || out > max) {
    return Error{ErrorKind::kInvalidInput, "invalid_config",
                 key + " must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", got \"" + value + "\""};
  }
  return out;
}

// redis.tls, redis.user and redis.password_file (read now: a bad file stops the start, not the
// first reconnect).
Result<shared::RedisCredentials> RedisCredentialsFrom(std::map<std::string, std::string>& v) {
  const std::string& tls = v["redis.tls"];
  if (tls == "on" || shared::LooksLikeRedisTls(v["redis.host"])) {
    std::string key = tls == "on" ? "redis.tls" : "redis.host";
    return Error{ErrorKind::kInvalidInput, "invalid_config",
                 key + ": " + std::string(shared::kRedisTlsUnsupported)};
  }
  if (tls != "off") {
    return Error{ErrorKind::kInvalidInput, "invalid_config",
                 "redis.tls must be off, got \"" + tls + "\""};
  }
  shared::RedisCredentials credentials;
  credentials.user = v["redis.user"];
  if (!credentials.user.empty()) {
    if (auto valid = shared::CheckRedisUser(credentials.user); !valid) {
      return Error{ErrorKind::kInvalidInput, "invalid_config",
                   "redis.user: " + valid.error().message};
    }
  }
  const std::string& file = v["redis.password_file"];
  if (file.empty()) {
    if (!credentials.user.empty()) {
      return Error{ErrorKind::kInvalidInput, "invalid_config",
                   "redis.user needs redis.password_file (the user's password)"};
    }
    return credentials;
  }
  auto secret = shared::ReadSecretFile(file);
  if (!secret) {
    return Error{ErrorKind::kInvalidInput, "invalid_config",
                 "redis.password_file " + file + ": " + secret.error().message};
  }
  credentials.password = std::move(secret).value();
  return credentials;
}

Result<bool> OnOff(const std::string& key, const std::string& value) {
  if (value == "on") return true;
  if (value == "off") return false;
  return Error{ErrorKind::kInvalidInput, "invalid_config",
               key + " must be on or off, got \"" + value + "\""};
}

// A whole-number key and its range, read into `out`.
struct NumberKey {
  const char* key;
  unsigned long min;
  unsigned long max;
  unsigned* out;
};

Status ReadNumberKeys(std::map<std::string, std::string>& v,
                      std::initializer_list<NumberKey> keys) {
  for (const NumberKey& n : keys) {
    EC_TRY(value, ParseUnsigned(n.key, v[n.key], n.min, n.max));
    *n.out = static_cast<unsigned>(value);
  }
  return Ok{};
}

// mail.* (docs/configuration.md, Mail). With mail off only the syntax of the keys is checked.
Result<MailSettings> MailSettingsFrom(std::map<std::string, std::string>& v) {
  MailSettings m;
  EC_TRY_ASSIGN(m.enabled, OnOff("mail.enabled", v["mail.enabled"]));
  EC_TRY_ASSIGN(m.verify_tls, OnOff("mail.tls_verify", v["mail.tls_verify"]));
  const std::string& relay = v["mail.relay"];
  std::size_t colon = relay.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Error{ErrorKind::kInvalidInput, "invalid_config",
                 "mail.relay must be host:port, got \"" + relay + "\""};
  }
  m.relay_host = relay.substr(0, colon);
  for (char c : m.relay_host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '[' &&
        c != ']' && c != ':') {
      return Error{ErrorKind::kInvalidInput, "invalid_config",
                   "mail.relay: the host may hold only letters, digits, '.', '-' (or [v6])"};
    }
  }
  EC_TRY(relay_port, ParseUnsigned("mail.relay port", relay.substr(colon + 1), 1, 65535));
  m.relay_port = static_cast<std::uint16_t>(relay_port);
  m.tls = v["mail.tls"];
  if (m.tls != "off" && m.tls != "starttls" && m.tls != "starttls_optional" && m.tls != "smtps") {
    return Error{
        ErrorKind::kInvalidInput, "invalid_config",
        "mail.tls must be off, starttls, starttls_optional or smtps, got \"" + m.tls + "\""};
  }
  m.user = v["mail.user"];
  m.from = v["mail.from"];
  m.from_name = v["mail.from_name"];
  m.panel_url = v["mail.panel_url"];
  for (const auto* key : {"mail.user", "mail.from", "mail.from_name", "mail.panel_url"}) {
    for (char c : v[key]) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        return Error{ErrorKind::kInvalidInput, "invalid_config",
                     std::string(key) + " must not contain control characters"};
      }
    }
  }
  if (auto read = ReadNumberKeys(
          v, {NumberKey{"mail.connect_timeout_ms", 100, 600000, &m.connect_timeout_ms},
              NumberKey{"mail.timeout_ms", 100, 600000, &m.timeout_ms},
              NumberKey{"mail.poll_ms", 10, 600000, &m.poll_ms},
              NumberKey{"mail.unanswered_scan_ms", 100, 3600000, &m.unanswered_scan_ms},
              NumberKey{"mail.batch", 1, 1000, &m.batch},
              NumberKey{"mail.max_attempts", 1, 1000, &m.max_attempts},
              NumberKey{"mail.backoff_base_ms", 10, 86400000, &m.backoff_base_ms},
              NumberKey{"mail.backoff_max_ms", 10, 86400000, &m.backoff_max_ms}});
      !read) {
    return read.error();
  }
  if (m.backoff_max_ms < m.backoff_base_ms) {
    return Error{ErrorKind::kInvalidInput, "invalid_config",
                 "mail.backoff_max_ms must not be below mail.backoff_base_ms"};
  }
  if (!m.enabled) return m;
  if (m.from.empty()) {
    return Error{ErrorKind::kInvalidInput, "invalid_config",
                 "mail.from is required when mail.enabled = on"};
  }
  const std::string& file = v["mail.password_file"];
  if (!file.empty()) {
    auto secret = shared::ReadSecretFile(file);
    if (!secret) {
      return Error{ErrorKind::kInvalidInput, "invalid_config",
                   "mail.password_file " + file + ": " + secret.error().message};
    }
    m.password = std::move(secret).value();
  }
  if (!m.user.empty() && file.empty()) {
    return Error{ErrorKind::kInvalidInput, "invalid_config",
                 "mail.user needs mail.password_file (the user's password)"};
  }
  return m;
}

// webhook.* (docs/configuration.md, Webhooks).
Result<WebhookSettings> WebhookSettingsFrom(std::map<std::string, std::string>& v) {
  WebhookSettings w;
  EC_TRY_ASSIGN(w.verify_tls, OnOff("webhook.tls_verify", v["webhook.tls_verify"]));
  if (auto read = ReadNumberKeys(
          v, {NumberKey{"webhook.connect_timeout_ms", 100, 600000, &w.connect_timeout_ms},
              NumberKey{"webhook.timeout_ms", 100, 600000, &w.timeout_ms},
              NumberKey{"webhook.poll_ms", 10, 600000, &w.poll_ms},
              NumberKey{"webhook.batch", 1, 1000, &w.batch},
              NumberKey{"webhook.retry_for_s", 1, 604800, &w.retry_for_s},
              NumberKey{"webhook.backoff_base_ms", 10, 86400000, &w.backoff_base_ms},
              NumberKey{"webhook.backoff_max_ms", 10, 86400000, &w.backoff_max_ms}});
      !read) {
    return read.error();
  }
  if (w.backoff_max_ms < w.backoff_base_ms) {
    return Error{ErrorKind::kInvalidInput, "invalid_config",
                 "webhook.backoff_max_ms must not be below webhook.backoff_base_ms"};
  }
  return w;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::string EnvNameForKey(std::string_view key) {
  std::string out = "EDGECHAT_";
  for (char c : key) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(c)));
  return out;
}

const std::vector<std::pair<std::string, std::string>>& KnownConfigKeys() {
  static const auto* keys = new std::vector<std::pair<std::string, std::string>>{
      {"db.host", "127.0.0.1"},
      {"db.port", "3306"},
      {"db.socket", ""},
      {"db.user", "edgechat"},
      {"db.password", ""},
      {"db.name", "edgechat"},
      {"db.pool_size", "8"},
      {"db.connect_timeout", "3"},
      {"db.query_timeout", "10"},
      {"db.queue_deadline_ms", "3000"},
      {"worker.listen", "unix:/run/edgechat/worker.sock"},
      {"worker.threads", "auto"},
      {"worker.sse_heartbeat", "15"},
      {"worker.sse_buffer", "256"},
      {"redis.socket", ""},
      {"redis.host", "127.0.0.1"},
      {"redis.port", "6379"},
      {"redis.timeout_ms", "1000"},
      {"redis.user", ""},
      {"redis.password_file", ""},
      {"redis.tls", "off"},
      {"log.level", "info"},
      {"sql.dir", "/usr/share/edgechat/sql"},
      {"events.retention_days", "30"},
      {"events.max_streams_per_guest", "8"},
      {"events.max_streams", "auto"},
      {"events.resync_window_ms", "2000"},
      {"admin.session_idle", "1800"},
      {"admin.login_failures_per_user", "5"},
      {"admin.login_failures_per_ip", "20"},
      {"admin.login_window", "900"},
      {"presence.ttl", "45"},
      {"presence.beat", "15"},
      {"presence.idle", "300"},
      {"presence.poll_ms", "1000"},
      {"fault.registry_read_pause_ms", "0"},
      {"mail.enabled", "off"},
      {"mail.relay", "127.0.0.1:25"},
      {"mail.tls", "starttls"},
      {"mail.tls_verify", "on"},
      {"mail.user", ""},
      {"mail.password_file", ""},
      {"mail.from", ""},
      {"mail.from_name", "edgechat"},
      {"mail.panel_url", ""},
      {"mail.connect_timeout_ms", "10000"},
      {"mail.timeout_ms", "30000"},
      {"mail.poll_ms", "1000"},
      {"mail.unanswered_scan_ms", "30000"},
      {"mail.batch", "20"},
      {"mail.max_attempts", "20"},
      {"mail.backoff_base_ms", "5000"},
      {"mail.backoff_max_ms", "3600000"},
      {"identity.key_file", ""},
      {"webhook.connect_timeout_ms", "5000"},
      {"webhook.timeout_ms", "15000"},
      {"webhook.tls_verify", "on"},
      {"webhook.poll_ms", "1000"},
      {"webhook.batch", "20"},
      {"webhook.retry_for_s", "86400"},
      {"webhook.backoff_base_ms", "10000"},
      {"webhook.backoff_max_ms", "3600000"},
  };
  return *keys;
}

Result<std::map<std::string, std::string>> ParseConfigText(std::string_view text) {
  std::map<std::string, std::string> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Error{ErrorKind::kInvalidInput, "invalid_config",
                   "line " + std::to_string(line_no) + ": expected `key = value`"};
    }
    std::string key(Trim(line.substr(0, eq)));
    std::string value(Trim(line.substr(eq + 1)));
    bool known = false;
    for (const auto& [k, unused] : KnownConfigKeys()) known = known || k == key;
    if (!known) {
      return Error{ErrorKind::kInvalidInput, "invalid_config",
                   "line " + std::to_string(line_no) + ": unknown key \"" + key + "\""};
    }
    out[key] = value;
  }
  return out;
}

std::string DbSettings::Describe() const {
  if (!socket.empty()) return "unix:" + socket;
  return host + ":" + std::to_string(port);
}

std::string RedisSettings::Describe() const {
  if (!socket.empty()) return "unix:" + socket;
  return host + ":" + std::to_string(port);
}

Result<ListenSpec> ParseListen(std::string_view text) {
  ListenSpec spec;
  if (text.starts_with("unix:")) {
    spec.unix_path = std::string(text.substr(5));
    if (spec.unix_path.empty() || spec.unix_path.size() > 100) {
      return Error{ErrorKind::kInvalidInput, "invalid_config",
                   "worker.listen: unix socket path is empty or too long"};
    }
    return spec;
  }
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error{
        ErrorKind::kInvalidInput, "invalid_config",
        "worker.listen must be unix:/path or host:port, got \"" + std::string(text) + "\""};
  }
  spec.host = std::string(text.substr(0, colon));
  if (spec.host.size() > 2 && spec.host.front() == '[' && spec.host.back() == ']')
    spec.host = spec.host.substr(1, spec.host.size() - 2);
  auto port = ParseUnsigned("worker.listen port", std::string(text.substr(colon + 1)), 1, 65535);
  if (!port) return port.error();
  spec.port = static_cast<std::uint16_t>(*port);
  return spec;
}

Result<Settings> SettingsFrom(const std::map<std::string, std::string>& file_values,
                              const EnvLookup& env) {
  std::map<std::string, std::string> v;
  for (const auto& [key, def] : KnownConfigKeys()) {
    v[key] = def;
    if (auto it = file_values.find(key); it != file_values.end()) v[key] = it->second;
    if (auto e = env(EnvNameForKey(key))) v[key] = *e;
  }
  Settings s;
  auto number = [&](const char* key, unsigned long min, unsigned long max) {
    return ParseUnsigned(key, v[key], min, max);
  };
  s.db.host = v["db.host"];
  s.db.socket = v["db.socket"];
  s.db.user = v["db.user"];
  s.db.password = v["db.password"];
  s.db.name = v["db.name"];
  auto port = number("db.port", 1, 65535);
  if (!port) return port.error();
  s.db.port = static_cast<std::uint16_t>(*port);
  auto pool = number("db.pool_size", 1, 256);
  if (!pool) return pool.error();
  s.db.pool_size = static_cast<unsigned>(*pool);
  auto connect_timeout = number("db.connect_timeout", 1, 600);
  if (!connect_timeout) return connect_timeout.error();
  s.db.connect_timeout_s = static_cast<unsigned>(*connect_timeout);
  auto query_timeout = number("db.query_timeout", 1, 3600);
  if (!query_timeout) return query_timeout.error();
  s.db.query_timeout_s = static_cast<unsigned>(*query_timeout);
  auto queue_deadline = number("db.queue_deadline_ms", 10, 600000);
  if (!queue_deadline) return queue_deadline.error();
  s.db.queue_deadline_ms = static_cast<unsigned>(*queue_deadline);
  if (s.db.name.empty())
    return Error{ErrorKind::kInvalidInput, "invalid_config", "db.name must not be empty"};

  auto listen = ParseListen(v["worker.listen"]);
  if (!listen) return listen.error();
  s.listen = *listen;
  s.listen_text = v["worker.listen"];
  if (v["worker.threads"] == "auto") {
    s.threads = 0;
  } else {
    auto threads = number("worker.threads", 1, 64);
    if (!threads) {
      return Error{ErrorKind::kInvalidInput, "invalid_config",
                   "worker.threads must be auto or a whole number from 1 to 64"};
    }
    s.threads = static_cast<unsigned>(*threads);
  }
  auto heartbeat = number("worker.sse_heartbeat", 1, 300);
  if (!heartbeat) return heartbeat.error();
  s.sse_heartbeat_s = static_cast<unsigned>(*heartbeat);
  auto buffer = number("worker.sse_buffer", 8, 100000);
  if (!buffer) return buffer.error();
  s.sse_buffer_events = static_cast<unsigned>(*buffer);

  s.redis.socket = v["redis.socket"];
  s.redis.host = v["redis.host"];
  auto redis_port = number("redis.port", 1, 65535);
  if (!redis_port) return redis_port.error();
  s.redis.port = static_cast<std::uint16_t>(*redis_port);
  auto redis_timeout = number("redis.timeout_ms", 10, 60000);
  if (!redis_timeout) return redis_timeout.error();
  s.redis.timeout_ms = static_cast<unsigned>(*redis_timeout);
  auto credentials = RedisCredentialsFrom(v);
  if (!credentials) return credentials.error();
  s.redis.credentials = std::move(credentials).value();

  s.log_level = v["log.level"];
  if (s.log_level != "debug" && s.log_level != "info" && s.log_level != "warn" &&
      s.log_level != "error") {
    return Error{ErrorKind::kInvalidInput, "invalid_config",
                 "log.level must be debug, info, warn or error, got \"" + s.log_level + "\""};
  }
  s.sql_dir = v["sql.dir"];

  auto retention = number("events.retention_days", kMinEventRetentionDays, kMaxEventRetentionDays);
  if (!retention) return retention.error();
  s.event_retention_days = static_cast<unsigned>(*retention);
  auto per_guest = number("events.max_streams_per_guest", 1, 1000000);
  if (!per_guest) return per_guest.error();
  s.streams.max_per_guest = static_cast<unsigned>(*per_guest);
  if (v["events.max_streams"] != "auto") {
    auto total = number("events.max_streams", 1, 10000000);
    if (!total) {
      return Error{ErrorKind::kInvalidInput, "invalid_config",
                   "events.max_streams must be auto or a whole number from 1 to 10000000"};
    }
    s.streams.max_total = static_cast<unsigned>(*total);
  }
  auto resync = number("events.resync_window_ms", 0, 60000);
  if (!resync) return resync.error();
  s.streams.resync_window_ms = static_cast<unsigned>(*resync);

  {
    auto ttl = number("presence.ttl", 2, 3600);
    if (!ttl) return ttl.error();
    auto beat = number("presence.beat", 1, 3600);
    if (!beat) return beat.error();
    if (*beat >= *ttl) {
      return Error{ErrorKind::kInvalidInput, "invalid_config",
                   "presence.beat must be shorter than presence.ttl"};
    }
    auto presence_idle = number("presence.idle", 10, 86400);
    if (!presence_idle) return presence_idle.error();
    auto poll = number("presence.poll_ms", 100, 60000);
    if (!poll) return poll.error();
    s.presence.ttl_s = static_cast<unsigned>(*ttl);
    s.presence.beat_s = static_cast<unsigned>(*beat);
    s.presence.idle_s = static_cast<unsigned>(*presence_idle);
    s.presence.poll_ms = static_cast<unsigned>(*poll);
  }

  auto idle = number("admin.session_idle", 60, 30 * 86400);
  if (!idle) return idle.error();
  s.admin.session_idle_s = static_cast<unsigned>(*idle);
  auto per_user = number("admin.login_failures_per_user", 1, 1000);
  if (!per_user) return per_user.error();
  s.admin.login_failures_per_user = static_cast<unsigned>(*per_user);
  auto per_ip = number("admin.login_failures_per_ip", 1, 100000);
  if (!per_ip) return per_ip.error();
  s.admin.login_failures_per_ip = static_cast<unsigned>(*per_ip);
  auto window = number("admin.login_window", 1, 86400);
  if (!window) return window.error();
  s.admin.login_window_s = static_cast<unsigned>(*window);
  auto registry_pause = number("fault.registry_read_pause_ms", 0, 60000);
  if (!registry_pause) return registry_pause.error();
  s.faults.registry_read_pause_ms = static_cast<unsigned>(*registry_pause);
  EC_TRY_ASSIGN(s.mail, MailSettingsFrom(v));
  EC_TRY_ASSIGN(s.webhook, WebhookSettingsFrom(v));
  s.identity_key_file = v["identity.key_file"];
  return s;
}

Result<Settings> LoadSettings(const std::string& path, const EnvLookup& env) {
  std::map<std::string, std::string> values;
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in)
      return Error{ErrorKind::kInvalidInput, "config_unreadable",
                   "cannot read config file " + path};
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto parsed = ParseConfigText(buffer.str());
    if (!parsed)
      return Error{parsed.error().kind, parsed.error().code, path + ": " + parsed.error().message};
    values = std::move(parsed).value();
  }
  return SettingsFrom(values, env);
}

FileProbe RealFileProbe() {
  return [](const std::string& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
  };
}

std::string ConfigPathFrom(const std::optional<std::string>& flag, const EnvLookup& env,
                           const FileProbe& exists) {
  if (flag) return *flag;
  if (auto from_env = env("EDGECHAT_CONFIG")) return *from_env;
  const std::string fallback(kDefaultConfigPath);
  return exists(fallback) ? fallback : "";
}

std::string ConfigPathFrom(const std::optional<std::string>& flag, const EnvLookup& env) {
  return ConfigPathFrom(flag, env, RealFileProbe());
}

StreamCapacity StreamCapacityFor(unsigned configured, std::uint64_t open_files) {
  // An eighth of the descriptors, 64 to 2048 of them, stays for everything that is not a stream.
  const std::uint64_t reserve = std::clamp<std::uint64_t>(open_files / 8, 64, 2048);
  StreamCapacity c;
  c.ceiling = open_files > reserve ? open_files - reserve : 1;
  c.limit = configured == 0 ? c.ceiling : std::min<std::uint64_t>(configured, c.ceiling);
  c.clamped = configured > c.ceiling;
  return c;
}

unsigned ConnectionLoopsFor(unsigned configured, unsigned cores) {
  if (configured != 0) return configured;
  return std::clamp(cores / 2, 1u, 64u);
}

}  // namespace edgechat::worker
