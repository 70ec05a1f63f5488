#include "core/limit_cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace edgechat::core {
namespace {

using Outcome = LimitCache::Outcome;

LimitKey Key(std::string name, std::uint32_t per_second, std::uint32_t burst) {
  return {std::move(name), GcraFor(per_second, 1, burst)};
}

TEST(LeaseWanted, SmallBurstsStayExact) {
  LeasePolicy policy;
  EXPECT_EQ(LeaseWanted(GcraFor(2, 60, 1), policy), 1u);     // capacity 2
  EXPECT_EQ(LeaseWanted(GcraFor(100, 60, 50), policy), 3u);  // capacity 51 / 16
  EXPECT_EQ(LeaseWanted(GcraFor(1000, 60, 1000), policy), 62u);
  EXPECT_EQ(LeaseWanted(GcraFor(1000000, 1, 1000000), policy), 4096u);  // capped
  policy.max_lease = 1;
  EXPECT_EQ(LeaseWanted(GcraFor(1000000, 1, 1000000), policy), 1u);  // leasing off
}

TEST(LeaseGrant, HalfOfWhatIsLeftAndOneNearTheLimit) {
  GcraParams params = GcraFor(10, 1, 99);  // emission 100 ms, capacity 100
  std::int64_t now = 1'000'000;
  EXPECT_EQ(LeaseGrant(0, now, params, 32), 32u);            // fresh key: 100 available
  EXPECT_EQ(LeaseGrant(now + 9'000, now, params, 32), 5u);   // 10 available
  EXPECT_EQ(LeaseGrant(now + 9'800, now, params, 32), 1u);   // 2 available
  EXPECT_EQ(LeaseGrant(now + 9'900, now, params, 32), 1u);   // the last one
  EXPECT_EQ(LeaseGrant(now + 10'000, now, params, 32), 0u);  // limited
  // A grant never exceeds what GCRA allows at once: charging it keeps the last slot conforming.
  for (std::int64_t tat = now; tat <= now + 9'900; tat += 100) {
    std::uint32_t grant = LeaseGrant(tat, now, params, 32);
    ASSERT_GE(grant, 1u);
    EXPECT_TRUE(GcraCheck(tat + (grant - 1) * params.emission_ms, now, params).allowed) << tat;
  }
}

// A fake Redis running the script's rule, to check what hosts allow together.
struct FakeRedis {
  std::int64_t tat = 0;
  std::int64_t calls = 0;
  // Returns the grant (0: refused, retry in *retry).
  std::uint32_t Ask(const LimitKey& key, std::int64_t now, std::uint32_t wanted,
                    std::int64_t* retry) {
    calls++;
    std::uint32_t grant = LeaseGrant(tat, now, key.params, wanted);
    if (grant == 0) {
      *retry = std::max(tat, now) - now - key.params.tolerance_ms;
      return 0;
    }
    tat = std::max(tat, now) + grant * key.params.emission_ms;
    return grant;
  }
};

// One request through a host's cache and the fake Redis, answered at once.
bool Request(LimitCache& cache, FakeRedis& redis, const LimitKey& key, std::int64_t now) {
  std::vector<LimitKey> keys{key};
  LimitCache::Plan plan = cache.Check(keys, now);
  if (plan.outcome == Outcome::kDenied) return false;
  if (plan.outcome == Outcome::kAllowed) {
    for (const auto& refill : plan.refill) {
      std::int64_t retry = 0;
      std::uint32_t grant = redis.Ask(key, now, refill.wanted, &retry);
      if (grant > 0) {
        cache.Granted(key, grant, false, true, now);
      } else {
        cache.AskFailed(key.key, true);
      }
    }
    return true;
  }
  EXPECT_EQ(plan.ask.size(), 1u);
  std::int64_t retry = 0;
  std::uint32_t grant = redis.Ask(key, now, plan.ask[0].wanted, &retry);
  if (grant == 0) {
    cache.Denied(key.key, retry, plan.ask[0].lease, now);
    return false;
  }
  cache.Granted(key, grant, true, plan.ask[0].lease, now);
  return true;
}

TEST(LimitCache, FirstRequestAsksForALeaseThenSpendsLocally) {
  LimitCache cache;
  LimitKey key = Key("k", 1000, 999);  // capacity 1000: wanted 32
  std::vector<LimitKey> keys{key};
  LimitCache::Plan plan = cache.Check(keys, 0);
  ASSERT_EQ(plan.outcome, Outcome::kAsk);
  ASSERT_EQ(plan.ask.size(), 1u);
  EXPECT_EQ(plan.ask[0].wanted, 32u);
  EXPECT_TRUE(plan.ask[0].lease);
  // A concurrent miss for the same key asks for one credit only.
  LimitCache::Plan concurrent = cache.Check(keys, 0);
  ASSERT_EQ(concurrent.outcome, Outcome::kAsk);
  EXPECT_EQ(concurrent.ask[0].wanted, 1u);
  EXPECT_FALSE(concurrent.ask[0].lease);

  cache.Granted(key, 32, true, true, 1);
  for (int i = 0; i < 31; i++) {
    ASSERT_EQ(cache.Check(keys, 2).outcome, Outcome::kAllowed) << i;
  }
  EXPECT_EQ(cache.Check(keys, 2).outcome, Outcome::kAsk);
}

TEST(LimitCache, BusyKeysGrowTheirLeaseAndQuietKeysShrinkIt) {
  LimitCache cache;
  LimitKey key = Key("k", 100000, 99999);  // capacity 100000: up to 4096
  std::vector<LimitKey> keys{key};
  EXPECT_EQ(cache.Check(keys, 0).ask[0].wanted, 32u);
  cache.Granted(key, 32, true, true, 0);
  std::uint32_t refill = 0;
  for (int i = 0; i < 31; i++) {
    LimitCache::Plan plan = cache.Check(keys, 0);
    if (!plan.refill.empty()) refill = plan.refill[0].wanted;
  }
  EXPECT_EQ(refill, 32u);
  // Ran dry with the top-up still out: misses ask for one credit, the lease doubles once.
  EXPECT_EQ(cache.Check(keys, 0).ask[0].wanted, 1u);
  EXPECT_EQ(cache.Check(keys, 0).ask[0].wanted, 1u);
  cache.Granted(key, 32, false, true, 0);
  LimitCache::Plan next = cache.Check(keys, 0);  // 31 left, under half of 64: top up
  ASSERT_EQ(next.outcome, Outcome::kAllowed);
  ASSERT_EQ(next.refill.size(), 1u);
  EXPECT_EQ(next.refill[0].wanted, 64u);
  cache.Granted(key, 64, false, true, 0);
  // Unspent credits expire: the lease halves.
  EXPECT_EQ(cache.Check(keys, 5000).ask[0].wanted, 32u);
}

TEST(LimitCache, RefillsAtHalfOnceAndCreditsExpire) {
  LimitCache cache;
  LimitKey key = Key("k", 1000, 999);
  std::vector<LimitKey> keys{key};
  cache.Check(keys, 0);
  cache.Granted(key, 32, true, true, 0);  // 31 left
  int refills = 0;
  for (int i = 0; i < 20; i++) {
    LimitCache::Plan plan = cache.Check(keys, 0);
    ASSERT_EQ(plan.outcome, Outcome::kAllowed);
    refills += static_cast<int>(plan.refill.size());
  }
  EXPECT_EQ(refills, 1);                   // at 16 left, and only once while it is out
  cache.Granted(key, 32, false, true, 0);  // 11 + 32
  EXPECT_EQ(cache.Check(keys, 999).outcome, Outcome::kAllowed);
  EXPECT_EQ(cache.Check(keys, 1000).outcome, Outcome::kAsk);  // max_lifetime_ms passed
}

TEST(LimitCache, DeniedKeysAreRefusedLocallyUntilRetry) {
  LimitCache cache;
  LimitKey key = Key("k", 1, 0);
  std::vector<LimitKey> keys{key, Key("other", 1, 0)};
  cache.Denied("k", 1500, false, 100);
  LimitCache::Plan plan = cache.Check(keys, 600);
  ASSERT_EQ(plan.outcome, Outcome::kDenied);
  EXPECT_EQ(plan.retry_after_ms, 1000);
  EXPECT_EQ(cache.Check(keys, 1600).outcome, Outcome::kAsk);
}

TEST(LimitCache, MixedKeysReserveAndRefund) {
  LimitCache cache;
  LimitKey leased = Key("leased", 1000, 999);
  LimitKey exact = Key("exact", 1, 2);
  std::vector<LimitKey> keys{leased, exact};
  cache.Granted(leased, 2, false, false, 0);
  LimitCache::Plan plan = cache.Check(keys, 0);
  ASSERT_EQ(plan.outcome, Outcome::kAsk);
  ASSERT_EQ(plan.reserved, std::vector<std::size_t>{0});
  ASSERT_EQ(plan.ask.size(), 1u);
  EXPECT_EQ(plan.ask[0].index, 1u);
  EXPECT_EQ(plan.ask[0].wanted, 1u);
  // Redis refused "exact": the reserved credit comes back.
  cache.Refund("leased", 0);
  cache.Denied("exact", 500, false, 0);
  std::vector<LimitKey> only_leased{leased};
  EXPECT_EQ(cache.Check(only_leased, 1).outcome, Outcome::kAllowed);
  EXPECT_EQ(cache.Check(only_leased, 1).outcome, Outcome::kAllowed);
  EXPECT_EQ(cache.Check(only_leased, 1).outcome, Outcome::kAsk);
}

TEST(LimitCache, ForgottenLeaseRequestsDoNotBlockLeasingForever) {
  LimitCache cache;
  LimitKey key = Key("k", 1000, 999);
  std::vector<LimitKey> keys{key};
  EXPECT_TRUE(cache.Check(keys, 0).ask[0].lease);
  EXPECT_FALSE(cache.Check(keys, 999).ask[0].lease);
  EXPECT_TRUE(cache.Check(keys, 1000).ask[0].lease);  // ask_timeout_ms passed
}

TEST(LimitCache, ClearStartsANewGeneration) {
  LimitCache cache;
  LimitKey key = Key("k", 1000, 999);
  std::vector<LimitKey> keys{key};
  LimitCache::Plan before = cache.Check(keys, 0);
  cache.Denied("k", 5000, false, 0);
  cache.Clear();
  EXPECT_NE(before.generation, cache.generation());
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Check(keys, 1).outcome, Outcome::kAsk);
}

TEST(LimitCache, StaysBoundedUnderAFloodOfKeys) {
  LimitCache cache(LeasePolicy{}, 100);
  for (int i = 0; i < 10'000; i++) {
    std::string name = "k";
    name += std::to_string(i);  // (not "k" + ...: g++ 12 -O3 warns falsely with -Wrestrict)
    LimitKey key = Key(name, 1000, 999);
    cache.Denied(key.key, 60'000, false, 0);
    ASSERT_LE(cache.size(), 100u);
  }
}

// The documented bound: hosts together allow at most what exact GCRA allows in the same time plus
// the credits they held unspent (at most 3/2 of a lease each), and most requests skip Redis.
TEST(LimitCache, HostsTogetherStayWithinLimitPlusHeldCredits) {
  constexpr int kHosts = 4;
  LimitKey key = Key("k", 100, 999);  // 10 ms emission, capacity 1000, lease 32
  std::vector<LimitCache> hosts(kHosts);
  FakeRedis redis;
  std::int64_t allowed = 0;
  std::int64_t requests = 0;
  std::int64_t calls_in_burst = -1;  // Redis calls until the first refusal
  std::int64_t allowed_in_burst = 0;
  std::int64_t end = 5'000;
  for (std::int64_t now = 1; now <= end; now++) {
    for (int h = 0; h < kHosts; h++) {
      requests++;
      if (Request(hosts[h], redis, key, now)) {
        allowed++;
      } else if (calls_in_burst < 0) {
        calls_in_burst = redis.calls;
        allowed_in_burst = allowed;
      }
    }
  }
  std::int64_t exact = 1000 + end / 10;  // burst capacity + one per emission
  std::uint32_t lease = LeaseWanted(key.params, LeasePolicy{});
  EXPECT_LE(allowed, exact + kHosts * (lease * 3 / 2));
  EXPECT_GE(allowed, exact - kHosts * (lease * 3 / 2));
  // While the key has room, leases keep most requests off Redis.
  EXPECT_LT(calls_in_burst * 8, allowed_in_burst);
  // Past the limit, cached denials do: the key regains a slot every 10 ms and each host asks
  // about once per slot, against 40 requests per slot.
  EXPECT_LT(redis.calls * 4, requests);
}

TEST(LimitCache, SmallLimitsAcrossHostsAreExact) {
  LimitKey key = Key("k", 1, 4);  // capacity 5: no leasing
  LimitCache first;
  LimitCache second;
  FakeRedis redis;
  int allowed = 0;
  for (int i = 0; i < 20; i++) {
    if (Request(i % 2 ? second : first, redis, key, 100)) allowed++;
  }
  EXPECT_EQ(allowed, 5);
}

}  // namespace
}  // namespace edgechat::core
