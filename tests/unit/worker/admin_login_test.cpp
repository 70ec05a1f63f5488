#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "admin/admin_api.hpp"
#include "admin/login_throttle.hpp"

namespace edgechat::worker {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::steady_clock::time_point() + 1000h};
  LoginThrottle::Clock fn() {
    return [this] { return now; };
  }
};

TEST(LoginThrottle, CountsAttemptsUpToTheLimitThenWaitsOutTheWindow) {
  FakeClock clock;
  LoginThrottle throttle(60s, clock.fn());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(throttle.TryAttempt({{"admin:1", 3}}), 0u) << i;
  EXPECT_EQ(throttle.TryAttempt({{"admin:1", 3}}), 60u);
  clock.now += 20s;
  EXPECT_EQ(throttle.TryAttempt({{"admin:1", 3}}), 40u);
  clock.now += 500ms;
  EXPECT_EQ(throttle.TryAttempt({{"admin:1", 3}}), 40u) << "rounded up";
  clock.now += 39s;
  EXPECT_EQ(throttle.TryAttempt({{"admin:1", 3}}), 1u) << "never 0 while still refused";
  clock.now += 500ms;
  EXPECT_EQ(throttle.TryAttempt({{"admin:1", 3}}), 0u) << "a new window";
  EXPECT_EQ(throttle.TryAttempt({{"admin:2", 3}}), 0u) << "keys are independent";
}

TEST(LoginThrottle, AllOrNothingOverSeveralKeys) {
  FakeClock clock;
  LoginThrottle throttle(60s, clock.fn());
  EXPECT_EQ(throttle.TryAttempt({{"ip:a", 5}, {"admin:1", 1}}), 0u);
  // The admin is full: the address is not charged for the refused attempt.
  for (int i = 0; i < 10; ++i) EXPECT_GT(throttle.TryAttempt({{"ip:a", 5}, {"admin:1", 1}}), 0u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(throttle.TryAttempt({{"ip:a", 5}, {"admin:2", 9}}), 0u);
  EXPECT_GT(throttle.TryAttempt({{"ip:a", 5}, {"admin:3", 9}}), 0u) << "the address is full";
  EXPECT_EQ(throttle.TryAttempt({{"ip:b", 5}, {"admin:3", 9}}), 0u)
      << "admin:3 was not charged when the address refused";
}

TEST(LoginThrottle, ClearAndRefund) {
  FakeClock clock;
  LoginThrottle throttle(60s, clock.fn());
  EXPECT_EQ(throttle.TryAttempt({{"admin:1", 2}}), 0u);
  EXPECT_EQ(throttle.TryAttempt({{"admin:1", 2}}), 0u);
  throttle.Refund("admin:1");
  EXPECT_EQ(throttle.TryAttempt({{"admin:1", 2}}), 0u) << "one slot given back";
  EXPECT_GT(throttle.TryAttempt({{"admin:1", 2}}), 0u);
  throttle.Clear("admin:1");
  EXPECT_EQ(throttle.TryAttempt({{"admin:1", 2}}), 0u);
  throttle.Refund("unknown");  // harmless
}

TEST(LoginThrottle, AParallelBurstGetsExactlyTheLimit) {
  LoginThrottle throttle(900s);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (throttle.TryAttempt({{"ip:x", 1000}, {"admin:7", 5}}) == 0) ++admitted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 5);
}

TEST(LoginThrottle, AFloodOfKeysStaysBoundedAndKeepsLiveCounts) {
  FakeClock clock;
  LoginThrottle throttle(60s, clock.fn(), /*max_keys=*/10);
  EXPECT_EQ(throttle.TryAttempt({{"admin:1", 1}}), 0u);
  clock.now += 61s;  // admin:1's window is over
  for (int i = 0; i < 9; ++i)
    EXPECT_EQ(throttle.TryAttempt({{"name:" + std::to_string(i), 1}}), 0u);
  EXPECT_EQ(throttle.TryAttempt({{"name:x", 1}}), 0u) << "the expired entry made room";
  EXPECT_GT(throttle.TryAttempt({{"name:3", 1}}), 0u) << "live counts survived";
}

TEST(LoginKeys, AnAdminIsKeyedByIdWhateverTheSpelling) {
  LoginCandidate admin;
  admin.admin = AdminCredentials{AdminInfo{42, "admin", "", "", false}, "hash"};
  admin.name_key = "0E33";
  EXPECT_EQ(LoginUserKey(admin), "admin:42");
  LoginCandidate unknown;
  unknown.name_key = "0E330E6D";
  EXPECT_EQ(LoginUserKey(unknown), "name:0E330E6D");
}

TEST(LoginKeys, AddressesAreGroupedAsTheEdgeGroupsThem) {
  EXPECT_EQ(LoginAddressKey("203.0.113.9"), "ip:203.0.113.9");
  EXPECT_EQ(LoginAddressKey("2001:db8:1:2:aaaa::1"), "ip:2001:db8:1:2::/64");
  EXPECT_EQ(LoginAddressKey("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            LoginAddressKey("2001:db8:1:2::9"));
  EXPECT_NE(LoginAddressKey("2001:db8:1:3::1"), LoginAddressKey("2001:db8:1:2::1"));
  EXPECT_EQ(LoginAddressKey("::ffff:198.51.100.7"), "ip:198.51.100.7");
}

}  // namespace
}  // namespace edgechat::worker
