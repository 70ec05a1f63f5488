// The services (worker/service/) over fakes of their repositories: one set of rules for the
// panel and the CLI (trimming, code points, bounds, locale, origins), one transaction for a site
// update, the "this is me" rules, and each change announced once and never on failure.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/password.hpp"
#include "service/admin_service.hpp"
#include "service/conversation_service.hpp"
#include "service/site_service.hpp"

namespace edgechat::worker {
namespace {

Error Unused() {
  return Error{ErrorKind::kInternal, "unused", "not used by this test"};
}

class FakeSites : public SiteRepo {
 public:
  std::vector<std::pair<NewSite, SitePatch>> created;
  std::vector<SitePatch> updated;
  std::vector<SiteChange> changed;
  std::vector<std::string> origins_added;
  std::optional<Error> fail;  // every write fails with it when set

  Site Make(const std::string& key) {
    Site s;
    s.id = 1;
    s.key = key;
    s.name = "Shop";
    return s;
  }
  Result<std::vector<Site>> List() override { return std::vector<Site>{}; }
  Result<Site> Find(const std::string& key) override { return Make(key); }
  Result<Site> Create(const NewSite& site, const SitePatch& settings, const Actor&) override {
    if (fail) return *fail;
    created.emplace_back(site, settings);
    Site s = Make(site.key);
    s.name = site.name;
    s.origins = site.origins;
    return s;
  }
  Result<Site> Update(const std::string& key, const SitePatch& patch, const Actor&) override {
    if (fail) return *fail;
    updated.push_back(patch);
    return Make(key);
  }
  Result<Site> Change(const std::string& key, const SiteChange& change, const Actor&) override {
    if (fail) return *fail;
    changed.push_back(change);
    return Make(key);
  }
  Status Remove(const std::string&, const Actor&) override {
    if (fail) return *fail;
    return Ok{};
  }
  Result<Site> AddOrigin(const std::string& key, const std::string& origin, const Actor&) override {
    if (fail) return *fail;
    origins_added.push_back(origin);
    return Make(key);
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
  std::vector<SecretKeyInfo> keys;
  std::vector<std::string> labels;
  std::vector<std::uint64_t> revoked;

  Result<SecretKeyInfo> Create(const std::string& site_key, const std::string& secret,
                               const std::string& label, const Actor&) override {
    labels.push_back(label);
    return SecretKeyInfo{9, site_key, secret.substr(0, 10), label, "now", {}, {}};
  }
  Result<std::vector<SecretKeyInfo>> List(const std::string&) override { return keys; }
  Result<SecretKeyInfo> Revoke(const std::string&, std::uint64_t id, const Actor&) override {
    revoked.push_back(id);
    return SecretKeyInfo{id, "", "", "", "", {}, std::string("now")};
  }
};

RandomFill CountingRandom() {
  return [n = std::make_shared<unsigned char>(0)](unsigned char* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out[i] = (*n)++;
  };
}

class SiteServiceTest : public ::testing::Test {
 protected:
  SiteService Make() {
    return SiteService(sites, keys, CountingRandom(), [this] { ++published; });
  }
  FakeSites sites;
  FakeSecretKeys keys;
  int published = 0;
  Actor actor{"cli:test"};
};

TEST_F(SiteServiceTest, ANewSiteNeedsANameWhichIsTrimmedAndCountedInCodePoints) {
  auto service = Make();
  SiteChanges none;
  auto missing = service.Create(none, actor);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "invalid_text");
  SiteChanges blank;
  blank.name = " \t ";
  EXPECT_FALSE(service.Create(blank, actor));
  SiteChanges too_long;
  std::string persian;
  for (int i = 0; i < 201; ++i) persian += "ش";  // 2 bytes each
  too_long.name = persian;
  EXPECT_FALSE(service.Create(too_long, actor)) << "201 code points";
  EXPECT_TRUE(sites.created.empty());
  EXPECT_EQ(published, 0) << "nothing announced for a refused change";

  SiteChanges ok;
  ok.name = "  " + persian.substr(2) + "  ";  // 200 code points, 400 bytes, padded
  auto created = service.Create(ok, actor);
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_EQ(sites.created.size(), 1u);
  EXPECT_EQ(sites.created[0].first.name, persian.substr(2));
  EXPECT_TRUE(sites.created[0].first.origins.empty()) << "a site without origins is valid";
  EXPECT_TRUE(sites.created[0].first.key.starts_with("ek_"));
  EXPECT_EQ(published, 1);
}

TEST_F(SiteServiceTest, OriginsAreNormalizedAndDeduplicatedAndABadOneRefusesTheChange) {
  auto service = Make();
  SiteChanges c;
  c.name = "Shop";
  c.add_origins = {"https://Shop.Example:443", "https://shop.example", "*.shop.example"};
  ASSERT_TRUE(service.Create(c, actor));
  EXPECT_EQ(sites.created.at(0).first.origins,
            (std::vector<std::string>{"https://shop.example", "https://*.shop.example"}));
  SiteChanges bad;
  bad.name = "Bad";
  bad.add_origins = {"https://ok.example", "https://evil.example/path"};
  auto refused = service.Create(bad, actor);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "invalid_origin");
  EXPECT_NE(refused.error().message.find("evil.example/path"), std::string::npos);
  auto null_origin = service.AddOrigin("ek_x", "null", actor);
  ASSERT_FALSE(null_origin);
  EXPECT_EQ(null_origin.error().code, "invalid_origin");
  EXPECT_EQ(sites.created.size(), 1u);
  EXPECT_TRUE(sites.origins_added.empty());
  EXPECT_EQ(published, 1);
  ASSERT_TRUE(service.AddOrigin("ek_x", "HTTPS://A.example", actor));
  EXPECT_EQ(sites.origins_added, std::vector<std::string>{"https://a.example"});
  EXPECT_EQ(published, 2);
}

TEST_F(SiteServiceTest, EachNumberHasOneRange) {
  auto service = Make();
  struct Case {
    std::optional<std::int64_t> SiteChanges::*field;
    std::int64_t good_low, good_high, bad_low, bad_high;
  };
  std::vector<Case> cases = {
      {&SiteChanges::limit_messages, 1, 100000, 0, 100001},
      {&SiteChanges::limit_window_seconds, 1, 86400, 0, 86401},
      {&SiteChanges::limit_burst, 0, 100000, -1, 100001},
  };
  for (const auto& c : cases) {
    for (auto value : {c.good_low, c.good_high}) {
      SiteChanges changes;
      changes.*c.field = value;
      EXPECT_TRUE(service.Update("ek_x", changes, actor)) << value;
    }
    for (auto value : {c.bad_low, c.bad_high}) {
      SiteChanges changes;
      changes.*c.field = value;
      auto r = service.Update("ek_x", changes, actor);
      ASSERT_FALSE(r) << value;
      EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
      EXPECT_EQ(r.error().code, "invalid_number");
    }
  }
  EXPECT_EQ(sites.updated.size(), 6u);
  EXPECT_EQ(published, 6);
}

TEST_F(SiteServiceTest, TextFieldsAreTrimmedAndBoundedAndTheLocaleHasOneGrammar) {
  auto service = Make();
  SiteChanges c;
  c.title = "  پشتیبانی  ";
  c.locked_message = "";
  c.limit_message = std::string(500, 'x');
  c.locale = "fa";
  c.primary_color = "#AABBCC";
  ASSERT_TRUE(service.Update("ek_x", c, actor));
  const SitePatch& p = sites.updated.at(0);
  EXPECT_EQ(p.title, "پشتیبانی");
  EXPECT_EQ(p.locked_message, "");
  EXPECT_EQ(p.locale, "fa");
  EXPECT_EQ(p.primary_color, "#aabbcc");
  SiteChanges clear;
  clear.locale = "";
  ASSERT_TRUE(service.Update("ek_x", clear, actor));
  EXPECT_EQ(sites.updated.at(1).locale, "") << "an empty locale clears it";
  for (const std::string& bad : std::vector<std::string>{"fa IR", "fa_IR", std::string(17, 'a')}) {
    SiteChanges changes;
    changes.locale = bad;
    EXPECT_FALSE(service.Update("ek_x", changes, actor)) << bad;
  }
  SiteChanges blank_title;
  blank_title.title = "  ";
  EXPECT_FALSE(service.Update("ek_x", blank_title, actor));
  SiteChanges long_message;
  long_message.limit_message = std::string(501, 'x');
  EXPECT_FALSE(service.Update("ek_x", long_message, actor));
  SiteChanges color;
  color.primary_color = "blue";
  EXPECT_FALSE(service.Update("ek_x", color, actor));
  EXPECT_EQ(sites.updated.size(), 2u);
}

TEST_F(SiteServiceTest, AnUpdateWithOriginsIsOneTransactionAnnouncedOnce) {
  auto service = Make();
  SiteChanges c;
  c.locked = true;
  c.remove_origins = {"https://Old.example"};
  c.add_origins = {"https://new.example", "https://NEW.example:443"};
  ASSERT_TRUE(service.Update("ek_x", c, actor));
  ASSERT_EQ(sites.changed.size(), 1u);
  EXPECT_TRUE(sites.updated.empty());
  EXPECT_TRUE(sites.origins_added.empty()) << "no separate origin transactions";
  const SiteChange& change = sites.changed[0];
  EXPECT_EQ(change.patch.locked, true);
  EXPECT_EQ(change.remove_origins, std::vector<std::string>{"https://old.example"});
  EXPECT_EQ(change.add_origins, std::vector<std::string>{"https://new.example"});
  EXPECT_EQ(published, 1);

  sites.fail =
      Error{ErrorKind::kConflict, "conflict", "https://new.example is already allowed for Shop"};
  auto conflict = service.Update("ek_x", c, actor);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, "conflict");
  EXPECT_EQ(published, 1) << "not announced when the transaction failed";
}

TEST_F(SiteServiceTest, SecretKeysHaveBoundedLabelsAndAreRevokedByIdOrPrefix) {
  auto service = Make();
  auto added = service.AddSecretKey("ek_x", "  deploy  ", actor);
  ASSERT_TRUE(added);
  EXPECT_TRUE(added->secret.starts_with("esk_"));
  EXPECT_EQ(keys.labels, std::vector<std::string>{"deploy"});
  EXPECT_FALSE(service.AddSecretKey("ek_x", std::string(201, 'x'), actor));
  EXPECT_EQ(published, 1);
  keys.keys = {SecretKeyInfo{3, "ek_x", "esk_aaaaaa", "", "", {}, {}},
               SecretKeyInfo{4, "ek_x", "esk_bbbbbb", "", "", {}, {}}};
  ASSERT_TRUE(service.RevokeSecretKeyMatching("ek_x", "esk_bbbbbb", actor));
  ASSERT_TRUE(service.RevokeSecretKeyMatching("ek_x", "3", actor));
  EXPECT_EQ(keys.revoked, (std::vector<std::uint64_t>{4, 3}));
  auto none = service.RevokeSecretKeyMatching("ek_x", "esk_cccccc", actor);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, "not_found");
  EXPECT_EQ(published, 3);
}

class FakeAdmins : public AdminRepo {
 public:
  std::vector<AdminCredentials> admins;
  std::vector<std::uint64_t> removed;
  std::vector<std::uint64_t> passwords_set;
  std::vector<std::pair<std::string, std::string>> created;  // username, display name

  Result<std::vector<AdminInfo>> List() override { return Unused(); }
  Result<std::optional<AdminCredentials>> FindCredentials(const std::string& username) override {
    for (const auto& a : admins) {
      if (a.info.username == username) return std::optional<AdminCredentials>(a);
    }
    return std::optional<AdminCredentials>();
  }
  Result<LoginCandidate> FindLoginCandidate(const std::string&) override { return Unused(); }
  Result<AdminInfo> Create(const std::string& username, const std::string& display_name,
                           const std::string&, const Actor&) override {
    created.emplace_back(username, display_name);
    return AdminInfo{7, username, display_name, "now", false};
  }
  Status Remove(std::uint64_t id, const Actor&) override {
    removed.push_back(id);
    return Ok{};
  }
  Status SetPassword(std::uint64_t id, const std::string&, const Actor&,
                     const std::optional<std::string>&) override {
    passwords_set.push_back(id);
    return Ok{};
  }
};

class AdminServiceTest : public ::testing::Test {
 protected:
  AdminServiceTest() {
    admins.admins.push_back(
        {AdminInfo{1, "alice", "Alice", "", false}, HashAdminPassword("alice-password").value()});
    admins.admins.push_back(
        {AdminInfo{2, "bob", "Bob", "", false}, HashAdminPassword("bob-password").value()});
  }
  FakeAdmins admins;
  AdminActor alice{Actor{"alice"}, 1};
  AdminActor cli{Actor{"cli:root"}, std::nullopt};
};

TEST_F(AdminServiceTest, NoOneRemovesThemselvesButTheOperatorMayRemoveAnyone) {
  AdminService service(admins);
  auto self = service.Remove("alice", alice);
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, "conflict");
  EXPECT_TRUE(admins.removed.empty());
  ASSERT_TRUE(service.Remove("bob", alice));
  ASSERT_TRUE(service.Remove("alice", cli)) << "the CLI is no admin";
  EXPECT_EQ(admins.removed, (std::vector<std::uint64_t>{2, 1}));
  auto unknown = service.Remove("nobody", cli);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "not_found");
}

TEST_F(AdminServiceTest, OnesOwnPasswordNeedsTheCurrentOneOthersDoNot) {
  AdminService service(admins);
  auto bare = service.SetPassword("alice", PasswordChange{"a-new-password", {}, {}}, alice);
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().code, "bad_credentials");
  EXPECT_FALSE(
      service.SetPassword("alice", PasswordChange{"a-new-password", "wrong-one", {}}, alice));
  EXPECT_TRUE(admins.passwords_set.empty());
  ASSERT_TRUE(
      service.SetPassword("alice", PasswordChange{"a-new-password", "alice-password", {}}, alice));
  ASSERT_TRUE(service.SetPassword("bob", PasswordChange{"a-new-password", {}, {}}, alice));
  ASSERT_TRUE(service.SetPassword("alice", PasswordChange{"a-new-password", {}, {}}, cli));
  EXPECT_EQ(admins.passwords_set, (std::vector<std::uint64_t>{1, 2, 1}));
  auto short_one = service.SetPassword("bob", PasswordChange{"short", {}, {}}, cli);
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(short_one.error().code, "invalid_password");
}

TEST_F(AdminServiceTest, NewAdminsHaveTrimmedBoundedNamesAndADefaultDisplayName) {
  AdminService service(admins);
  ASSERT_TRUE(service.Create(NewAdmin{"  carol ", std::string("  "), "carol-password"}, cli.actor));
  EXPECT_EQ(admins.created.at(0), (std::pair<std::string, std::string>{"carol", "carol"}));
  EXPECT_FALSE(service.Create(NewAdmin{"   ", {}, "carol-password"}, cli.actor));
  EXPECT_FALSE(service.Create(NewAdmin{std::string(101, 'd'), {}, "dan-password"}, cli.actor));
  auto short_one = service.Create(NewAdmin{"eve", {}, "short"}, cli.actor);
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(short_one.error().code, "invalid_password");
  EXPECT_EQ(admins.created.size(), 1u);
}

class FakeConversations : public ConversationRepo {
 public:
  std::vector<std::string> replies;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> marked;
  bool status_changes = true;
  bool receipts = false;  // MarkRead passes a guest message (a receipt event)

  Result<std::vector<ConversationSummary>> List(const ConversationFilter&) override {
    return std::vector<ConversationSummary>{};
  }
  Result<ConversationDetail> Show(std::uint64_t) override { return Unused(); }
  Result<AgentReply> Reply(std::uint64_t id, const std::optional<std::string>&,
                           const std::string& text, const std::optional<std::string>&) override {
    replies.push_back(text);
    AgentReply r;
    r.message.id = 40 + replies.size();
    r.message.conversation_id = id;
    r.created = true;
    r.event = EventNotice{};
    return r;
  }
  Result<std::optional<EventNotice>> SetStatus(std::uint64_t, const std::string&) override {
    if (!status_changes) return std::optional<EventNotice>();
    return std::optional<EventNotice>(EventNotice{});
  }
  Result<std::map<std::uint64_t, std::uint64_t>> UnreadCounts(
      const std::vector<std::uint64_t>&) override {
    return Unused();
  }
  Result<std::optional<EventNotice>> MarkRead(std::uint64_t id, std::uint64_t message_id,
                                              bool receipt) override {
    marked.emplace_back(id, message_id);
    if (!receipts || !receipt) return std::optional<EventNotice>();
    return std::optional<EventNotice>(EventNotice{99, id, 7, "read", "{}"});
  }
  Result<std::optional<std::uint64_t>> GuestOf(std::uint64_t) override { return Unused(); }
};

class CountingPublisher : public EventPublisher {
 public:
  int published = 0;
  void Publish(const EventNotice&) override { ++published; }
};

TEST(ConversationServiceTest, AReplyIsValidatedAnnouncedOnceAndMarksTheConversationRead) {
  FakeConversations repo;
  CountingPublisher events;
  ConversationService service(repo, events);
  auto blank = service.Reply(5, ReplyInput{std::nullopt, "   ", std::nullopt});
  ASSERT_FALSE(blank);
  EXPECT_EQ(blank.error().code, "invalid_text");
  EXPECT_FALSE(service.Reply(5, ReplyInput{std::nullopt, "hi", std::string("bad id!")}));
  EXPECT_TRUE(repo.replies.empty());
  EXPECT_EQ(events.published, 0);
  auto ok = service.Reply(5, ReplyInput{std::string("alice"), "  Hello  ", std::string("c-1")});
  ASSERT_TRUE(ok);
  EXPECT_EQ(repo.replies, std::vector<std::string>{"Hello"});
  EXPECT_EQ(events.published, 1);
  EXPECT_EQ(repo.marked, (std::vector<std::pair<std::uint64_t, std::uint64_t>>{{5, 41}}));
}

TEST(ConversationServiceTest, AReadThatPassesAVisitorMessageAnnouncesItsReceipt) {
  FakeConversations repo;
  CountingPublisher events;
  ConversationService service(repo, events);
  ASSERT_TRUE(service.MarkRead(5, 10));
  EXPECT_EQ(events.published, 0) << "no receipt: nothing announced";
  repo.receipts = true;
  ASSERT_TRUE(service.MarkRead(5, 12));
  EXPECT_EQ(events.published, 1);
  ASSERT_TRUE(service.Reply(5, ReplyInput{std::nullopt, "hi", std::nullopt}));
  EXPECT_EQ(events.published, 2) << "the reply only: it tells the visitor by itself";
}

TEST(ConversationServiceTest, StatusAndFiltersHaveOneVocabulary) {
  FakeConversations repo;
  CountingPublisher events;
  ConversationService service(repo, events);
  ASSERT_TRUE(service.SetStatus(5, "resolved").value());
  EXPECT_EQ(events.published, 1);
  repo.status_changes = false;
  EXPECT_FALSE(service.SetStatus(5, "open").value());
  EXPECT_EQ(events.published, 1) << "no event when nothing changed";
  EXPECT_FALSE(service.SetStatus(5, "maybe"));
  ConversationFilter filter;
  filter.status = "maybe";
  auto bad = service.List(filter);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(bad.error().code, "invalid_filter");
  filter.status = "open";
  filter.source = "main";
  EXPECT_TRUE(service.List(filter));
}

}  // namespace
}  // namespace edgechat::worker
