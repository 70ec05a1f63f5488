// The admin API over fakes of its repositories: login and its throttle (on a fake clock), the
// CSRF rule, changing one's own password, and the validation of new sites. No database.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "admin/admin_api.hpp"
#include "common/password.hpp"
#include "recording_typing.hpp"

namespace edgechat::worker {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

Error Unused() {
  return Error{ErrorKind::kInternal, "unused", "not used by this test"};
}

class FakeSites : public SiteRepo {
 public:
  struct Created {
    NewSite site;
    SitePatch settings;
    std::string actor;
  };
  std::vector<Created> created;

  Result<std::vector<Site>> List() override { return std::vector<Site>{}; }
  Result<Site> Find(const std::string&) override { return Unused(); }
  Result<Site> Create(const NewSite& site, const SitePatch& settings, const Actor& actor) override {
    created.push_back(Created{site, settings, actor.name});
    Site s;
    s.id = created.size();
    s.key = site.key;
    s.name = site.name;
    s.title = site.title;
    s.primary_color = site.primary_color;
    s.main = site.is_main;
    s.origins = site.origins;
    s.locked = settings.locked.value_or(false);
    return s;
  }
  Result<Site> Update(const std::string&, const SitePatch&, const Actor&) override {
    return Unused();
  }
  Result<Site> Change(const std::string&, const SiteChange&, const Actor&) override {
    return Unused();
  }
  Status Remove(const std::string&, const Actor&) override { return Unused(); }
  Result<Site> AddOrigin(const std::string&, const std::string&, const Actor&) override {
    return Unused();
  }
  Result<Site> RemoveOrigin(const std::string&, const std::string&, const Actor&) override {
    return Unused();
  }
  Result<Site> RegenerateKey(const std::string&, const std::string&, const Actor&) override {
    return Unused();
  }
};

class FakeSecretKeys : public SecretKeyRepo {
 public:
  Result<SecretKeyInfo> Create(const std::string&, const std::string&, const std::string&,
                               const Actor&) override {
    return Unused();
  }
  Result<std::vector<SecretKeyInfo>> List(const std::string&) override { return Unused(); }
  Result<SecretKeyInfo> Revoke(const std::string&, std::uint64_t, const Actor&) override {
    return Unused();
  }
};

// Names compare as the admins table's collation does for these tests: case and trailing spaces
// do not matter.
std::string NameKey(std::string name) {
  while (!name.empty() && name.back() == ' ') name.pop_back();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

class FakeAdmins : public AdminRepo {
 public:
  struct PasswordSet {
    std::uint64_t admin_id;
    std::string actor;
    std::optional<std::string> keep_session_hash;
  };
  std::vector<AdminCredentials> admins;
  std::vector<PasswordSet> passwords_set;

  void Add(std::uint64_t id, const std::string& name, const std::string& password) {
    admins.push_back(AdminCredentials{AdminInfo{id, name, name, "2026-01-01T00:00:00Z", false},
                                      HashAdminPassword(password).value()});
  }
  std::optional<AdminCredentials> Named(const std::string& username) const {
    for (const auto& a : admins) {
      if (NameKey(a.info.username) == NameKey(username)) return a;
    }
    return std::nullopt;
  }

  Result<std::vector<AdminInfo>> List() override { return Unused(); }
  Result<std::optional<AdminCredentials>> FindCredentials(const std::string& username) override {
    return Named(username);
  }
  Result<LoginCandidate> FindLoginCandidate(const std::string& username) override {
    return LoginCandidate{Named(username), NameKey(username)};
  }
  Result<AdminInfo> Create(const std::string&, const std::string&, const std::string&,
                           const Actor&) override {
    return Unused();
  }
  Status Remove(std::uint64_t, const Actor&) override { return Unused(); }
  Status SetPassword(std::uint64_t admin_id, const std::string& password_hash, const Actor& actor,
                     const std::optional<std::string>& keep_session_hash) override {
    for (auto& a : admins) {
      if (a.info.id == admin_id) a.password_hash = password_hash;
    }
    passwords_set.push_back(PasswordSet{admin_id, actor.name, keep_session_hash});
    return Ok{};
  }
};

class FakeSessions : public SessionRepo {
 public:
  std::map<std::string, SessionInfo> sessions;  // by token hash

  Status Create(const std::string& token_hash, std::uint64_t admin_id,
                const std::string& csrf_token) override {
    sessions[token_hash] = SessionInfo{admin_id, "", "", csrf_token};
    return Ok{};
  }
  std::vector<std::chrono::milliseconds> uses_ago;  // one per Touch, in order

  Result<std::optional<SessionInfo>> Touch(const std::string& token_hash, unsigned,
                                           std::chrono::milliseconds used_ago) override {
    uses_ago.push_back(used_ago);
    auto it = sessions.find(token_hash);
    if (it == sessions.end()) return std::optional<SessionInfo>();
    return std::optional<SessionInfo>(it->second);
  }
  Status Delete(const std::string& token_hash) override {
    sessions.erase(token_hash);
    return Ok{};
  }
  Result<bool> Alive(const std::string& token_hash, unsigned) override {
    return sessions.contains(token_hash);
  }
};

class FakeAudit : public AuditRepo {
 public:
  Result<std::vector<AuditEntry>> List(unsigned, std::uint64_t) override {
    return std::vector<AuditEntry>{};
  }
};

class FakeConversations : public ConversationRepo {
 public:
  Result<std::vector<ConversationSummary>> List(const ConversationFilter&) override {
    return Unused();
  }
  Result<ConversationDetail> Show(std::uint64_t) override { return Unused(); }
  Result<AgentReply> Reply(std::uint64_t, const std::optional<std::string>&, const std::string&,
                           const std::optional<std::string>&) override {
    return Unused();
  }
  Result<std::optional<EventNotice>> SetStatus(std::uint64_t, const std::string&) override {
    return Unused();
  }
  Result<std::map<std::uint64_t, std::uint64_t>> UnreadCounts(
      const std::vector<std::uint64_t>&) override {
    return Unused();
  }
  Result<std::optional<EventNotice>> MarkRead(std::uint64_t, std::uint64_t, bool) override {
    return Unused();
  }
  Result<std::optional<std::uint64_t>> GuestOf(std::uint64_t id) override {
    if (id == 404) return std::optional<std::uint64_t>{};
    return std::optional<std::uint64_t>{id + 1000};
  }
};

// Repeatable "random" bytes: a running counter.
RandomFill CountingRandom() {
  return [n = std::make_shared<unsigned char>(0)](unsigned char* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out[i] = (*n)++;
  };
}

// A session cookie token as the API hands them out (43 base64url characters).
const std::string kAliceToken(43, 'a');
const std::string kAliceCsrf = "csrf-of-alice";

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest() {
    admins.Add(1, "alice", "alice-password");
    admins.Add(2, "bob", "bob-password");
    sessions.sessions[Sha256Hex(kAliceToken)] = SessionInfo{1, "alice", "alice", kAliceCsrf};
  }

  AdminApi MakeApi(AdminApiOptions options = {}) {
    return AdminApi(
        AdminRepos{sites, secret_keys, admins, sessions, audit, conversations}, CountingRandom(),
        publisher, [](AdminStreamRequest) { return nullptr; }, options, [this] { return now; });
  }

  static HttpRequest Request(std::string method, std::string path, std::string body = "") {
    HttpRequest r;
    r.method = std::move(method);
    r.target = "/api/v1/admin/" + path;
    r.body = std::move(body);
    return r;
  }
  // A request of alice's session, with her CSRF token unless `csrf` says otherwise.
  static HttpRequest AsAlice(std::string method, std::string path, std::string body = "",
                             std::optional<std::string> csrf = kAliceCsrf) {
    HttpRequest r = Request(std::move(method), std::move(path), std::move(body));
    r.headers["cookie"] = std::string(kAdminCookie) + "=" + kAliceToken;
    if (csrf) r.headers["x-csrf-token"] = *csrf;
    return r;
  }
  static HttpRequest Login(const std::string& username, const std::string& password) {
    HttpRequest r =
        Request("POST", "login", json{{"username", username}, {"password", password}}.dump());
    r.headers["x-forwarded-for"] = "192.0.2.7";
    return r;
  }
  static std::optional<std::string> HeaderOf(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return std::nullopt;
  }
  static std::string ErrorCode(const HttpResponse& r) {
    return json::parse(r.body).value("error", std::string());
  }

  std::chrono::steady_clock::time_point now{std::chrono::steady_clock::time_point() + 1000h};
  FakeSites sites;
  FakeSecretKeys secret_keys;
  FakeAdmins admins;
  FakeSessions sessions;
  FakeAudit audit;
  FakeConversations conversations;
  NullEventPublisher publisher;
};

TEST_F(AdminApiTest, LoginSucceedsWithTheRightPasswordAndStoresOnlyTheTokenHash) {
  AdminApi api = MakeApi();
  auto r = api.Handle(Login("Alice", "alice-password"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto cookie = HeaderOf(*r, "Set-Cookie");
  ASSERT_TRUE(cookie);
  std::string prefix = std::string(kAdminCookie) + "=";
  ASSERT_TRUE(cookie->starts_with(prefix)) << *cookie;
  std::string token = cookie->substr(prefix.size(), cookie->find(';') - prefix.size());
  EXPECT_EQ(token.size(), 43u);
  EXPECT_NE(cookie->find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie->find("SameSite=Strict"), std::string::npos);
  ASSERT_TRUE(sessions.sessions.contains(Sha256Hex(token)));
  EXPECT_FALSE(sessions.sessions.contains(token)) << "the token itself is never stored";
  json body = json::parse(r->body);
  EXPECT_EQ(body["admin"]["id"], 1);
  EXPECT_EQ(body["admin"]["username"], "alice");
  EXPECT_EQ(body["csrfToken"], sessions.sessions[Sha256Hex(token)].csrf_token);
}

TEST_F(AdminApiTest, LoginFailsAlikeForAWrongPasswordAndAnUnknownName) {
  AdminApi api = MakeApi();
  std::size_t before = sessions.sessions.size();
  auto wrong = api.Handle(Login("alice", "not-her-password"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(ErrorCode(*wrong), "bad_credentials");
  auto unknown = api.Handle(Login("nobody", "alice-password"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(ErrorCode(*unknown), "bad_credentials");
  EXPECT_EQ(unknown->body, wrong->body);
  EXPECT_EQ(sessions.sessions.size(), before) << "no session for a failed login";
}

TEST_F(AdminApiTest, FailedLoginsAreThrottledPerAdminWhateverTheSpellingUntilTheWindowEnds) {
  AdminApiOptions options;
  options.max_failures_per_user = 2;
  options.failure_window = 900s;
  AdminApi api = MakeApi(options);
  EXPECT_EQ(api.Handle(Login("alice", "wrong-1"))->status, 401);
  EXPECT_EQ(api.Handle(Login("ALICE ", "wrong-2"))->status, 401);
  // A third attempt by another spelling of the same admin is refused before any check, even
  // with the right password.
  auto refused = api.Handle(Login("Alice", "alice-password"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(ErrorCode(*refused), "too_many_attempts");
  EXPECT_EQ(HeaderOf(*refused, "Retry-After"), "900");
  now += 600s;
  EXPECT_EQ(HeaderOf(*api.Handle(Login("alice", "alice-password")), "Retry-After"), "300");
  EXPECT_EQ(api.Handle(Login("bob", "wrong"))->status, 401) << "another admin is not throttled";
  now += 300s;  // the window is over: no sleeping, the clock moved
  auto ok = api.Handle(Login("alice", "alice-password"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  // Success cleared the admin's count: two more failures are allowed again.
  EXPECT_EQ(api.Handle(Login("alice", "wrong-3"))->status, 401);
  EXPECT_EQ(api.Handle(Login("alice", "wrong-4"))->status, 401);
  EXPECT_EQ(api.Handle(Login("alice", "wrong-5"))->status, 429);
}

TEST_F(AdminApiTest, StateChangingCallsNeedTheSessionsCsrfToken) {
  AdminApi api = MakeApi();
  std::string body = json{{"name", "Shop"}}.dump();
  auto missing = api.Handle(AsAlice("POST", "sites", body, std::nullopt));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  EXPECT_EQ(ErrorCode(*missing), "csrf");
  auto wrong = api.Handle(AsAlice("POST", "sites", body, "csrf-of-someone-else"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  EXPECT_EQ(api.Handle(AsAlice("DELETE", "sites/ek_abc", "", std::nullopt))->status, 403);
  EXPECT_TRUE(sites.created.empty()) << "nothing was written without the token";
  EXPECT_EQ(api.Handle(AsAlice("GET", "sites", "", std::nullopt))->status, 200)
      << "reads need no token";
  auto ok = api.Handle(AsAlice("POST", "sites", body));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
  EXPECT_EQ(sites.created.size(), 1u);
  EXPECT_EQ(api.Handle(Request("POST", "sites", body))->status, 401) << "no session at all";
}

TEST_F(AdminApiTest, APresenceBeatRecordsTheLastInputItReportsAsTheSessionsLastUse) {
  AdminApi api = MakeApi();
  api.Handle(AsAlice("GET", "sites"));
  api.Handle(AsAlice("POST", "presence", json{{"state", "online"}, {"idleMs", 600000}}.dump()));
  api.Handle(AsAlice("POST", "presence", json{{"state", "online"}}.dump()));
  api.Handle(AsAlice("POST", "presence", json{{"state", "online"}, {"idleMs", -5}}.dump()));
  api.Handle(AsAlice("POST", "presence", "not json"));
  api.Handle(AsAlice("GET", "presence", json{{"idleMs", 600000}}.dump()));
  api.Handle(AsAlice("POST", "sites", json{{"name", "Shop"}, {"idleMs", 600000}}.dump()));
  using std::chrono::milliseconds;
  EXPECT_EQ(sessions.uses_ago,
            (std::vector<milliseconds>{milliseconds(0), milliseconds(600000), milliseconds(0),
                                       milliseconds(0), milliseconds(0), milliseconds(0),
                                       milliseconds(0)}))
      << "only a well-formed beat says the admin's last input was earlier than now";
}

TEST_F(AdminApiTest, AnAgentsTypingGoesToTheConversationsGuestNamingNobodyAndIsNotStored) {
  RecordingTyping typing;
  AdminApi api(
      AdminRepos{sites, secret_keys, admins, sessions, audit, conversations}, CountingRandom(),
      publisher, [](AdminStreamRequest) { return nullptr; }, {}, [this] { return now; }, &typing);
  EXPECT_EQ(api.Handle(AsAlice("POST", "conversations/7/typing", "", std::nullopt))->status, 403)
      << "CSRF like every other change";
  EXPECT_TRUE(typing.sent.empty());
  auto ok = api.Handle(AsAlice("POST", "conversations/7/typing"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 204) << ok->body;
  ASSERT_EQ(typing.sent.size(), 1u);
  EXPECT_EQ(typing.sent[0].conversation_id, 7u);
  EXPECT_EQ(typing.sent[0].guest_id, 1007u);
  EXPECT_EQ(typing.sent[0].from, TypingNotice::From::kAgent);
  EXPECT_EQ(api.Handle(AsAlice("POST", "conversations/404/typing"))->status, 404);
  EXPECT_EQ(api.Handle(AsAlice("GET", "conversations/7/typing"))->status, 404);
  EXPECT_EQ(typing.sent.size(), 1u);
}

TEST_F(AdminApiTest, ChangingOnesOwnPasswordNeedsTheCurrentOneWhateverTheSpelling) {
  AdminApi api = MakeApi();
  std::string bare = json{{"password", "a-new-password"}}.dump();
  for (std::string name : {"alice", "ALICE", "Alice%20"}) {
    auto r = api.Handle(AsAlice("PUT", "admins/" + name + "/password", bare));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << name;
    EXPECT_EQ(ErrorCode(*r), "bad_credentials") << name;
  }
  auto wrong = api.Handle(AsAlice(
      "PUT", "admins/Alice/password",
      json{{"password", "a-new-password"}, {"currentPassword", "not-her-password"}}.dump()));
  EXPECT_EQ(wrong->status, 403);
  EXPECT_TRUE(admins.passwords_set.empty());

  auto ok = api.Handle(
      AsAlice("PUT", "admins/ALICE/password",
              json{{"password", "a-new-password"}, {"currentPassword", "alice-password"}}.dump()));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  ASSERT_EQ(admins.passwords_set.size(), 1u);
  EXPECT_EQ(admins.passwords_set[0].admin_id, 1u);
  EXPECT_EQ(admins.passwords_set[0].keep_session_hash, Sha256Hex(kAliceToken))
      << "the session that changed it stays";
  EXPECT_TRUE(VerifyAdminPassword(admins.Named("alice")->password_hash, "a-new-password"));

  // Another admin's password: no current password asked.
  auto other = api.Handle(AsAlice("PUT", "admins/bob/password", bare));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200) << other->body;
  EXPECT_EQ(admins.passwords_set.back().admin_id, 2u);
}

TEST_F(AdminApiTest, NewSitesAreValidatedBeforeAnythingIsWritten) {
  AdminApi api = MakeApi();
  struct Case {
    json body;
    const char* why;
  };
  std::vector<Case> bad = {
      {json::object(), "no name"},
      {json{{"name", "   "}}, "a blank name"},
      {json{{"name", 7}}, "a name that is not text"},
      {json{{"name", "Shop"}, {"primaryColor", "blue"}}, "a colour that is not #rrggbb"},
      {json{{"name", "Shop"}, {"origins", "https://shop.example"}}, "origins not an array"},
      {json{{"name", "Shop"}, {"origins", {"ftp://shop.example"}}},
       "an origin that is not http(s)"},
      {json{{"name", "Shop"}, {"locked", "yes"}}, "locked not a boolean"},
      {json{{"name", "Shop"}, {"locale", "fa IR"}}, "a locale that is no language tag"},
      {json{{"name", "Shop"}, {"limits", {{"messages", 0}}}}, "a limit below 1"},
      {json{{"name", "Shop"}, {"limits", {{"windowSeconds", 86401}}}}, "a window above a day"},
  };
  for (const auto& c : bad) {
    auto r = api.Handle(AsAlice("POST", "sites", c.body.dump()));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << c.why << ": " << r->body;
    EXPECT_EQ(ErrorCode(*r), "invalid_input") << c.why;
  }
  auto not_json = api.Handle(AsAlice("POST", "sites", "{not json"));
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(ErrorCode(*not_json), "invalid_json");
  EXPECT_TRUE(sites.created.empty());

  auto ok = api.Handle(AsAlice("POST", "sites",
                               json{{"name", "Shop"},
                                    {"primaryColor", "#AABBCC"},
                                    {"origins", {"https://Shop.example", "https://shop.example/"}},
                                    {"locked", true},
                                    {"limits", {{"messages", 5}}}}
                                   .dump()));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
  ASSERT_EQ(sites.created.size(), 1u);
  const auto& created = sites.created[0];
  EXPECT_EQ(created.actor, "alice");
  EXPECT_EQ(created.site.name, "Shop");
  EXPECT_EQ(created.site.primary_color, "#aabbcc");
  EXPECT_EQ(created.site.origins, std::vector<std::string>{"https://shop.example"})
      << "normalized and without duplicates";
  EXPECT_TRUE(created.site.key.starts_with("ek_"));
  // The lock and the limits are applied in the creating transaction, not after it.
  EXPECT_EQ(created.settings.locked, true);
  EXPECT_EQ(created.settings.limit_messages, 5u);
  EXPECT_FALSE(created.settings.name) << "the name went into the insert";
}

}  // namespace
}  // namespace edgechat::worker
