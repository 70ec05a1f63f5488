#include "ctl/doctor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "shared/redis_endpoint.hpp"

namespace edgechat::ctl::doctor {

const char* StatusName(Status status) {
  switch (status) {
    case Status::kOk:
      return "ok";
    case Status::kWarn:
      return "warn";
    case Status::kFail:
      return "fail";
    case Status::kSkip:
      return "skip";
  }
  return "fail";
}

namespace {

Check Ok(std::string name, std::string detail) {
  return Check{std::move(name), Status::kOk, std::move(detail), ""};
}
Check Warn(std::string name, std::string detail, std::string fix) {
  return Check{std::move(name), Status::kWarn, std::move(detail), std::move(fix)};
}
Check Fail(std::string name, std::string detail, std::string fix) {
  return Check{std::move(name), Status::kFail, std::move(detail), std::move(fix)};
}
Check Skip(std::string name, std::string detail) {
  return Check{std::move(name), Status::kSkip, std::move(detail), ""};
}

std::string Octal(unsigned mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", mode & 07777);
  return buffer;
}

std::string Seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.3f s", s);
  return buffer;
}

// The first line of `text` that names an nginx error ("[emerg]", "[alert]"...), else its first
// non-empty line.
std::string FirstErrorLine(std::string_view text) {
  std::string first;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (line.find("[emerg]") != std::string::npos) return line;
    if (first.empty()) first = line;
  }
  return first;
}

// nginx -T failed because the module itself refused a server without edgechat_public_origin: the
// module is loaded, and the public_origin check names the problem.
bool RefusedForMissingOrigin(const ProcessResult& dump) {
  return dump.started && !dump.timed_out && dump.exit_code != 0 &&
         (dump.errors + dump.output).find("need \"edgechat_public_origin\"") != std::string::npos;
}

std::string NginxCommand(const Options& options) {
  std::string cmd = options.nginx;
  if (!options.nginx_prefix.empty()) cmd += " -p " + options.nginx_prefix;
  return cmd + " -c " + options.nginx_conf;
}

}  // namespace

// --- nginx -T ------------------------------------------------------------------------------------

std::vector<const Directive*> NginxConfig::All(std::string_view name) const {
  std::vector<const Directive*> out;
  for (const auto& d : directives)
    if (d.name == name) out.push_back(&d);
  return out;
}

const Directive* NginxConfig::First(std::string_view name) const {
  for (const auto& d : directives)
    if (d.name == name) return &d;
  return nullptr;
}

NginxConfig ParseNginxConfig(std::string_view text) {
  NginxConfig config;
  std::vector<std::string> words;
  std::vector<std::string> context;
  std::vector<int> servers;  // the server index of each open block
  int server_count = 0;
  auto current_server = [&] { return servers.empty() ? -1 : servers.back(); };
  auto emit = [&] {
    if (words.empty()) return;
    Directive d{words[0], {words.begin() + 1, words.end()}, context, current_server()};
    config.directives.push_back(std::move(d));
  };
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    if (c == '#') {
      std::size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = n;
      std::string_view comment = text.substr(i, end - i);
      // nginx -T prints each file after "# configuration file PATH:"; every file is balanced.
      if (comment.starts_with("# configuration file ")) {
        words.clear();
        context.clear();
        servers.clear();
      }
      i = end;
      continue;
    }
    if (words.empty() && text.substr(i).starts_with("nginx: ")) {  // a message, not config
      std::size_t end = text.find('\n', i);
      i = end == std::string_view::npos ? n : end;
      continue;
    }
    if (c == ';') {
      emit();
      words.clear();
      ++i;
      continue;
    }
    if (c == '{') {
      emit();
      std::string block = words.empty() ? "" : words[0];
      int server = current_server();
      if (block == "server") server = server_count++;
      context.push_back(block);
      servers.push_back(server);
      words.clear();
      ++i;
      continue;
    }
    if (c == '}') {
      words.clear();
      if (!context.empty()) {
        context.pop_back();
        servers.pop_back();
      }
      ++i;
      continue;
    }
    std::string word;
    if (c == '"' || c == '\'') {
      char quote = c;
      ++i;
      while (i < n && text[i] != quote) {
        if (text[i] == '\\' && i + 1 < n) ++i;
        word.push_back(text[i++]);
      }
      ++i;  // the closing quote
    } else {
      while (i < n) {
        char w = text[i];
        if (w == ' ' || w == '\t' || w == '\r' || w == '\n' || w == ';' || w == '{' || w == '}')
          break;
        if (w == '\\' && i + 1 < n) ++i;
        word.push_back(text[i++]);
      }
    }
    words.push_back(std::move(word));
  }
  return config;
}

std::optional<std::string> ParseNginxVersion(std::string_view text) {
  constexpr std::string_view kMarker = "nginx version: ";
  std::size_t at = text.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(at + kMarker.size());
  std::size_t slash = rest.find('/');
  std::size_t eol = rest.find_first_of(" \r\n");
  if (slash == std::string_view::npos || (eol != std::string_view::npos && slash > eol))
    return std::nullopt;
  rest = rest.substr(slash + 1);
  std::size_t end = rest.find_first_of(" \r\n");
  std::string version(rest.substr(0, end));
  if (version.empty()) return std::nullopt;
  return version;
}

// --- The checks ----------------------------------------------------------------------------------

Check CheckNginxModule(const Options& options, const ProcessResult& dump,
                       const NginxConfig& config) {
  const std::string name = "nginx_module";
  const std::string cmd = NginxCommand(options) + " -T";
  if (!dump.started) {
    return Fail(name, "cannot run " + cmd + ": " + dump.error,
                "install nginx, or name its binary and configuration with --nginx and "
                "--nginx-conf (and --nginx-prefix)");
  }
  if (dump.timed_out) {
    return Fail(name, cmd + " did not finish in time",
                "run " + cmd + " by hand and see what it waits for");
  }
  if (RefusedForMissingOrigin(dump)) {
    return Ok(name,
              "loaded (nginx -T refuses the configuration for its public origin: see "
              "public_origin)");
  }
  if (dump.exit_code != 0) {
    std::string line = FirstErrorLine(dump.errors + "\n" + dump.output);
    bool incompatible = line.find("edgechat") != std::string::npos &&
                        (line.find("binary compatible") != std::string::npos ||
                         line.find("instead of") != std::string::npos);
    if (incompatible) {
      return Fail(
          name, "nginx refuses the module: " + line,
          "the module was built for another nginx: install the libnginx-mod-http-edgechat "
          "built for this nginx, or rebuild it (scripts/build) with this nginx's nginx-dev");
    }
    return Fail(name, cmd + " failed: " + line,
                "fix the error nginx names, then run " + cmd.substr(0, cmd.size() - 3) + " -t");
  }
  for (const Directive* d : config.All("load_module")) {
    for (const auto& arg : d->args) {
      if (arg.find("ngx_http_edgechat_module") != std::string::npos) {
        return Ok(name, "loaded from " + arg);
      }
    }
  }
  return Fail(name, "no load_module line for ngx_http_edgechat_module in " + options.nginx_conf,
              "install libnginx-mod-http-edgechat (it enables "
              "/etc/nginx/modules-enabled/50-mod-http-edgechat.conf), or add "
              "\"load_module modules/ngx_http_edgechat_module.so;\" at the top of nginx.conf");
}

Check CheckModuleVersion(const Options& options, const ProcessResult& version) {
  const std::string name = "nginx_version";
  if (options.module_built_for.empty()) {
    return Skip(name,
                "this edgechatctl was built without nginx-dev: it does not know the nginx "
                "version the module was built for");
  }
  if (!version.started || version.timed_out) {
    return Skip(name, "cannot run " + options.nginx + " -v" +
                          (version.error.empty() ? "" : ": " + version.error));
  }
  auto running = ParseNginxVersion(version.errors + "\n" + version.output);
  if (!running) {
    return Skip(name, options.nginx + " -v printed no version");
  }
  if (*running != options.module_built_for) {
    return Fail(
        name, "nginx is " + *running + ", the module was built for " + options.module_built_for,
        "install the libnginx-mod-http-edgechat built for nginx " + *running +
            " (or rebuild the module against nginx-dev " + *running + "), then restart nginx");
  }
  return Ok(name, "nginx " + *running + ", the version the module was built for");
}

Check CheckPublicOrigin(const NginxConfig& config) {
  const std::string name = "public_origin";
  auto all = config.All("edgechat_public_origin");
  if (all.empty() || all.front()->args.empty()) {
    return Fail(name, "no edgechat_public_origin in the nginx configuration",
                "add \"edgechat_public_origin https://chat.example.com;\" to the chat server's "
                "server block (the origin visitors load widget.js from)");
  }
  std::string seen;
  for (const Directive* d : all) {
    if (d->args.empty()) continue;
    seen += (seen.empty() ? "" : ", ") + d->args[0];
  }
  return Ok(name, "edgechat_public_origin " + seen);
}

Check CheckTls(const NginxConfig& config) {
  const std::string name = "tls";
  const Directive* origin = config.First("edgechat_public_origin");
  if (origin == nullptr || origin->args.empty()) {
    return Skip(name, "no edgechat_public_origin to check");
  }
  const std::string& url = origin->args[0];
  if (!url.starts_with("https://")) {
    return Warn(name, "the public origin " + url + " is not https",
                "serve the chat server over TLS: \"listen 443 ssl;\" with ssl_certificate in its "
                "server block, and edgechat_public_origin https://...");
  }
  bool ssl_listen = false;
  for (const Directive* d : config.All("listen")) {
    if (origin->server >= 0 && d->server != origin->server) continue;
    if (std::find(d->args.begin(), d->args.end(), "ssl") != d->args.end()) ssl_listen = true;
  }
  if (!ssl_listen) {
    return Warn(name, url + " is https, but its server block has no \"listen ... ssl\"",
                "add \"listen 443 ssl;\" and ssl_certificate/ssl_certificate_key to that server "
                "block (ignore this when a proxy in front of nginx terminates TLS)");
  }
  return Ok(name, url + " with a listen ... ssl in its server block");
}

Check CheckWorkerSocket(const worker::ListenSpec& listen, const std::optional<PathInfo>& info,
                        const std::optional<std::string>& nginx_user,
                        const std::optional<UserInfo>& user, const std::vector<DirInfo>& parents) {
  const std::string name = "worker_socket";
  if (!listen.is_unix()) {
    return Warn(name,
                "worker.listen is TCP " + listen.host + ":" + std::to_string(listen.port) +
                    ": every local user can reach the worker",
                "use a unix socket only nginx can reach: worker.listen = "
                "unix:/run/edgechat/worker.sock");
  }
  const std::string& path = listen.unix_path;
  if (!info) {
    return Fail(name, "unix:" + path + " does not exist",
                "start the worker (systemctl start edgechat-worker) and read its log; "
                "worker.listen names this path");
  }
  if (!info->is_socket) {
    return Fail(name, path + " exists but is not a socket",
                "remove it and restart the worker, or fix worker.listen");
  }
  std::string seen = path + " mode " + Octal(info->mode) + " owner " + std::to_string(info->uid) +
                     ":" + std::to_string(info->gid);
  if ((info->mode & 0007) != 0) {
    return Fail(name, seen + ": any local user can connect to the worker",
                "chmod 660 " + path + " (the worker creates it 0660; look for what changed it)");
  }
  if (!nginx_user) {
    return Ok(name, seen +
                        ", others cannot connect; nginx's user is not known (its configuration "
                        "could not be read: see nginx_module)");
  }
  if (!user) {
    return Fail(name, seen + "; nginx's user \"" + *nginx_user + "\" does not exist",
                "fix the \"user\" directive of nginx.conf");
  }
  // `bits` is the owner's permission (0400, 0200 or 0100); the group's and others' follow.
  auto allowed = [&](const PathInfo& p, unsigned bits) {
    if (user->uid == 0) return true;
    if (user->uid == p.uid) return (p.mode & bits) != 0;
    bool member = user->gid == p.gid ||
                  std::find(user->groups.begin(), user->groups.end(), p.gid) != user->groups.end();
    if (member) return (p.mode & (bits >> 3)) != 0;
    return (p.mode & (bits >> 6)) != 0;
  };
  for (const auto& dir : parents) {
    if (!allowed(dir.info, 0100)) {
      return Fail(name,
                  seen + ": nginx's user \"" + *nginx_user + "\" cannot enter " + dir.path +
                      " (mode " + Octal(dir.info.mode) + " owner " + std::to_string(dir.info.uid) +
                      ":" + std::to_string(dir.info.gid) + ")",
                  "let nginx's group enter it: chgrp " + std::to_string(user->gid) + " " +
                      dir.path + " && chmod 750 " + dir.path +
                      " (in a systemd unit: RuntimeDirectoryMode=0750 with Group= nginx's group)");
    }
  }
  bool reachable = user->uid == 0 || (user->uid == info->uid && (info->mode & 0200) != 0) ||
                   ((info->mode & 0020) != 0 &&
                    (user->gid == info->gid || std::find(user->groups.begin(), user->groups.end(),
                                                         info->gid) != user->groups.end()));
  if (!reachable) {
    return Fail(name, seen + ": nginx's user \"" + *nginx_user + "\" cannot connect",
                "run the worker with nginx's group (Group= or SupplementaryGroups= in its unit), "
                "or add \"" +
                    *nginx_user + "\" to group " + std::to_string(info->gid) +
                    " (usermod -aG), so the socket is 0660 for the two of them");
  }
  return Ok(name, seen + "; nginx's user \"" + *nginx_user + "\" can connect, others cannot");
}

Check CheckNginxUpstream(const worker::ListenSpec& listen, const NginxConfig& config) {
  const std::string name = "nginx_upstream";
  std::string want = listen.is_unix() ? "unix:" + listen.unix_path
                                      : listen.host + ":" + std::to_string(listen.port);
  for (const auto& d : config.directives) {
    bool upstream_server =
        d.name == "server" && !d.context.empty() && d.context.back() == "upstream";
    if (upstream_server && !d.args.empty() && d.args[0] == want) {
      return Ok(name, "an upstream of nginx is " + want);
    }
    if (d.name == "proxy_pass" && !d.args.empty() &&
        d.args[0].find("://" + want) != std::string::npos) {
      return Ok(name, "nginx proxies to " + want);
    }
  }
  return Warn(
      name, "no upstream or proxy_pass of nginx names " + want + " (worker.listen)",
      "point the upstream at the worker: upstream edgechat_worker { server " + want + "; }");
}

Check CheckWorkerAnswers(const worker::ListenSpec& listen, const Result<HttpAnswer>& answer) {
  const std::string name = "worker_answers";
  std::string where = listen.is_unix() ? "unix:" + listen.unix_path
                                       : listen.host + ":" + std::to_string(listen.port);
  if (!answer) {
    return Fail(name, "no answer to GET /readyz on " + where + ": " + answer.error().message,
                "start or restart the worker (systemctl restart edgechat-worker) and read its "
                "log");
  }
  if (answer->status == 503) {
    return Fail(name,
                "the worker answers on " + where +
                    " but is not ready (503: " + answer->body.substr(0, 200) + ")",
                "the worker cannot reach MySQL: see the mysql check and the worker's log");
  }
  if (answer->status != 200) {
    return Fail(name, "GET /readyz on " + where + " answered " + std::to_string(answer->status),
                "is worker.listen the worker's address? Another program may hold it");
  }
  return Ok(name, "GET /readyz on " + where + ": 200 ready");
}

Check CheckRedis(const std::string& name, const std::string& where, const RedisTime& time) {
  if (time) {
    return Ok(
        name,
        "Redis " + where + " answers (AUTH as configured)" +
            (time->has_value() ? "" : "; its ACL forbids TIME, so its clock is not compared"));
  }
  const std::string& message = time.error().message;
  bool auth =
      message.find("AUTH") != std::string::npos || message.find("WRONGPASS") != std::string::npos ||
      message.find("NOPERM") != std::string::npos || message.find("password") != std::string::npos;
  if (name == "redis_edge") {
    return Fail(name, message,
                auth ? "fix edgechat_redis_user / edgechat_redis_password_file in nginx.conf to "
                       "match Redis's ACL or requirepass"
                     : "start Redis, or fix the edgechat_redis address in nginx.conf");
  }
  return Fail(name, message,
              auth ? "fix redis.user / redis.password_file in the configuration to match "
                     "Redis's ACL or requirepass"
                   : "start Redis (systemctl start redis-server), or fix redis.socket / "
                     "redis.host and redis.port in the configuration");
}

Check CheckDatabase(const worker::DbSettings& db, const Result<DbFacts>& facts) {
  const std::string name = "mysql";
  if (!facts) {
    return Fail(name, facts.error().message,
                "start MySQL (systemctl start mariadb), or fix db.socket / db.host, db.user, "
                "db.password and db.name in the configuration");
  }
  return Ok(name, "database " + db.name + " on " + db.Describe() + " answers");
}

Check CheckMigrations(const std::string& sql_dir, const Result<std::vector<SqlFile>>& files,
                      const Result<DbFacts>& facts) {
  const std::string name = "migrations";
  if (!files) {
    return Fail(name, "cannot read the migrations: " + files.error().message,
                "set sql.dir (or pass --sql-dir) to the directory of NNN_name.sql files "
                "(/usr/share/edgechat/sql from the edgechat-cli package)");
  }
  if (!facts) return Skip(name, "MySQL is unreachable");
  if (!facts->has_migrations) {
    return Fail(name, "the database has no schema_migrations table: it was never migrated",
                "edgechatctl migrate");
  }
  std::map<unsigned, std::string> applied;
  for (const auto& a : facts->applied) applied[a.version] = a.checksum;
  std::vector<std::string> pending, changed;
  std::set<unsigned> known;
  for (const auto& f : *files) {
    known.insert(f.version);
    auto it = applied.find(f.version);
    if (it == applied.end()) {
      pending.push_back(f.name);
    } else if (it->second != f.checksum) {
      changed.push_back(f.name);
    }
  }
  std::vector<std::string> unknown;
  for (const auto& [version, checksum] : applied) {
    if (known.count(version) == 0) unknown.push_back(std::to_string(version));
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  if (!changed.empty()) {
    return Fail(
        name, "changed after they were applied: " + join(changed),
        "restore the original files in " + sql_dir + " (a change belongs in a new migration)");
  }
  if (!pending.empty()) {
    return Fail(name, std::to_string(pending.size()) + " not applied: " + join(pending),
                "edgechatctl migrate");
  }
  if (!unknown.empty()) {
    return Fail(name,
                "the database has migrations " + sql_dir + " lacks (versions " + join(unknown) +
                    "): it is newer than this edgechat",
                "upgrade edgechat (worker and CLI) to the version that migrated it, or point "
                "sql.dir at its migrations");
  }
  return Ok(name, "all " + std::to_string(files->size()) + " migrations of " + sql_dir +
                      " applied" + (files->empty() ? "" : " (latest " + files->back().name + ")"));
}

Check CheckClocks(double local, std::optional<double> db, std::optional<double> redis,
                  double tolerance_s) {
  const std::string name = "clocks";
  if (!db && !redis) return Skip(name, "neither MySQL nor Redis answered");
  std::string seen;
  double worst = 0;
  auto add = [&](const char* what, std::optional<double> t) {
    if (!t) return;
    double off = *t - local;
    worst = std::max(worst, std::fabs(off));
    seen += std::string(seen.empty() ? "" : ", ") + what + " " + Seconds(off);
  };
  add("MySQL", db);
  add("Redis", redis);
  if (db && redis) worst = std::max(worst, std::fabs(*db - *redis));
  seen += " from this host";
  char tolerance[32];
  std::snprintf(tolerance, sizeof tolerance, "%.3g s", tolerance_s);
  if (worst > tolerance_s) {
    return Fail(name, seen + " (tolerance " + tolerance + ")",
                "keep every host's clock in sync with NTP (systemd-timesyncd or chrony): "
                "sessions, stream tickets and retention compare them");
  }
  return Ok(name, seen + " (within " + tolerance + ")");
}

std::vector<Check> CheckSiteOrigins(const Result<DbFacts>& facts) {
  if (!facts) return {Skip("site_origins", "MySQL is unreachable")};
  if (!facts->has_sites) return {Skip("site_origins", "the database has no sites table yet")};
  std::vector<Check> out;
  for (const auto& site : facts->sites) {
    if (site.origins != 0) continue;
    out.push_back(
        Warn("site_origins:" + site.key,
             "site \"" + site.name + "\" (" + site.key +
                 ") has no origins: its widget cannot be embedded anywhere",
             "edgechatctl site update " + site.key + " --add-origin https://shop.example"));
  }
  if (facts->sites.empty()) {
    out.push_back(Warn("site_origins", "no sites yet",
                       "edgechatctl site add --name NAME --origin https://shop.example"));
  }
  if (out.empty()) {
    out.push_back(Ok("site_origins", std::to_string(facts->sites.size()) +
                                         " sites, each with at least one origin"));
  }
  return out;
}

Check CheckOpenFiles(const std::optional<OpenFiles>& limit, unsigned max_streams) {
  const std::string name = "open_files";
  if (!limit) return Skip(name, "the open-files limit could not be read");
  auto capacity = worker::StreamCapacityFor(max_streams, limit->limit);
  std::string seen = "open files " + std::to_string(limit->limit) + " (" + limit->source +
                     "): room for " + std::to_string(capacity.limit) + " event streams";
  if (capacity.clamped) {
    return Warn(name, seen + ", below events.max_streams " + std::to_string(max_streams),
                "raise LimitNOFILE= in the worker's systemd unit (edgechat-worker.service) to "
                "at least " +
                    std::to_string(max_streams + max_streams / 8 + 64) +
                    ", or lower events.max_streams");
  }
  if (capacity.limit < 1000) {
    return Warn(name, seen,
                "raise LimitNOFILE= in the worker's systemd unit (65536 is a sane start): every "
                "open event stream holds a descriptor");
  }
  return Ok(name, seen);
}

// --- Everything ----------------------------------------------------------------------------------

std::vector<Check> RunDoctor(const worker::Settings& settings, const Options& options,
                             const Probes& probes) {
  std::vector<Check> checks;

  // nginx: one -T dump feeds every nginx check.
  std::vector<std::string> argv{options.nginx};
  if (!options.nginx_prefix.empty()) {
    argv.push_back("-p");
    argv.push_back(options.nginx_prefix);
  }
  argv.push_back("-c");
  argv.push_back(options.nginx_conf);
  argv.push_back("-T");
  ProcessResult dump = probes.run(argv);
  bool dumped = dump.started && !dump.timed_out && dump.exit_code == 0;
  NginxConfig config = dumped ? ParseNginxConfig(dump.output) : NginxConfig{};
  checks.push_back(CheckNginxModule(options, dump, config));
  checks.push_back(CheckModuleVersion(options, probes.run({options.nginx, "-v"})));
  std::optional<std::string> nginx_user;  // known once the configuration is read
  if (dumped) {
    checks.push_back(CheckPublicOrigin(config));
    checks.push_back(CheckTls(config));
    nginx_user = "www-data";  // when nginx.conf has no "user" (Debian's has www-data)
    if (const Directive* user = config.First("user"); user != nullptr && !user->args.empty())
      nginx_user = user->args[0];
  } else if (RefusedForMissingOrigin(dump)) {
    checks.push_back(Fail("public_origin",
                          "nginx -T refuses the configuration: " + FirstErrorLine(dump.errors),
                          "add \"edgechat_public_origin https://chat.example.com;\" to the chat "
                          "server's server block (the origin visitors load widget.js from)"));
    checks.push_back(Skip("tls", "no public origin to check"));
  } else {
    checks.push_back(Skip("public_origin", "no nginx configuration to read (see nginx_module)"));
    checks.push_back(Skip("tls", "no nginx configuration to read (see nginx_module)"));
  }

  // The worker.
  const worker::ListenSpec& listen = settings.listen;
  if (listen.is_unix()) {
    auto user = nginx_user ? probes.user(*nginx_user) : std::nullopt;
    std::vector<DirInfo> parents;
    for (std::size_t slash = listen.unix_path.find('/', 1); slash != std::string::npos;
         slash = listen.unix_path.find('/', slash + 1)) {
      std::string dir = listen.unix_path.substr(0, slash);
      if (auto info = probes.stat(dir)) parents.push_back({dir, *info});
    }
    checks.push_back(
        CheckWorkerSocket(listen, probes.stat(listen.unix_path), nginx_user, user, parents));
  } else {
    checks.push_back(CheckWorkerSocket(listen, std::nullopt, nginx_user, std::nullopt));
  }
  if (dumped) checks.push_back(CheckNginxUpstream(listen, config));
  checks.push_back(CheckWorkerAnswers(listen, probes.http(listen, "/readyz")));

  // Redis, as the CLI and worker reach it and as the edge does. Clock readings are taken against
  // the middle of the local time before and after each call.
  std::optional<double> redis_offset;
  {
    double before = probes.now();
    auto time = probes.redis(settings.redis);
    double after = probes.now();
    if (time && time->has_value()) redis_offset = **time - (before + after) / 2;
    checks.push_back(CheckRedis("redis", settings.redis.Describe(), time));
  }
  if (dumped) {
    const Directive* redis = config.First("edgechat_redis");
    if (redis == nullptr || redis->args.empty()) {
      checks.push_back(Warn("redis_edge",
                            "no edgechat_redis in nginx.conf: the edge limits per host and reads "
                            "its registry from the cache file only",
                            "add \"edgechat_redis unix:/run/redis/redis.sock;\" (the Redis of "
                            "redis.* in the configuration) to the http block"));
    } else if (auto endpoint = shared::ParseRedisEndpoint(redis->args[0]); !endpoint) {
      checks.push_back(Fail("redis_edge",
                            "edgechat_redis " + redis->args[0] + ": " + endpoint.error().message,
                            "fix edgechat_redis in nginx.conf"));
    } else {
      worker::RedisSettings edge;
      edge.socket = endpoint->unix_path;
      edge.host = endpoint->host;
      edge.port = static_cast<std::uint16_t>(endpoint->port);
      edge.timeout_ms = settings.redis.timeout_ms;
      RedisTime time = Error{ErrorKind::kInternal, "internal", ""};
      if (const Directive* user = config.First("edgechat_redis_user");
          user != nullptr && !user->args.empty())
        edge.credentials.user = user->args[0];
      const Directive* file = config.First("edgechat_redis_password_file");
      if (file != nullptr && !file->args.empty()) {
        auto secret = probes.read_secret(file->args[0]);
        if (!secret) {
          time = Error{ErrorKind::kInvalidInput, "usage",
                       "cannot read edgechat_redis_password_file " + file->args[0] + ": " +
                           secret.error().message};
        } else {
          edge.credentials.password = *secret;
          time = probes.redis(edge);
        }
      } else {
        time = probes.redis(edge);
      }
      checks.push_back(CheckRedis("redis_edge", edge.Describe() + " (edgechat_redis)", time));
    }
  } else {
    checks.push_back(Skip("redis_edge", "no nginx configuration to read (see nginx_module)"));
  }

  // MySQL and what it holds.
  double before = probes.now();
  Result<DbFacts> facts = probes.db();
  double after = probes.now();
  checks.push_back(CheckDatabase(settings.db, facts));
  std::string sql_dir = options.sql_dir.empty() ? settings.sql_dir : options.sql_dir;
  checks.push_back(CheckMigrations(sql_dir, probes.sql_files(sql_dir), facts));
  std::optional<double> db_offset;
  if (facts) db_offset = facts->now - (before + after) / 2;
  // Offsets against one local instant: the same verdict as comparing each with its own reading.
  checks.push_back(CheckClocks(0, db_offset, redis_offset, options.clock_tolerance_s));

  std::optional<long> pid;
  if (!options.worker_pid_file.empty()) {
    pid = probes.read_pid(options.worker_pid_file);
  } else if (listen.is_unix()) {
    pid = probes.socket_owner(listen.unix_path);
  }
  checks.push_back(CheckOpenFiles(probes.open_files(pid), settings.streams.max_total));

  for (auto& c : CheckSiteOrigins(facts)) checks.push_back(std::move(c));
  return checks;
}

bool Healthy(const std::vector<Check>& checks) {
  return std::none_of(checks.begin(), checks.end(),
                      [](const Check& c) { return c.status == Status::kFail; });
}

nlohmann::json ReportJson(const std::vector<Check>& checks) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : checks) {
    list.push_back(
        {{"name", c.name}, {"status", StatusName(c.status)}, {"detail", c.detail}, {"fix", c.fix}});
  }
  return {{"checks", list}, {"healthy", Healthy(checks)}};
}

std::string ReportText(const std::vector<Check>& checks) {
  std::string out;
  std::size_t counts[4] = {0, 0, 0, 0};
  for (const auto& c : checks) {
    ++counts[static_cast<int>(c.status)];
    std::string label = c.status == Status::kFail ? "FAIL" : StatusName(c.status);
    label.resize(5, ' ');
    out += label + c.name + ": " + c.detail + "\n";
    if (!c.fix.empty()) out += "     fix: " + c.fix + "\n";
  }
  out += "\n" + std::to_string(checks.size()) + " checks: " + std::to_string(counts[0]) + " ok, " +
         std::to_string(counts[1]) + " warn, " + std::to_string(counts[2]) + " failed, " +
         std::to_string(counts[3]) + " skipped: " + (Healthy(checks) ? "healthy" : "NOT healthy") +
         "\n";
  return out;
}

}  // namespace edgechat::ctl::doctor
