// The server API's rules without a database: the secret key check (grammar, hash, revoked, the
// last_used_at throttle on a fake clock) and the time grammar of updatedSince.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "common/ids.hpp"
#include "service/secret_key_auth.hpp"
#include "service/server_service.hpp"

namespace edgechat::worker {
namespace {

const std::string kKey = "esk_" + std::string(40, 'k');

class FakeLookup : public SecretKeyLookup {
 public:
  std::map<std::string, SecretKeyRecord> keys;  // by hash
  int touches = 0;
  int lookups = 0;
  Result<std::optional<SecretKeyRecord>> FindByHash(const std::string& hash) override {
    ++lookups;
    auto it = keys.find(hash);
    if (it == keys.end()) return std::optional<SecretKeyRecord>();
    return std::optional<SecretKeyRecord>(it->second);
  }
  Status Touch(std::uint64_t) override {
    ++touches;
    return Ok{};
  }
};

struct AuthFixture : ::testing::Test {
  FakeLookup lookup;
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  SecretKeyAuth auth{lookup, [this] { return now; }, std::chrono::seconds(60)};

  void SetUp() override {
    lookup.keys[Sha256Hex(kKey)] = SecretKeyRecord{7, "ek_AAAAAAAAAAAAAAAAAAAAAAAA",
                                                   kKey.substr(0, 10), Sha256Hex(kKey), false};
  }
};

TEST_F(AuthFixture, AKnownKeySpeaksForItsSite) {
  auto caller = auth.Authenticate("Bearer " + kKey);
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  EXPECT_EQ(caller->key_id, 7u);
  EXPECT_EQ(caller->site_key, "ek_AAAAAAAAAAAAAAAAAAAAAAAA");
}

TEST_F(AuthFixture, MalformedMissingUnknownAndRevokedAreRefused) {
  auto code = [&](const std::optional<std::string>& header) {
    auto r = auth.Authenticate(header);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kUnauthorized);
    return r.error().code;
  };
  EXPECT_EQ(code(std::nullopt), "missing_secret_key");
  EXPECT_EQ(code(kKey), "invalid_secret_key");
  EXPECT_EQ(code("Bearer " + kKey + "x"), "invalid_secret_key");
  EXPECT_EQ(lookup.lookups, 0);  // no lookup for a key of the wrong shape
  EXPECT_EQ(code("Bearer esk_" + std::string(40, 'u')), "unknown_secret_key");
  lookup.keys[Sha256Hex(kKey)].revoked = true;
  EXPECT_EQ(code("Bearer " + kKey), "unknown_secret_key");
}

TEST_F(AuthFixture, ARowWhoseHashDiffersIsRefused) {
  lookup.keys[Sha256Hex(kKey)].key_hash = std::string(64, '0');
  EXPECT_FALSE(auth.Authenticate("Bearer " + kKey).ok());
}

TEST_F(AuthFixture, LastUsedIsWrittenAtMostOncePerMinutePerKey) {
  ASSERT_TRUE(auth.Authenticate("Bearer " + kKey).ok());
  ASSERT_TRUE(auth.Authenticate("Bearer " + kKey).ok());
  EXPECT_EQ(lookup.touches, 1);
  now += std::chrono::seconds(59);
  ASSERT_TRUE(auth.Authenticate("Bearer " + kKey).ok());
  EXPECT_EQ(lookup.touches, 1);
  now += std::chrono::seconds(1);
  ASSERT_TRUE(auth.Authenticate("Bearer " + kKey).ok());
  EXPECT_EQ(lookup.touches, 2);
}

TEST(ValidateAttribute, NamesAndValuesFollowTheGrammarAndTheSizes) {
  EXPECT_TRUE(ValidateAttribute("plan", std::string("gold")).ok());
  EXPECT_TRUE(ValidateAttribute("a" + std::string(63, 'b'), std::string(500, 'x')).ok());
  EXPECT_TRUE(ValidateAttribute("crm.id-2_x", std::nullopt).ok());
  std::string persian;
  for (int i = 0; i < 500; ++i) persian += "\u0633";  // 500 code points, 1000 bytes
  EXPECT_TRUE(ValidateAttribute("name", persian).ok());
  for (const std::string& name :
       {std::string(""), std::string("1plan"), std::string("_x"), std::string("a b"),
        std::string("a" + std::string(64, 'b')), std::string("caf\u00e9")}) {
    EXPECT_FALSE(ValidateAttribute(name, std::string("v")).ok()) << name;
  }
  EXPECT_FALSE(ValidateAttribute("plan", std::string(501, 'x')).ok());
  EXPECT_FALSE(ValidateAttribute("plan", persian + "\u0633").ok());
  EXPECT_FALSE(ValidateAttribute("plan", std::string("a\nb")).ok());
  EXPECT_FALSE(ValidateAttribute("plan", std::string("\xff")).ok());
}

TEST(IsoToMysqlUtc, AcceptsUtcTimesWithUpToMicroseconds) {
  EXPECT_EQ(IsoToMysqlUtc("2026-12-06T07:00:01Z"), "2026-12-06 07:00:01.000000");
  EXPECT_EQ(IsoToMysqlUtc("2026-12-06T07:00:01.5Z"), "2026-12-06 07:00:01.500000");
  EXPECT_EQ(IsoToMysqlUtc("2026-12-06T07:00:01.123456Z"), "2026-12-06 07:00:01.123456");
  for (const char* bad : {"2026-12-06", "2026-12-06T07:00:01", "2026-12-06T07:00:01+01:00",
                          "2026-12-06T07:00:01.Z", "2026-12-06T07:00:01.1234567Z",
                          "2026-12-06 07:00:01Z", "yesterday", "2026-12-06T07:00:01.12aZ"}) {
    EXPECT_FALSE(IsoToMysqlUtc(bad)) << bad;
  }
}

}  // namespace
}  // namespace edgechat::worker
