#include "core/gcra.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace edgechat::core {
namespace {

TEST(Gcra, ParamsFromLimits) {
  GcraParams params = GcraFor(20, 60, 5);
  EXPECT_EQ(params.emission_ms, 3000);
  EXPECT_EQ(params.tolerance_ms, 15000);
  EXPECT_EQ(GcraFor(0, 0, 0).emission_ms, 1000);  // clamped to 1 per second
  EXPECT_EQ(GcraFor(5000, 1, 0).emission_ms, 1);  // never zero
}

TEST(Gcra, BurstThenSustainedRate) {
  GcraParams params = GcraFor(20, 60, 5);  // 6 at once, then one per 3 s
  std::int64_t now = 1'000'000;
  std::int64_t tat = 0;
  for (int i = 0; i < 6; i++) {
    GcraDecision decision = GcraCheck(tat, now, params);
    ASSERT_TRUE(decision.allowed) << i;
    tat = decision.new_tat_ms;
  }
  GcraDecision denied = GcraCheck(tat, now, params);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_ms, 3000);
  EXPECT_EQ(denied.new_tat_ms, tat);  // a denied request costs nothing
  EXPECT_EQ(RetryAfterSeconds(denied.retry_after_ms), 3);

  EXPECT_FALSE(GcraCheck(tat, now + 2999, params).allowed);
  GcraDecision later = GcraCheck(tat, now + 3000, params);
  EXPECT_TRUE(later.allowed);
  EXPECT_FALSE(GcraCheck(later.new_tat_ms, now + 3000, params).allowed);
}

TEST(Gcra, IdleKeysRecoverFully) {
  GcraParams params = GcraFor(10, 10, 2);
  std::int64_t tat = 0;
  std::int64_t now = 5000;
  for (int i = 0; i < 3; i++) tat = GcraCheck(tat, now, params).new_tat_ms;
  EXPECT_FALSE(GcraCheck(tat, now, params).allowed);
  // After the TTL the stored value no longer matters: a full burst is available again.
  GcraDecision fresh = GcraCheck(tat, now + 100000, params);
  EXPECT_TRUE(fresh.allowed);
  EXPECT_EQ(fresh.new_tat_ms, now + 100000 + params.emission_ms);
}

TEST(Gcra, ZeroBurstMeansOneAtATime) {
  GcraParams params = GcraFor(1, 2, 0);
  GcraDecision first = GcraCheck(0, 0, params);
  EXPECT_TRUE(first.allowed);
  GcraDecision second = GcraCheck(first.new_tat_ms, 1, params);
  EXPECT_FALSE(second.allowed);
  EXPECT_EQ(second.retry_after_ms, 1999);
  EXPECT_EQ(RetryAfterSeconds(second.retry_after_ms), 2);
  EXPECT_EQ(RetryAfterSeconds(0), 1);
}

TEST(Gcra, KeysChargedTogetherAllowOnlyWhenEveryKeyAllows) {
  GcraParams three_at_once = GcraFor(1, 60, 2);  // capacity 3, one more a minute
  std::vector<LimitKey> keys = {{"ip", three_at_once}, {"guest", three_at_once}};
  std::int64_t now = 1'000'000;
  GcraBatchDecision fresh = GcraCheckAll(keys, {0, 0}, now);
  ASSERT_TRUE(fresh.allowed);
  ASSERT_EQ(fresh.new_tats.size(), 2u);
  EXPECT_EQ(fresh.new_tats[0], now + 60'000);
  // The guest key is spent: the request is refused and nothing is to be stored for any key,
  // not even for the key that had room (a refused request creates no state).
  std::int64_t spent = now + 3 * 60'000;
  GcraBatchDecision refused = GcraCheckAll(keys, {0, spent}, now);
  EXPECT_FALSE(refused.allowed);
  EXPECT_TRUE(refused.new_tats.empty());
  EXPECT_EQ(refused.retry_after_ms, 60'000);
  // The longest wait wins.
  GcraBatchDecision both = GcraCheckAll(keys, {spent + 5'000, spent}, now);
  EXPECT_EQ(both.retry_after_ms, 65'000);
}

TEST(Gcra, ScriptIsPresent) {
  EXPECT_NE(kGcraLuaScript.find("local now = tonumber(ARGV[1])"), std::string_view::npos);
  EXPECT_NE(kGcraLuaScript.find("local wanted = tonumber(ARGV[3 * i + 1])"),
            std::string_view::npos);
  EXPECT_EQ(kGcraLuaScript.find("TIME"), std::string_view::npos);
}

}  // namespace
}  // namespace edgechat::core

namespace edgechat::core {
namespace {

TEST(Gcra, ParseRateLimit) {
  Result<GcraParams> per_second = ParseRateLimit("20r/s", "");
  ASSERT_TRUE(per_second.ok());
  EXPECT_EQ(per_second->emission_ms, 50);
  EXPECT_EQ(per_second->tolerance_ms, 0);
  Result<GcraParams> per_minute = ParseRateLimit("600r/m", "burst=10");
  ASSERT_TRUE(per_minute.ok());
  EXPECT_EQ(per_minute->emission_ms, 100);
  EXPECT_EQ(per_minute->tolerance_ms, 1000);
  EXPECT_EQ(ParseRateLimit("60r/h", "burst=20")->emission_ms, 60000);
  for (auto [rate, burst] :
       std::vector<std::pair<std::string_view, std::string_view>>{{"", ""},
                                                                  {"r/s", ""},
                                                                  {"0r/s", ""},
                                                                  {"-1r/s", ""},
                                                                  {"10", ""},
                                                                  {"10r/d", ""},
                                                                  {"10r/s", "burst"},
                                                                  {"10r/s", "burst=x"},
                                                                  {"10r/s", "10"},
                                                                  {"99999999r/s", ""}}) {
    EXPECT_FALSE(ParseRateLimit(rate, burst).ok()) << rate << " " << burst;
  }
}

}  // namespace
}  // namespace edgechat::core
