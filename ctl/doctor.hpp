// edgechatctl doctor: checks an installation end to end (docs/cli.md, "doctor"). Every check is a
// small function over what a probe observed, so unit tests drive each verdict; RunDoctor gathers
// the observations through injected probes (ctl/doctor_commands.cpp wires the real ones).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "shared/result.hpp"

namespace edgechat::ctl::doctor {

enum class Status { kOk, kWarn, kFail, kSkip };
// "ok", "warn", "fail", "skip".
const char* StatusName(Status status);

struct Check {
  std::string name;  // stable, e.g. "nginx_module", "worker_socket"
  Status status = Status::kOk;
  std::string detail;  // what was seen
  std::string fix;     // what to do ("" when ok)
};

// --- nginx -T ------------------------------------------------------------------------------------

// One directive of the dumped configuration, with the blocks it sits in ("http", "server", ...)
// and the index of its server block (-1 outside any).
struct Directive {
  std::string name;
  std::vector<std::string> args;
  std::vector<std::string> context;
  int server = -1;
};

struct NginxConfig {
  std::vector<Directive> directives;
  // The directives named `name`, in order.
  std::vector<const Directive*> All(std::string_view name) const;
  const Directive* First(std::string_view name) const;
};

// Parses `nginx -T` output: "# configuration file ...:" lines and comments are skipped, quotes
// and escapes are honoured, blocks nest. Unbalanced text yields what was read so far.
NginxConfig ParseNginxConfig(std::string_view text);

// The version in `nginx -v`/`nginx -V` output ("nginx version: nginx/1.22.1" -> "1.22.1").
std::optional<std::string> ParseNginxVersion(std::string_view text);

// --- What the probes observe ---------------------------------------------------------------------

struct ProcessResult {
  bool started = false;  // false: the program could not be run (error says why)
  bool timed_out = false;
  int exit_code = -1;
  std::string output;  // stdout
  std::string errors;  // stderr
  std::string error;   // why it could not be run
};

struct PathInfo {
  bool is_socket = false;
  uid_t uid = 0;
  gid_t gid = 0;
  unsigned mode = 0;  // permission bits
};

struct UserInfo {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, the primary one included
};

struct HttpAnswer {
  int status = 0;
  std::string body;
};

struct AppliedMigration {
  unsigned version = 0;
  std::string checksum;
};

struct SqlFile {
  unsigned version = 0;
  std::string name;
  std::string checksum;
};

struct SiteSummary {
  std::string key;
  std::string name;
  bool main = false;
  std::size_t origins = 0;
};

// What one MySQL session saw.
struct DbFacts {
  double now = 0;               // UNIX_TIMESTAMP(NOW(6))
  bool has_migrations = false;  // schema_migrations exists
  std::vector<AppliedMigration> applied;
  bool has_sites = false;  // the sites table exists (migrations ran)
  std::vector<SiteSummary> sites;
};

struct OpenFiles {
  std::uint64_t limit = 0;  // the descriptors the worker may open
  std::string source;       // "/proc/PID/limits", "this shell's hard limit"
};

struct Probes {
  std::function<ProcessResult(const std::vector<std::string>& argv)> run;
  std::function<std::optional<PathInfo>(const std::string& path)> stat;
  std::function<std::optional<UserInfo>(const std::string& name)> user;
  std::function<Result<HttpAnswer>(const worker::ListenSpec& listen, const std::string& path)> http;
  // Connects with AUTH as given and PINGs; then TIME: Redis's clock as epoch seconds, nullopt
  // when the ACL user may not run TIME (edgechat's own ACL grants only what it runs).
  std::function<Result<std::optional<double>>(const worker::RedisSettings& settings)> redis;
  std::function<Result<DbFacts>()> db;
  std::function<Result<std::vector<SqlFile>>(const std::string& dir)> sql_files;
  std::function<Result<std::string>(const std::string& path)> read_secret;
  std::function<std::optional<OpenFiles>(std::optional<long> pid)> open_files;
  std::function<std::optional<long>(const std::string& pid_file)> read_pid;
  // The process listening on a unix socket (what --worker-pid-file names, found without one).
  std::function<std::optional<long>(const std::string& unix_path)> socket_owner;
  std::function<double()> now;  // epoch seconds
};

struct Options {
  std::string nginx = "/usr/sbin/nginx";
  std::string nginx_conf = "/etc/nginx/nginx.conf";
  std::string nginx_prefix;  // nginx -p, when set
  std::string sql_dir;
  double clock_tolerance_s = 2.0;
  std::string worker_pid_file;  // optional: the running worker's pid file
  // The nginx version the module was built against ("" when the build did not know).
  std::string module_built_for;
};

// --- The checks (pure) ---------------------------------------------------------------------------

// nginx -T ran, and the module is loaded in the configuration it printed.
Check CheckNginxModule(const Options& options, const ProcessResult& dump,
                       const NginxConfig& config);
// The running nginx (nginx -v) is the version the module was built for.
Check CheckModuleVersion(const Options& options, const ProcessResult& version);
Check CheckPublicOrigin(const NginxConfig& config);
Check CheckTls(const NginxConfig& config);
// The worker's socket: exists, is a socket, nginx's `user` may connect (and enter every directory
// above it, `parents` from the root down), others may not. With no `nginx_user` (nginx's
// configuration could not be read) only the "others" part is judged.
struct DirInfo {
  std::string path;
  PathInfo info;
};
Check CheckWorkerSocket(const worker::ListenSpec& listen, const std::optional<PathInfo>& info,
                        const std::optional<std::string>& nginx_user,
                        const std::optional<UserInfo>& user,
                        const std::vector<DirInfo>& parents = {});
// nginx proxies to the socket worker.listen names.
Check CheckNginxUpstream(const worker::ListenSpec& listen, const NginxConfig& config);
Check CheckWorkerAnswers(const worker::ListenSpec& listen, const Result<HttpAnswer>& answer);
using RedisTime = Result<std::optional<double>>;
Check CheckRedis(const std::string& name, const std::string& where, const RedisTime& time);
Check CheckDatabase(const worker::DbSettings& db, const Result<DbFacts>& facts);
Check CheckMigrations(const std::string& sql_dir, const Result<std::vector<SqlFile>>& files,
                      const Result<DbFacts>& facts);
// The clocks of this host, MySQL and Redis agree within `tolerance_s` (either may be missing).
Check CheckClocks(double local, std::optional<double> db, std::optional<double> redis,
                  double tolerance_s);
// One check per site without origins (warn), or one ok line.
std::vector<Check> CheckSiteOrigins(const Result<DbFacts>& facts);
// The open-files limit against events.max_streams (0 = auto).
Check CheckOpenFiles(const std::optional<OpenFiles>& limit, unsigned max_streams);

// --- Everything ----------------------------------------------------------------------------------

std::vector<Check> RunDoctor(const worker::Settings& settings, const Options& options,
                             const Probes& probes);

bool Healthy(const std::vector<Check>& checks);
// {"checks": [{name, status, detail, fix}], "healthy": bool}.
nlohmann::json ReportJson(const std::vector<Check>& checks);
// One line per check, then a summary line.
std::string ReportText(const std::vector<Check>& checks);

}  // namespace edgechat::ctl::doctor
