// Configuration of the worker and the CLI: a file of `key = value` lines, each key overridable by
// the environment variable EDGECHAT_<KEY> (upper case, dots as underscores). Every key, its default
// and its meaning are listed in docs/configuration.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/redis_auth.hpp"
#include "shared/result.hpp"

namespace edgechat::worker {

// Looks up an environment variable. Injected so tests need not touch the real environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();

// The environment variable that overrides `key`: "db.pool_size" -> "EDGECHAT_DB_POOL_SIZE".
std::string EnvNameForKey(std::string_view key);

// Every key we know, with its default ("" when none).
const std::vector<std::pair<std::string, std::string>>& KnownConfigKeys();

// Parses file text. Unknown keys and malformed lines are errors that name the line.
Result<std::map<std::string, std::string>> ParseConfigText(std::string_view text);

struct DbSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3306;
  std::string socket;  // wins over host/port when set
  std::string user = "edgechat";
  std::string password;
  std::string name = "edgechat";
  unsigned pool_size = 8;
  unsigned connect_timeout_s = 3;
  unsigned query_timeout_s = 10;
  // A request not started within this long of arriving (every pool thread busy) gets 503 busy.
  unsigned queue_deadline_ms = 3000;

  // "unix:/path" or "host:port", for messages.
  std::string Describe() const;
};

struct ListenSpec {
  std::string unix_path;  // set for unix sockets
  std::string host;       // else host and port
  std::uint16_t port = 0;
  bool is_unix() const { return !unix_path.empty(); }
};

struct RedisSettings {
  std::string socket;  // wins over host/port when set
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  unsigned timeout_ms = 1000;
  // From redis.user and the file named by redis.password_file (read at start).
  shared::RedisCredentials credentials;
  std::string Describe() const;
};

// The admin panel's sessions and login throttle (worker/admin/admin_api.hpp AdminApiOptions).
struct AdminSettings {
  unsigned session_idle_s = 1800;        // a session unused this long is gone
  unsigned login_failures_per_user = 5;  // failed logins per username per window
  unsigned login_failures_per_ip = 20;   // failed logins per client address per window
  unsigned login_window_s = 900;
};

// Agent presence (worker/service/presence.hpp): kept in Redis with a TTL, read by every worker.
struct PresenceSettings {
  unsigned ttl_s = 45;      // a presence not refreshed this long is gone (the agent is offline)
  unsigned beat_s = 15;     // how often the panel refreshes it while open
  unsigned idle_s = 300;    // an online agent with no input this long counts as away
  unsigned poll_ms = 1000;  // how often each worker reads every presence from Redis
};

// Faults a test switches on to make a race happen on demand; all off (0) in production.
struct FaultSettings {
  unsigned registry_read_pause_ms = 0;  // between the registry's revision and its sites
};

// Event streams (guests' and the admin panel's): how many, and how they catch up.
struct StreamSettings {
  unsigned max_per_guest = 8;  // open streams of one guest on one worker; beyond: 429
  unsigned max_total = 0;      // open streams on one worker, all kinds; 0 = auto (StreamCapacity)
  unsigned resync_window_ms = 2000;  // after a Redis reconnect, streams re-check within this
};

// Mail over SMTP (worker/mail/): off by default, and then no sender runs and nothing is queued.
struct MailSettings {
  bool enabled = false;
  std::string relay_host = "127.0.0.1";
  std::uint16_t relay_port = 25;
  // "off" (plain SMTP), "starttls" (required), "starttls_optional", "smtps" (TLS from the start).
  std::string tls = "starttls";
  bool verify_tls = true;
  std::string user;      // AUTH user, "" for none
  std::string password;  // read from mail.password_file at start
  std::string from;      // envelope and From address
  std::string from_name = "edgechat";
  std::string panel_url;  // the link in agents' mails, "" for none
  unsigned connect_timeout_ms = 10000;
  unsigned timeout_ms = 30000;  // a whole SMTP transaction
  unsigned poll_ms = 1000;
  unsigned unanswered_scan_ms = 30000;  // how often unanswered messages are looked for
  unsigned batch = 20;
  unsigned max_attempts = 20;
  unsigned backoff_base_ms = 5000;
  unsigned backoff_max_ms = 3600000;
};

// Webhook deliveries (worker/mail/webhook_deliverer, docs/webhooks.md): always on; a site with
// no endpoints queues nothing.
struct WebhookSettings {
  unsigned connect_timeout_ms = 5000;
  unsigned timeout_ms = 15000;  // a whole delivery
  bool verify_tls = true;
  unsigned poll_ms = 1000;
  unsigned batch = 20;
  unsigned retry_for_s = 86400;  // then given up (failed)
  unsigned backoff_base_ms = 10000;
  unsigned backoff_max_ms = 3600000;
};

struct Settings {
  MailSettings mail;
  WebhookSettings webhook;
  DbSettings db;
  ListenSpec listen;
  std::string listen_text;
  unsigned threads = 0;  // connection loops; 0 = auto (see ConnectionLoopsFor)
  RedisSettings redis;
  std::string log_level = "info";
  std::string sql_dir = "/usr/share/edgechat/sql";
  unsigned sse_heartbeat_s = 15;
  unsigned sse_buffer_events = 256;
  // Events older than this are pruned (never a conversation's newest). 0 is refused: see
  // docs/configuration.md.
  unsigned event_retention_days = 30;
  StreamSettings streams;
  AdminSettings admin;
  PresenceSettings presence;
  FaultSettings faults;
  // identity.key_file: 32 random bytes sealing the copy of each new secret key that verified
  // identity tokens need (common/secret_box.hpp); "" for none (keys then serve the server API
  // only). Read by the worker at start and by edgechatctl when it creates keys.
  std::string identity_key_file;
};

inline constexpr unsigned kMinEventRetentionDays = 1;
inline constexpr unsigned kMaxEventRetentionDays = 3650;

Result<ListenSpec> ParseListen(std::string_view text);

// File values (may be empty) overlaid with environment values, converted and checked.
Result<Settings> SettingsFrom(const std::map<std::string, std::string>& file_values,
                              const EnvLookup& env);

// The number of connection loops to run for `worker.threads` (`configured`, 0 for `auto`) on a
// host with `cores` cores: auto is half the cores, at least one, so nginx and MySQL on the same
// host keep cores of their own (a busy loop competing with them for a core delays every stream).
unsigned ConnectionLoopsFor(unsigned configured, unsigned cores);

// How many event streams one worker may hold with `open_files` descriptors (its RLIMIT_NOFILE):
// every stream holds one, and the rest of the worker (MySQL and Redis connections, requests that
// are not streams, listeners, logs) needs a reserve, so a flood of streams meets a clear 503
// instead of failing accept() for everyone. `configured` (0 = auto) is used when it fits.
struct StreamCapacity {
  std::uint64_t limit = 0;    // streams allowed
  std::uint64_t ceiling = 0;  // the most the descriptors allow
  bool clamped = false;       // `configured` was above the ceiling
};
StreamCapacity StreamCapacityFor(unsigned configured, std::uint64_t open_files);

// Reads `path` (or no file when empty), then SettingsFrom.
Result<Settings> LoadSettings(const std::string& path, const EnvLookup& env);

// Where a package install keeps the config file (the edgechat-worker package's conffile).
inline constexpr std::string_view kDefaultConfigPath = "/etc/edgechat/edgechat.conf";

// Whether a file exists. Injected so tests need not touch the real filesystem.
using FileProbe = std::function<bool(const std::string& path)>;
FileProbe RealFileProbe();

// The config file path of the worker and the CLI: the `--config` value if given, else
// $EDGECHAT_CONFIG if set (set but empty: no file), else kDefaultConfigPath if it exists, else ""
// (no file: defaults and the environment).
std::string ConfigPathFrom(const std::optional<std::string>& flag, const EnvLookup& env,
                           const FileProbe& exists);
std::string ConfigPathFrom(const std::optional<std::string>& flag, const EnvLookup& env);

}  // namespace edgechat::worker
