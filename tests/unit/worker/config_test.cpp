#include <gtest/gtest.h>

#include "config/config.hpp"
#include "temp_file.hpp"

namespace edgechat::worker {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Config, EnvNameUpperCasesAndReplacesDots) {
  EXPECT_EQ(EnvNameForKey("db.pool_size"), "EDGECHAT_DB_POOL_SIZE");
  EXPECT_EQ(EnvNameForKey("worker.listen"), "EDGECHAT_WORKER_LISTEN");
}

TEST(Config, ParsesKeyValueLinesWithCommentsAndBlanks) {
  auto parsed = ParseConfigText("# comment\n\n db.host = db.internal \ndb.port=3307\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->at("db.host"), "db.internal");
  EXPECT_EQ(parsed->at("db.port"), "3307");
}

TEST(Config, ValueMayContainEquals) {
  auto parsed = ParseConfigText("db.password = a=b=c\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->at("db.password"), "a=b=c");
}

TEST(Config, UnknownKeyAndMalformedLineNameTheLine) {
  auto unknown = ParseConfigText("db.host = x\ndb.hots = y\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("line 2"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("db.hots"), std::string::npos);
  auto malformed = ParseConfigText("just words\n");
  ASSERT_FALSE(malformed.ok());
  EXPECT_NE(malformed.error().message.find("line 1"), std::string::npos);
}

TEST(Config, DefaultsApplyWithoutFileOrEnv) {
  auto s = SettingsFrom({}, FakeEnv({}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->db.host, "127.0.0.1");
  EXPECT_EQ(s->db.port, 3306);
  EXPECT_EQ(s->db.pool_size, 8u);
  EXPECT_TRUE(s->listen.is_unix());
  EXPECT_EQ(s->threads, 0u) << "auto";
  EXPECT_EQ(s->log_level, "info");
  EXPECT_EQ(s->sql_dir, "/usr/share/edgechat/sql");
}

TEST(Config, WorkerThreadsIsAutoOrACount) {
  auto fixed = SettingsFrom({{"worker.threads", "3"}}, FakeEnv({}));
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->threads, 3u);
  auto automatic = SettingsFrom({}, FakeEnv({{"EDGECHAT_WORKER_THREADS", "auto"}}));
  ASSERT_TRUE(automatic.ok());
  EXPECT_EQ(automatic->threads, 0u);
  auto zero = SettingsFrom({{"worker.threads", "0"}}, FakeEnv({}));
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("worker.threads must be auto or"), std::string::npos);
  // auto: half the cores, at least one loop; a count is taken as it is.
  EXPECT_EQ(ConnectionLoopsFor(0, 1), 1u);
  EXPECT_EQ(ConnectionLoopsFor(0, 2), 1u);
  EXPECT_EQ(ConnectionLoopsFor(0, 8), 4u);
  EXPECT_EQ(ConnectionLoopsFor(0, 0), 1u) << "core count unknown";
  EXPECT_EQ(ConnectionLoopsFor(0, 512), 64u);
  EXPECT_EQ(ConnectionLoopsFor(3, 2), 3u);
}

TEST(Config, EventStreamLimitsHaveDefaultsAndBounds) {
  auto defaults = SettingsFrom({}, FakeEnv({}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->streams.max_per_guest, 8u);
  EXPECT_EQ(defaults->streams.max_total, 0u) << "auto";
  EXPECT_EQ(defaults->streams.resync_window_ms, 2000u);
  auto set = SettingsFrom({{"events.max_streams_per_guest", "3"}, {"events.max_streams", "40"}},
                          FakeEnv({{"EDGECHAT_EVENTS_RESYNC_WINDOW_MS", "0"}}));
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->streams.max_per_guest, 3u);
  EXPECT_EQ(set->streams.max_total, 40u);
  EXPECT_EQ(set->streams.resync_window_ms, 0u);
  for (auto [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"events.max_streams_per_guest", "0"},
                                                        {"events.max_streams", "0"},
                                                        {"events.max_streams", "many"},
                                                        {"events.resync_window_ms", "60001"}}) {
    auto bad = SettingsFrom({{key, value}}, FakeEnv({}));
    ASSERT_FALSE(bad.ok()) << key << " = " << value;
    EXPECT_NE(bad.error().message.find(key), std::string::npos) << bad.error().message;
  }
}

TEST(Config, StreamCapacityLeavesDescriptorsForEverythingElse) {
  // Auto: the descriptors less a reserve of an eighth, 64 to 2048 of them.
  EXPECT_EQ(StreamCapacityFor(0, 20000).limit, 20000u - 2048u);
  EXPECT_EQ(StreamCapacityFor(0, 4096).limit, 4096u - 512u);
  EXPECT_EQ(StreamCapacityFor(0, 256).limit, 256u - 64u);
  EXPECT_EQ(StreamCapacityFor(0, 1000000).limit, 1000000u - 2048u);
  EXPECT_EQ(StreamCapacityFor(0, 10).limit, 1u) << "a tiny limit still serves one stream";
  // A configured cap is used when the descriptors allow it, else clamped (and said so).
  auto fits = StreamCapacityFor(40, 20000);
  EXPECT_EQ(fits.limit, 40u);
  EXPECT_FALSE(fits.clamped);
  auto above = StreamCapacityFor(50000, 20000);
  EXPECT_EQ(above.limit, 20000u - 2048u);
  EXPECT_EQ(above.ceiling, 20000u - 2048u);
  EXPECT_TRUE(above.clamped);
}

TEST(Config, EnvironmentOverridesFile) {
  auto s = SettingsFrom({{"db.pool_size", "4"}, {"db.user", "file"}},
                        FakeEnv({{"EDGECHAT_DB_POOL_SIZE", "16"}}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->db.pool_size, 16u);
  EXPECT_EQ(s->db.user, "file");
}

TEST(Config, RejectsBadNumbersAndLevels) {
  EXPECT_FALSE(SettingsFrom({{"db.port", "70000"}}, FakeEnv({})).ok());
  EXPECT_FALSE(SettingsFrom({{"db.pool_size", "0"}}, FakeEnv({})).ok());
  EXPECT_FALSE(SettingsFrom({{"worker.threads", "two"}}, FakeEnv({})).ok());
  EXPECT_FALSE(SettingsFrom({}, FakeEnv({{"EDGECHAT_LOG_LEVEL", "loud"}})).ok());
}

TEST(Config, EventRetentionDaysDefaultsTo30AndTakesFileAndEnv) {
  auto defaults = SettingsFrom({}, FakeEnv({}));
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->event_retention_days, 30u);
  auto parsed = ParseConfigText("events.retention_days = 7\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto from_file = SettingsFrom(*parsed, FakeEnv({}));
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(from_file->event_retention_days, 7u);
  auto from_env = SettingsFrom(*parsed, FakeEnv({{"EDGECHAT_EVENTS_RETENTION_DAYS", "3650"}}));
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->event_retention_days, 3650u);
  auto one = SettingsFrom({{"events.retention_days", "1"}}, FakeEnv({}));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->event_retention_days, 1u);
}

TEST(Config, EventRetentionDaysRefusesZeroAndOutOfRange) {
  for (const char* bad : {"0", "3651", "-1", "30d", "", " "}) {
    auto s = SettingsFrom({{"events.retention_days", bad}}, FakeEnv({}));
    ASSERT_FALSE(s.ok()) << "accepted \"" << bad << "\"";
    EXPECT_EQ(s.error().code, "invalid_config");
    EXPECT_NE(s.error().message.find("events.retention_days"), std::string::npos);
    EXPECT_NE(s.error().message.find("1 to 3650"), std::string::npos);
  }
}

TEST(Config, AdminSessionAndLoginThrottleDefaults) {
  auto s = SettingsFrom({}, FakeEnv({}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->admin.session_idle_s, 1800u);
  EXPECT_EQ(s->admin.login_failures_per_user, 5u);
  EXPECT_EQ(s->admin.login_failures_per_ip, 20u);
  EXPECT_EQ(s->admin.login_window_s, 900u);
}

TEST(Config, AdminKeysFromFileAndEnvironment) {
  auto parsed = ParseConfigText(
      "admin.session_idle = 600\nadmin.login_failures_per_user = 3\n"
      "admin.login_failures_per_ip = 50\nadmin.login_window = 60\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto s = SettingsFrom(*parsed, FakeEnv({{"EDGECHAT_ADMIN_LOGIN_WINDOW", "120"}}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->admin.session_idle_s, 600u);
  EXPECT_EQ(s->admin.login_failures_per_user, 3u);
  EXPECT_EQ(s->admin.login_failures_per_ip, 50u);
  EXPECT_EQ(s->admin.login_window_s, 120u);
}

TEST(Config, AdminKeysRefuseBadValues) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"admin.session_idle", "0"},
      {"admin.session_idle", "59"},
      {"admin.session_idle", "2592001"},
      {"admin.session_idle", "30m"},
      {"admin.login_failures_per_user", "0"},
      {"admin.login_failures_per_user", "1001"},
      {"admin.login_failures_per_ip", "0"},
      {"admin.login_failures_per_ip", "-5"},
      {"admin.login_window", "0"},
      {"admin.login_window", "86401"},
  };
  for (const auto& [key, value] : bad) {
    auto s = SettingsFrom({{key, value}}, FakeEnv({}));
    ASSERT_FALSE(s.ok()) << key << " accepted \"" << value << "\"";
    EXPECT_EQ(s.error().code, "invalid_config");
    EXPECT_NE(s.error().message.find(key), std::string::npos) << s.error().message;
  }
}

TEST(Config, ListenAcceptsUnixAndHostPort) {
  auto unix_spec = ParseListen("unix:/run/edgechat/worker.sock");
  ASSERT_TRUE(unix_spec.ok());
  EXPECT_EQ(unix_spec->unix_path, "/run/edgechat/worker.sock");
  auto tcp = ParseListen("127.0.0.1:9000");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->host, "127.0.0.1");
  EXPECT_EQ(tcp->port, 9000);
  auto v6 = ParseListen("[::1]:9000");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_FALSE(ParseListen("9000").ok());
  EXPECT_FALSE(ParseListen("unix:").ok());
  EXPECT_FALSE(ParseListen("host:0").ok());
}

TEST(Config, SocketWinsInDescription) {
  DbSettings db;
  EXPECT_EQ(db.Describe(), "127.0.0.1:3306");
  db.socket = "/run/mysqld/mysqld.sock";
  EXPECT_EQ(db.Describe(), "unix:/run/mysqld/mysqld.sock");
}

TEST(Config, ConfigPathFlagThenEnvironment) {
  EXPECT_EQ(ConfigPathFrom(std::string("/a.conf"), FakeEnv({{"EDGECHAT_CONFIG", "/b.conf"}})),
            "/a.conf");
  EXPECT_EQ(ConfigPathFrom(std::nullopt, FakeEnv({{"EDGECHAT_CONFIG", "/b.conf"}})), "/b.conf");
}

TEST(Config, ConfigPathFallsBackToTheInstalledFileOnlyWhenItExists) {
  std::vector<std::string> probed;
  auto present = [&probed](const std::string& path) {
    probed.push_back(path);
    return true;
  };
  auto absent = [](const std::string&) { return false; };
  EXPECT_EQ(ConfigPathFrom(std::nullopt, FakeEnv({}), present), "/etc/edgechat/edgechat.conf");
  EXPECT_EQ(probed, std::vector<std::string>{"/etc/edgechat/edgechat.conf"});
  EXPECT_EQ(ConfigPathFrom(std::nullopt, FakeEnv({}), absent), "");
  // The flag and the environment win without a look at the disk; an empty $EDGECHAT_CONFIG
  // means "no file" even where the installed one exists.
  probed.clear();
  EXPECT_EQ(ConfigPathFrom(std::string("/a.conf"), FakeEnv({}), present), "/a.conf");
  EXPECT_EQ(ConfigPathFrom(std::nullopt, FakeEnv({{"EDGECHAT_CONFIG", "/b.conf"}}), present),
            "/b.conf");
  EXPECT_EQ(ConfigPathFrom(std::nullopt, FakeEnv({{"EDGECHAT_CONFIG", ""}}), present), "");
  EXPECT_TRUE(probed.empty());
}

TEST(Config, RealFileProbeSeesAFileAndNotAMissingOne) {
  testing::TempFile file("x = y\n");
  auto exists = RealFileProbe();
  EXPECT_TRUE(exists(file.path()));
  EXPECT_FALSE(exists(file.path() + ".missing"));
}

TEST(Config, RedisCredentialsComeFromUserAndPasswordFile) {
  auto none = SettingsFrom({}, FakeEnv({}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->redis.credentials.enabled());

  testing::TempFile secret("s3cret\n");
  auto plain = SettingsFrom({{"redis.password_file", secret.path()}}, FakeEnv({}));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->redis.credentials.password, "s3cret");
  EXPECT_EQ(plain->redis.credentials.user, "");

  auto acl = SettingsFrom({}, FakeEnv({{"EDGECHAT_REDIS_USER", "edgechat"},
                                       {"EDGECHAT_REDIS_PASSWORD_FILE", secret.path()}}));
  ASSERT_TRUE(acl.ok()) << acl.error().message;
  EXPECT_EQ(acl->redis.credentials.user, "edgechat");
  EXPECT_EQ(acl->redis.credentials.password, "s3cret");
}

TEST(Config, RedisCredentialProblemsNameTheKey) {
  testing::TempFile empty("");
  auto refused = SettingsFrom({{"redis.password_file", empty.path()}}, FakeEnv({}));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("redis.password_file"), std::string::npos);
  EXPECT_NE(refused.error().message.find("empty"), std::string::npos);

  auto missing = SettingsFrom({{"redis.password_file", empty.dir() + "/none"}}, FakeEnv({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("redis.password_file"), std::string::npos);
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);

  auto lonely_user = SettingsFrom({{"redis.user", "edgechat"}}, FakeEnv({}));
  ASSERT_FALSE(lonely_user.ok());
  EXPECT_NE(lonely_user.error().message.find("redis.password_file"), std::string::npos);

  testing::TempFile secret("s3cret");
  auto bad_user = SettingsFrom(
      {{"redis.user", "two words"}, {"redis.password_file", secret.path()}}, FakeEnv({}));
  ASSERT_FALSE(bad_user.ok());
  EXPECT_NE(bad_user.error().message.find("redis.user"), std::string::npos);
}

TEST(Config, RedisTlsIsRefusedClearly) {
  auto on = SettingsFrom({{"redis.tls", "on"}}, FakeEnv({}));
  ASSERT_FALSE(on.ok());
  EXPECT_NE(on.error().message.find("redis.tls"), std::string::npos);
  EXPECT_NE(on.error().message.find(shared::kRedisTlsUnsupported), std::string::npos);
  auto url = SettingsFrom({{"redis.host", "rediss://redis.internal:6380"}}, FakeEnv({}));
  ASSERT_FALSE(url.ok());
  EXPECT_NE(url.error().message.find("redis.host"), std::string::npos);
  EXPECT_NE(url.error().message.find("not supported by this build"), std::string::npos);
  EXPECT_FALSE(SettingsFrom({{"redis.tls", "maybe"}}, FakeEnv({})).ok());
  EXPECT_TRUE(SettingsFrom({{"redis.tls", "off"}}, FakeEnv({})).ok());
}

TEST(Config, MissingFileIsAnError) {
  auto s = LoadSettings("/nonexistent/edgechat.conf", FakeEnv({}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "config_unreadable");
}

}  // namespace
}  // namespace edgechat::worker
