#include <gtest/gtest.h>

#include "ctl/args.hpp"

namespace edgechat::ctl {
namespace {

const std::vector<FlagSpec> kSiteAdd = {
    {"name", true, false}, {"origin", true, true}, {"main", false, false}};

TEST(Args, ValuesSwitchesAndRepeats) {
  auto p = ParseArgs({"--name", "shop", "--origin=https://a.example", "--origin",
                      "https://b.example", "--main", "--json"},
                     kSiteAdd);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->Get("name"), "shop");
  EXPECT_EQ(p->GetAll("origin"),
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_TRUE(p->Has("main"));
  EXPECT_TRUE(p->Has("json"));
  EXPECT_FALSE(p->Has("help"));
}

TEST(Args, Errors) {
  EXPECT_EQ(ParseArgs({"--nope"}, kSiteAdd).error().code, "usage");
  EXPECT_EQ(ParseArgs({"--name"}, kSiteAdd).error().code, "usage");
  EXPECT_EQ(ParseArgs({"--name", "a", "--name", "b"}, kSiteAdd).error().code, "usage");
  EXPECT_EQ(ParseArgs({"--main=yes"}, kSiteAdd).error().code, "usage");
}

TEST(Args, DoubleDashEndsFlags) {
  auto p = ParseArgs({"--", "--name"}, kSiteAdd);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->positional, (std::vector<std::string>{"--name"}));
}

TEST(Args, GlobalFlagsEverywhere) {
  auto p = ParseArgs({"--config", "/etc/edgechat.conf", "-h"}, {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Get("config"), "/etc/edgechat.conf");
  EXPECT_TRUE(p->Has("help"));
}

TEST(Args, SplitCommandFindsWords) {
  auto a = SplitCommand({"site", "add", "--name", "x"}, 2);
  EXPECT_EQ(a.words, (std::vector<std::string>{"site", "add"}));
  EXPECT_EQ(a.rest, (std::vector<std::string>{"--name", "x"}));
  auto b = SplitCommand({"--json", "--config", "c", "site", "list"}, 2);
  EXPECT_EQ(b.words, (std::vector<std::string>{"site", "list"}));
  EXPECT_EQ(b.rest, (std::vector<std::string>{"--json", "--config", "c"}));
  auto c = SplitCommand({"admin", "add", "alice", "--password-stdin"}, 2);
  EXPECT_EQ(c.words, (std::vector<std::string>{"admin", "add"}));
  EXPECT_EQ(c.rest, (std::vector<std::string>{"alice", "--password-stdin"}));
  auto d = SplitCommand({"migrate", "--sql-dir", "sql"}, 2);
  EXPECT_EQ(d.words, (std::vector<std::string>{"migrate"}));
}

TEST(Args, ColorAndNumbers) {
  EXPECT_EQ(*ParseColor("#FF00aa"), "#ff00aa");
  EXPECT_FALSE(ParseColor("red").ok());
  EXPECT_FALSE(ParseColor("#12345g").ok());
  EXPECT_EQ(*ParsePositive("limit", "50", 100), 50u);
  EXPECT_FALSE(ParsePositive("limit", "0", 100).ok());
  EXPECT_FALSE(ParsePositive("limit", "101", 100).ok());
  EXPECT_FALSE(ParsePositive("limit", "5x", 100).ok());
}

TEST(Args, ExitCodes) {
  EXPECT_EQ(ExitCodeFor({ErrorKind::kInvalidInput, "usage", ""}), kExitUsage);
  EXPECT_EQ(ExitCodeFor({ErrorKind::kNotFound, "not_found", ""}), kExitConflict);
  EXPECT_EQ(ExitCodeFor({ErrorKind::kConflict, "conflict", ""}), kExitConflict);
  EXPECT_EQ(ExitCodeFor({ErrorKind::kUnavailable, "db_unavailable", ""}), kExitUnreachable);
  EXPECT_EQ(ExitCodeFor({ErrorKind::kInternal, "db_error", ""}), kExitFailure);
}

TEST(Args, ExitCodesFollowTheKindNotTheCode) {
  EXPECT_EQ(ExitCodeFor({ErrorKind::kNotFound, "message_not_found", ""}), kExitConflict);
  EXPECT_EQ(ExitCodeFor({ErrorKind::kInvalidInput, "invalid_color", ""}), kExitUsage);
  EXPECT_EQ(ExitCodeFor({ErrorKind::kUnavailable, "redis_unavailable", ""}), kExitUnreachable);
  EXPECT_EQ(ExitCodeFor({ErrorKind::kLimited, "too_many_streams", ""}), kExitFailure);
  EXPECT_EQ(ExitCodeFor({ErrorKind::kUnauthorized, "unknown_site_key", ""}), kExitFailure);
}

}  // namespace
}  // namespace edgechat::ctl

namespace edgechat::ctl {
namespace {

TEST(Args, Since) {
  EXPECT_EQ(*ParseSince("2026-11-28"), "2026-11-28 00:00:00");
  EXPECT_EQ(*ParseSince("2026-11-28T05:06"), "2026-11-28 05:06:00");
  EXPECT_EQ(*ParseSince("2026-11-28T05:06:07Z"), "2026-11-28 05:06:07");
  EXPECT_FALSE(ParseSince("yesterday").ok());
  EXPECT_FALSE(ParseSince("2026-11-28X").ok());
}

}  // namespace
}  // namespace edgechat::ctl
