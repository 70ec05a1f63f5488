// edgechatctl doctor: each check's verdicts from what a probe saw, and RunDoctor over fake probes.
#include "ctl/doctor.hpp"

#include <gtest/gtest.h>

namespace edgechat::ctl::doctor {
namespace {

constexpr const char* kDump = R"(nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
# configuration file /etc/nginx/nginx.conf:
user www-data;
include /etc/nginx/modules-enabled/*.conf;
http {
    edgechat_redis unix:/run/redis/redis.sock;
    edgechat_redis_user edgechat;
    edgechat_redis_password_file /etc/edgechat/redis-password;
    upstream edgechat_worker { server unix:/run/edgechat/worker.sock; keepalive 32; }
    include /etc/nginx/sites-enabled/*;
}

# configuration file /etc/nginx/modules-enabled/50-mod-http-edgechat.conf:
load_module modules/ngx_http_edgechat_module.so;

# configuration file /etc/nginx/sites-enabled/chat:
server {
    listen 80;
    server_name other;
}
server {
    listen 443 ssl http2;   # a comment; with { and }
    server_name "chat.example.com";
    edgechat_public_origin https://chat.example.com;
    location / { return 404 '{"error":"not_found"}'; }
}
)";

worker::ListenSpec UnixListen(const std::string& path = "/run/edgechat/worker.sock") {
  worker::ListenSpec l;
  l.unix_path = path;
  return l;
}

ProcessResult Ran(std::string out, int code = 0, std::string err = "") {
  ProcessResult r;
  r.started = true;
  r.exit_code = code;
  r.output = std::move(out);
  r.errors = std::move(err);
  return r;
}

TEST(DoctorNginxConfig, ParsesDirectivesAcrossFilesWithServerBlocks) {
  NginxConfig c = ParseNginxConfig(kDump);
  ASSERT_NE(c.First("user"), nullptr);
  EXPECT_EQ(c.First("user")->args, std::vector<std::string>{"www-data"});
  ASSERT_NE(c.First("load_module"), nullptr);
  EXPECT_EQ(c.First("load_module")->args[0], "modules/ngx_http_edgechat_module.so");
  EXPECT_TRUE(c.First("load_module")->context.empty());  // a new file starts at the top
  const Directive* origin = c.First("edgechat_public_origin");
  ASSERT_NE(origin, nullptr);
  EXPECT_EQ(origin->server, 1);
  auto listens = c.All("listen");
  ASSERT_EQ(listens.size(), 2u);
  EXPECT_EQ(listens[0]->server, 0);
  EXPECT_EQ(listens[1]->server, 1);
  EXPECT_EQ(listens[1]->args, (std::vector<std::string>{"443", "ssl", "http2"}));
  EXPECT_EQ(c.First("server_name")->args[0], "other");
  EXPECT_EQ(c.All("server_name")[1]->args[0], "chat.example.com");
  EXPECT_EQ(c.First("return")->args[1], "{\"error\":\"not_found\"}");
  const Directive* upstream_server = nullptr;
  for (const auto& d : c.directives)
    if (d.name == "server" && !d.context.empty() && d.context.back() == "upstream")
      upstream_server = &d;
  ASSERT_NE(upstream_server, nullptr);
  EXPECT_EQ(upstream_server->args[0], "unix:/run/edgechat/worker.sock");
}

TEST(DoctorNginxConfig, ParsesTheVersion) {
  EXPECT_EQ(ParseNginxVersion("nginx version: nginx/1.22.1\n"), "1.22.1");
  EXPECT_EQ(ParseNginxVersion("nginx version: nginx/1.25.3 (Ubuntu)\nbuilt by gcc"), "1.25.3");
  EXPECT_EQ(ParseNginxVersion("no version here"), std::nullopt);
}

TEST(DoctorModule, OkWhenLoaded) {
  Options o;
  auto c = CheckNginxModule(o, Ran(kDump), ParseNginxConfig(kDump));
  EXPECT_EQ(c.status, Status::kOk) << c.detail;
  EXPECT_NE(c.detail.find("ngx_http_edgechat_module.so"), std::string::npos);
}

TEST(DoctorModule, FailsWhenNotLoaded) {
  std::string dump = "# configuration file /etc/nginx/nginx.conf:\nuser www-data;\nhttp { }\n";
  auto c = CheckNginxModule(Options{}, Ran(dump), ParseNginxConfig(dump));
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.fix.find("load_module"), std::string::npos);
}

TEST(DoctorModule, FailsWhenNginxCannotRunOrRefusesTheModule) {
  ProcessResult missing;
  missing.error = "/usr/sbin/nginx: No such file or directory";
  auto c = CheckNginxModule(Options{}, missing, {});
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("No such file"), std::string::npos);
  EXPECT_NE(c.fix.find("--nginx"), std::string::npos);

  auto refused = Ran("", 1,
                     "nginx: [emerg] module \"/usr/lib/nginx/modules/ngx_http_edgechat_module.so\" "
                     "version 1022001 instead of 1024000 in /etc/nginx/nginx.conf:1\n");
  c = CheckNginxModule(Options{}, refused, {});
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.fix.find("built for another nginx"), std::string::npos);

  auto broken = Ran("", 1, "nginx: [emerg] unknown directive \"foo\" in /etc/nginx/nginx.conf:3\n");
  c = CheckNginxModule(Options{}, broken, {});
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("unknown directive"), std::string::npos);

  ProcessResult slow = Ran("");
  slow.timed_out = true;
  EXPECT_EQ(CheckNginxModule(Options{}, slow, {}).status, Status::kFail);
}

TEST(DoctorModuleVersion, ComparesTheRunningNginx) {
  Options o;
  o.module_built_for = "1.22.1";
  EXPECT_EQ(CheckModuleVersion(o, Ran("", 0, "nginx version: nginx/1.22.1\n")).status, Status::kOk);
  auto c = CheckModuleVersion(o, Ran("", 0, "nginx version: nginx/1.24.0\n"));
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("1.24.0"), std::string::npos);
  EXPECT_NE(c.fix.find("1.24.0"), std::string::npos);
  EXPECT_EQ(CheckModuleVersion(o, ProcessResult{}).status, Status::kSkip);
  o.module_built_for.clear();
  EXPECT_EQ(CheckModuleVersion(o, Ran("", 0, "nginx version: nginx/1.24.0\n")).status,
            Status::kSkip);
}

TEST(DoctorPublicOrigin, OkWhenSetFailWhenNot) {
  EXPECT_EQ(CheckPublicOrigin(ParseNginxConfig(kDump)).status, Status::kOk);
  auto c = CheckPublicOrigin(ParseNginxConfig("http { server { listen 80; } }"));
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.fix.find("edgechat_public_origin https://"), std::string::npos);
}

TEST(DoctorTls, HttpsWithSslListenIsOk) {
  EXPECT_EQ(CheckTls(ParseNginxConfig(kDump)).status, Status::kOk);
}

TEST(DoctorTls, HttpOriginWarns) {
  auto c = CheckTls(ParseNginxConfig(
      "http { server { listen 80; edgechat_public_origin http://chat.example.com; } }"));
  EXPECT_EQ(c.status, Status::kWarn);
  EXPECT_NE(c.fix.find("listen 443 ssl"), std::string::npos);
}

TEST(DoctorTls, HttpsWithoutSslListenInItsServerWarns) {
  // The ssl listen belongs to another server block.
  auto c =
      CheckTls(ParseNginxConfig("http { server { listen 443 ssl; } server { listen 80; "
                                "edgechat_public_origin https://chat.example.com; } }"));
  EXPECT_EQ(c.status, Status::kWarn);
  EXPECT_EQ(CheckTls(ParseNginxConfig("http { }")).status, Status::kSkip);
}

TEST(DoctorWorkerSocket, OkFor0660SharedWithNginxGroup) {
  PathInfo info{true, 999, 33, 0660};
  UserInfo www{33, 33, {33}};
  EXPECT_EQ(CheckWorkerSocket(UnixListen(), info, "www-data", www).status, Status::kOk);
  UserInfo member{33, 33, {33, 999}};
  PathInfo other_group{true, 999, 999, 0660};
  EXPECT_EQ(CheckWorkerSocket(UnixListen(), other_group, "www-data", member).status, Status::kOk);
  UserInfo root{0, 0, {0}};
  EXPECT_EQ(CheckWorkerSocket(UnixListen(), other_group, "root", root).status, Status::kOk);
}

TEST(DoctorWorkerSocket, FailsWhenOthersMayConnect) {
  auto c = CheckWorkerSocket(UnixListen(), PathInfo{true, 999, 33, 0666}, "www-data",
                             UserInfo{33, 33, {33}});
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("0666"), std::string::npos);
  EXPECT_NE(c.fix.find("chmod 660"), std::string::npos);
}

TEST(DoctorWorkerSocket, FailsWhenNginxCannotConnect) {
  auto c = CheckWorkerSocket(UnixListen(), PathInfo{true, 999, 999, 0660}, "www-data",
                             UserInfo{33, 33, {33}});
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("cannot connect"), std::string::npos);
  // Group bits missing: even a member cannot.
  c = CheckWorkerSocket(UnixListen(), PathInfo{true, 999, 33, 0600}, "www-data",
                        UserInfo{33, 33, {33}});
  EXPECT_EQ(c.status, Status::kFail);
  c = CheckWorkerSocket(UnixListen(), PathInfo{true, 999, 33, 0660}, "nginx", std::nullopt);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("does not exist"), std::string::npos);
}

TEST(DoctorWorkerSocket, FailsWhenNginxCannotEnterADirectoryAboveIt) {
  PathInfo socket{true, 999, 33, 0660};
  UserInfo www{33, 33, {33}};
  std::vector<DirInfo> open_dirs{{"/run", {false, 0, 0, 0755}},
                                 {"/run/edgechat", {false, 999, 33, 0750}}};
  EXPECT_EQ(CheckWorkerSocket(UnixListen(), socket, "www-data", www, open_dirs).status,
            Status::kOk);
  std::vector<DirInfo> closed{{"/run", {false, 0, 0, 0755}},
                              {"/run/edgechat", {false, 999, 999, 0700}}};
  auto c = CheckWorkerSocket(UnixListen(), socket, "www-data", www, closed);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("cannot enter /run/edgechat (mode 0700"), std::string::npos);
  EXPECT_NE(c.fix.find("chmod 750 /run/edgechat"), std::string::npos);
  // Root enters everything.
  EXPECT_EQ(CheckWorkerSocket(UnixListen(), socket, "root", UserInfo{0, 0, {0}}, closed).status,
            Status::kOk);
}

TEST(DoctorWorkerSocket, WithNginxUserUnknownJudgesOnlyOthers) {
  auto c =
      CheckWorkerSocket(UnixListen(), PathInfo{true, 999, 999, 0660}, std::nullopt, std::nullopt);
  EXPECT_EQ(c.status, Status::kOk);
  EXPECT_NE(c.detail.find("not known"), std::string::npos);
  EXPECT_EQ(
      CheckWorkerSocket(UnixListen(), PathInfo{true, 999, 999, 0666}, std::nullopt, std::nullopt)
          .status,
      Status::kFail);
}

TEST(DoctorWorkerSocket, FailsWhenMissingOrNotASocketWarnsOnTcp) {
  auto c = CheckWorkerSocket(UnixListen(), std::nullopt, "www-data", UserInfo{33, 33, {33}});
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.fix.find("start the worker"), std::string::npos);
  c = CheckWorkerSocket(UnixListen(), PathInfo{false, 0, 0, 0660}, "www-data",
                        UserInfo{33, 33, {33}});
  EXPECT_EQ(c.status, Status::kFail);
  worker::ListenSpec tcp;
  tcp.host = "127.0.0.1";
  tcp.port = 8081;
  EXPECT_EQ(CheckWorkerSocket(tcp, std::nullopt, "www-data", std::nullopt).status, Status::kWarn);
}

TEST(DoctorNginxUpstream, MatchesTheWorkerSocket) {
  auto config = ParseNginxConfig(kDump);
  EXPECT_EQ(CheckNginxUpstream(UnixListen(), config).status, Status::kOk);
  EXPECT_EQ(CheckNginxUpstream(UnixListen("/tmp/other.sock"), config).status, Status::kWarn);
}

TEST(DoctorWorkerAnswers, Verdicts) {
  EXPECT_EQ(CheckWorkerAnswers(UnixListen(), HttpAnswer{200, "{}"}).status, Status::kOk);
  auto c = CheckWorkerAnswers(UnixListen(), HttpAnswer{503, "{\"error\":\"not_ready\"}"});
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.fix.find("MySQL"), std::string::npos);
  EXPECT_EQ(CheckWorkerAnswers(UnixListen(), HttpAnswer{404, ""}).status, Status::kFail);
  c = CheckWorkerAnswers(UnixListen(),
                         Error{ErrorKind::kUnavailable, "unreachable", "connect: refused"});
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("connect: refused"), std::string::npos);
}

TEST(DoctorRedis, NamesAddressOrAuthInTheFix) {
  EXPECT_EQ(CheckRedis("redis", "unix:/run/redis.sock", std::optional<double>(1.0)).status,
            Status::kOk);
  auto no_time = CheckRedis("redis", "unix:/run/redis.sock", std::optional<double>());
  EXPECT_EQ(no_time.status, Status::kOk);
  EXPECT_NE(no_time.detail.find("forbids TIME"), std::string::npos);
  auto down = CheckRedis("redis", "x",
                         Error{ErrorKind::kUnavailable, "redis_unavailable",
                               "Redis at unix:/run/redis.sock unreachable: No such file"});
  EXPECT_EQ(down.status, Status::kFail);
  EXPECT_NE(down.fix.find("start Redis"), std::string::npos);
  auto auth = CheckRedis("redis_edge", "x",
                         Error{ErrorKind::kUnavailable, "redis_unavailable",
                               "Redis refused AUTH: WRONGPASS invalid username-password pair"});
  EXPECT_EQ(auth.status, Status::kFail);
  EXPECT_NE(auth.fix.find("edgechat_redis_password_file"), std::string::npos);
}

TEST(DoctorMigrations, Verdicts) {
  std::vector<SqlFile> files{{1, "001_a.sql", "aa"}, {2, "002_b.sql", "bb"}};
  DbFacts facts;
  facts.has_migrations = true;
  facts.applied = {{1, "aa"}, {2, "bb"}};
  EXPECT_EQ(CheckMigrations("sql", files, facts).status, Status::kOk);

  DbFacts behind = facts;
  behind.applied.pop_back();
  auto c = CheckMigrations("sql", files, behind);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("002_b.sql"), std::string::npos);
  EXPECT_EQ(c.fix, "edgechatctl migrate");

  DbFacts changed = facts;
  changed.applied[1].checksum = "zz";
  c = CheckMigrations("sql", files, changed);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("changed"), std::string::npos);

  DbFacts ahead = facts;
  ahead.applied.push_back({3, "cc"});
  c = CheckMigrations("sql", files, ahead);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("newer"), std::string::npos);

  DbFacts fresh;
  c = CheckMigrations("sql", files, fresh);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.fix, "edgechatctl migrate");

  c = CheckMigrations("sql", Error{ErrorKind::kNotFound, "not_found", "no dir"}, facts);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.fix.find("sql.dir"), std::string::npos);
  EXPECT_EQ(
      CheckMigrations("sql", files, Error{ErrorKind::kUnavailable, "db_unavailable", "x"}).status,
      Status::kSkip);
}

TEST(DoctorClocks, WithinAndBeyondTolerance) {
  EXPECT_EQ(CheckClocks(1000.0, 1000.4, 999.7, 2.0).status, Status::kOk);
  auto c = CheckClocks(1000.0, 1003.5, 1000.1, 2.0);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_NE(c.detail.find("MySQL +3.500 s"), std::string::npos);
  EXPECT_NE(c.fix.find("NTP"), std::string::npos);
  // MySQL and Redis each within tolerance of this host but 3 s apart from each other.
  EXPECT_EQ(CheckClocks(1000.0, 1001.5, 998.5, 2.0).status, Status::kFail);
  EXPECT_EQ(CheckClocks(1000.0, std::nullopt, 1000.1, 2.0).status, Status::kOk);
  EXPECT_EQ(CheckClocks(1000.0, std::nullopt, std::nullopt, 2.0).status, Status::kSkip);
}

TEST(DoctorSites, WarnsPerSiteWithoutOrigins) {
  DbFacts facts;
  facts.has_sites = true;
  facts.sites = {{"k1", "Shop", false, 2}, {"k2", "Blog", false, 0}};
  auto checks = CheckSiteOrigins(facts);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].name, "site_origins:k2");
  EXPECT_EQ(checks[0].status, Status::kWarn);
  EXPECT_NE(checks[0].fix.find("site update k2 --add-origin"), std::string::npos);
  facts.sites[1].origins = 1;
  checks = CheckSiteOrigins(facts);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].status, Status::kOk);
}

TEST(DoctorOpenFiles, Verdicts) {
  EXPECT_EQ(CheckOpenFiles(OpenFiles{65536, "p"}, 0).status, Status::kOk);
  auto c = CheckOpenFiles(OpenFiles{1024, "p"}, 0);
  EXPECT_EQ(c.status, Status::kWarn);
  EXPECT_NE(c.fix.find("LimitNOFILE"), std::string::npos);
  c = CheckOpenFiles(OpenFiles{20000, "p"}, 50000);
  EXPECT_EQ(c.status, Status::kWarn);
  EXPECT_NE(c.detail.find("below events.max_streams 50000"), std::string::npos);
  EXPECT_EQ(CheckOpenFiles(std::nullopt, 0).status, Status::kSkip);
}

// RunDoctor over probes that report a healthy installation, then one broken at a time.
struct FakeInstall {
  ProcessResult dump = Ran(kDump);
  std::optional<PathInfo> socket = PathInfo{true, 999, 33, 0660};
  Result<HttpAnswer> ready = HttpAnswer{200, "{\"status\":\"ready\"}"};
  RedisTime redis_time = std::optional<double>(1000.0);
  static DbFacts HealthyFacts() {
    DbFacts f;
    f.now = 1000.2;
    f.has_migrations = true;
    f.applied = {{1, "aa"}};
    f.has_sites = true;
    f.sites = {{"k1", "Shop", false, 1}};
    return f;
  }
  Result<DbFacts> db = HealthyFacts();
  std::vector<std::string> seen_argv;
  std::vector<std::string> redis_seen;
  std::string owner_asked;
  std::optional<long> open_files_pid;

  Probes probes() {
    Probes p;
    p.run = [this](const std::vector<std::string>& argv) {
      if (argv.back() == "-v") return Ran("", 0, "nginx version: nginx/1.22.1\n");
      seen_argv = argv;
      return dump;
    };
    p.stat = [this](const std::string& path) -> std::optional<PathInfo> {
      if (path.ends_with(".sock")) return socket;
      return PathInfo{false, 0, 0, 0755};  // the directories above it
    };
    p.user = [](const std::string& name) -> std::optional<UserInfo> {
      if (name == "www-data") return UserInfo{33, 33, {33}};
      return std::nullopt;
    };
    p.http = [this](const worker::ListenSpec&, const std::string&) { return ready; };
    p.redis = [this](const worker::RedisSettings& s) {
      redis_seen.push_back(s.Describe() + " user=" + s.credentials.user +
                           " password=" + s.credentials.password);
      return redis_time;
    };
    p.db = [this] { return db; };
    p.sql_files = [](const std::string&) -> Result<std::vector<SqlFile>> {
      return std::vector<SqlFile>{{1, "001_a.sql", "aa"}};
    };
    p.read_secret = [](const std::string&) -> Result<std::string> { return std::string("s3cret"); };
    p.open_files = [this](std::optional<long> pid) {
      open_files_pid = pid;
      return std::optional<OpenFiles>(OpenFiles{65536, "p"});
    };
    p.read_pid = [](const std::string&) { return std::optional<long>(42); };
    p.socket_owner = [this](const std::string& path) {
      owner_asked = path;
      return std::optional<long>(43);
    };
    p.now = [] { return 1000.0; };
    return p;
  }
};

worker::Settings InstallSettings() {
  worker::Settings s;
  s.listen = UnixListen();
  s.redis.socket = "/run/redis/redis.sock";
  return s;
}

const Check* Find(const std::vector<Check>& checks, const std::string& name) {
  for (const auto& c : checks)
    if (c.name == name) return &c;
  return nullptr;
}

TEST(DoctorRun, HealthyInstallIsHealthy) {
  FakeInstall install;
  Options o;
  o.module_built_for = "1.22.1";
  o.nginx_prefix = "/srv/nginx";
  auto checks = RunDoctor(InstallSettings(), o, install.probes());
  for (const auto& c : checks) EXPECT_EQ(c.status, Status::kOk) << c.name << ": " << c.detail;
  EXPECT_TRUE(Healthy(checks));
  EXPECT_EQ(install.seen_argv, (std::vector<std::string>{"/usr/sbin/nginx", "-p", "/srv/nginx",
                                                         "-c", "/etc/nginx/nginx.conf", "-T"}));
  // The edge's Redis is reached with the module's own credentials.
  ASSERT_EQ(install.redis_seen.size(), 2u);
  EXPECT_EQ(install.redis_seen[1], "unix:/run/redis/redis.sock user=edgechat password=s3cret");
  auto json = ReportJson(checks);
  EXPECT_EQ(json["healthy"], true);
  EXPECT_EQ(json["checks"][0]["name"], "nginx_module");
  EXPECT_EQ(json["checks"][0]["status"], "ok");
  EXPECT_NE(ReportText(checks).find("healthy"), std::string::npos);
}

TEST(DoctorRun, NoNginxSkipsTheNginxChecksAndFails) {
  FakeInstall install;
  install.dump = ProcessResult{};
  install.dump.error = "/usr/sbin/nginx: No such file or directory";
  auto checks = RunDoctor(InstallSettings(), Options{}, install.probes());
  EXPECT_FALSE(Healthy(checks));
  EXPECT_EQ(Find(checks, "nginx_module")->status, Status::kFail);
  EXPECT_EQ(Find(checks, "public_origin")->status, Status::kSkip);
  EXPECT_EQ(Find(checks, "redis_edge")->status, Status::kSkip);
  EXPECT_EQ(Find(checks, "mysql")->status, Status::kOk);  // the rest still ran
  auto text = ReportText(checks);
  EXPECT_NE(text.find("FAIL nginx_module"), std::string::npos);
  EXPECT_NE(text.find("NOT healthy"), std::string::npos);
}

TEST(DoctorRun, ModuleRefusingAServerWithoutPublicOriginFailsPublicOrigin) {
  FakeInstall install;
  install.dump =
      Ran("", 1,
          "nginx: [emerg] edgechat_api and edgechat_frame need \"edgechat_public_origin\" "
          "in the server or http block in /etc/nginx/sites-enabled/chat:9\n");
  auto checks = RunDoctor(InstallSettings(), Options{}, install.probes());
  EXPECT_EQ(Find(checks, "nginx_module")->status, Status::kOk);
  EXPECT_EQ(Find(checks, "public_origin")->status, Status::kFail);
  EXPECT_NE(Find(checks, "public_origin")->fix.find("edgechat_public_origin https://"),
            std::string::npos);
  EXPECT_EQ(Find(checks, "tls")->status, Status::kSkip);
  EXPECT_EQ(Find(checks, "worker_socket")->status, Status::kOk);  // nginx's user unknown
  EXPECT_FALSE(Healthy(checks));
}

TEST(DoctorRun, DatabaseDownFailsAndSkipsWhatNeedsIt) {
  FakeInstall install;
  install.db = Error{ErrorKind::kUnavailable, "db_unavailable", "database unix:/x unreachable"};
  auto checks = RunDoctor(InstallSettings(), Options{}, install.probes());
  EXPECT_EQ(Find(checks, "mysql")->status, Status::kFail);
  EXPECT_EQ(Find(checks, "migrations")->status, Status::kSkip);
  EXPECT_EQ(Find(checks, "site_origins")->status, Status::kSkip);
  EXPECT_EQ(Find(checks, "clocks")->status, Status::kOk);  // Redis alone still compared
  EXPECT_FALSE(Healthy(checks));
}

TEST(DoctorRun, SkewedDatabaseClockFails) {
  FakeInstall install;
  DbFacts skewed = FakeInstall::HealthyFacts();
  skewed.now = 1010.0;
  install.db = skewed;
  auto checks = RunDoctor(InstallSettings(), Options{}, install.probes());
  EXPECT_EQ(Find(checks, "clocks")->status, Status::kFail);
}

TEST(DoctorRun, RedisWithoutTimeComparesMysqlAlone) {
  FakeInstall install;
  install.redis_time = std::optional<double>();
  auto checks = RunDoctor(InstallSettings(), Options{}, install.probes());
  EXPECT_EQ(Find(checks, "redis")->status, Status::kOk);
  EXPECT_EQ(Find(checks, "clocks")->status, Status::kOk);
  EXPECT_EQ(Find(checks, "clocks")->detail.find("Redis"), std::string::npos);
  EXPECT_TRUE(Healthy(checks));
}

TEST(DoctorRun, OpenFilesOfThePidFileElseOfTheSocketsOwner) {
  FakeInstall install;
  Options o;
  RunDoctor(InstallSettings(), o, install.probes());
  EXPECT_EQ(install.owner_asked, "/run/edgechat/worker.sock");
  EXPECT_EQ(install.open_files_pid, 43);
  o.worker_pid_file = "/run/edgechat/worker.pid";
  FakeInstall with_file;
  RunDoctor(InstallSettings(), o, with_file.probes());
  EXPECT_EQ(with_file.owner_asked, "");
  EXPECT_EQ(with_file.open_files_pid, 42);
}

TEST(DoctorRun, WarningsKeepItHealthy) {
  FakeInstall install;
  DbFacts facts = FakeInstall::HealthyFacts();
  facts.sites.push_back({"k2", "Blog", false, 0});
  install.db = facts;
  auto checks = RunDoctor(InstallSettings(), Options{}, install.probes());
  EXPECT_EQ(Find(checks, "site_origins:k2")->status, Status::kWarn);
  EXPECT_TRUE(Healthy(checks));
}

}  // namespace
}  // namespace edgechat::ctl::doctor
