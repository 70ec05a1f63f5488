// The sealing helper (common/secret_box) and identity tokens (service/identity_token): encoding,
// signature, claims, expiry with an injected clock, and the key rules of IdentityVerifier.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "common/ids.hpp"
#include "common/secret_box.hpp"
#include "service/identity_token.hpp"
#include "temp_file.hpp"

namespace edgechat::worker {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

std::array<unsigned char, SecretBox::kKeyBytes> KeyOf(unsigned char fill) {
  std::array<unsigned char, SecretBox::kKeyBytes> key{};
  key.fill(fill);
  return key;
}

TEST(SecretBox, SealsAndOpens) {
  SecretBox box(KeyOf(7));
  std::string sealed = box.Seal("esk_secret");
  EXPECT_EQ(sealed.size(), SecretBox::kOverheadBytes + 10);
  EXPECT_EQ(sealed.find("esk_secret"), std::string::npos);
  auto opened = box.Open(sealed);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "esk_secret");
  EXPECT_NE(box.Seal("esk_secret"), sealed);  // a fresh nonce each time
}

TEST(SecretBox, RefusesOtherKeyAlteredAndShort) {
  SecretBox box(KeyOf(7));
  SecretBox other(KeyOf(8));
  std::string sealed = box.Seal("esk_secret");
  EXPECT_EQ(other.Open(sealed).error().code, "unsealable");
  std::string altered = sealed;
  altered.back() = static_cast<char>(altered.back() ^ 1);
  EXPECT_EQ(box.Open(altered).error().code, "unsealable");
  EXPECT_EQ(box.Open("short").error().code, "unsealable");
}

TEST(SecretBox, KeyFileMustHoldExactly32Bytes) {
  testing::TempFile good(std::string(32, '\x01'));
  auto box = SecretBox::FromFile(good.path());
  ASSERT_TRUE(box);
  EXPECT_EQ(*box->Open(box->Seal("x")), "x");
  testing::TempFile short_file(std::string(31, '\x01'));
  EXPECT_EQ(SecretBox::FromFile(short_file.path()).error().code, "invalid_key_file");
  testing::TempFile long_file(std::string(33, '\x01'));
  EXPECT_EQ(SecretBox::FromFile(long_file.path()).error().code, "invalid_key_file");
  EXPECT_EQ(SecretBox::FromFile("/nonexistent/identity.key").error().code, "invalid_key_file");
}

constexpr const char* kSecret = "esk_abcdef0123456789012345678901234567890123";
constexpr std::int64_t kNow = 1800000000;

std::string Payload(const std::string& extra = "", std::int64_t exp = kNow + 300,
                    const std::string& kid = "esk_abcdef") {
  return R"({"kid":")" + kid + R"(","userId":"user-42","exp":)" + std::to_string(exp) + extra + "}";
}

system_clock::time_point At(std::int64_t unix_s) {
  return system_clock::time_point(seconds(unix_s));
}

TEST(IdentityToken, EncodesAsDocumented) {
  std::string token = SignIdentityToken(kSecret, Payload());
  auto dot = token.find('.');
  ASSERT_NE(dot, std::string::npos);
  EXPECT_EQ(token.substr(0, dot), Base64UrlNoPad(Payload()));
  // The MAC covers the prefix and the payload exactly as sent.
  EXPECT_EQ(token.substr(dot + 1), Base64UrlNoPad(IdentityMac(kSecret, Base64UrlNoPad(Payload()))));
  auto parsed = ParseIdentityToken(token);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->claims.key_prefix, "esk_abcdef");
  EXPECT_EQ(parsed->claims.user_id, "user-42");
  EXPECT_FALSE(parsed->claims.name);
  EXPECT_EQ(parsed->claims.exp, kNow + 300);
  EXPECT_TRUE(IdentitySignedBy(*parsed, kSecret));
  EXPECT_FALSE(IdentitySignedBy(*parsed, "esk_other"));
}

TEST(IdentityToken, MalformedShapes) {
  std::string good = SignIdentityToken(kSecret, Payload());
  for (std::string bad :
       {std::string(), std::string("nodot"), good + ".x", std::string("a+b.c"),
        std::string("eyJ9.AAAA"), std::string(kMaxIdentityTokenLength + 1, 'a'),
        SignIdentityToken(kSecret, "[1,2]"), SignIdentityToken(kSecret, "not json"),
        SignIdentityToken(kSecret, Payload("", kNow, "esk_ab")),
        SignIdentityToken(kSecret, R"({"kid":"esk_abcdef","userId":"u"})")}) {
    auto parsed = ParseIdentityToken(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, "identity_malformed") << bad;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kUnauthorized);
  }
}

TEST(IdentityToken, ClaimsAreBounded) {
  auto code = [](const std::string& payload) {
    auto parsed = ParseIdentityToken(SignIdentityToken(kSecret, payload));
    return parsed ? std::string("ok") : parsed.error().code;
  };
  std::string exp = std::to_string(kNow);
  EXPECT_EQ(code(R"({"kid":"esk_abcdef","userId":"","exp":)" + exp + "}"),
            "identity_invalid_claim");
  EXPECT_EQ(
      code(R"({"kid":"esk_abcdef","userId":")" + std::string(129, 'u') + R"(","exp":)" + exp + "}"),
      "identity_invalid_claim");
  EXPECT_EQ(code(R"({"kid":"esk_abcdef","userId":"a b","exp":)" + exp + "}"),
            "identity_invalid_claim");
  EXPECT_EQ(
      code(R"({"kid":"esk_abcdef","userId":")" + std::string(128, 'u') + R"(","exp":)" + exp + "}"),
      "ok");
  EXPECT_EQ(code(Payload(R"(,"name":")" + std::string(201, 'n') + "\"")), "identity_invalid_claim");
  EXPECT_EQ(code(Payload(R"(,"name":"مریم")")), "ok");
  EXPECT_EQ(code(Payload(R"(,"email":"not-an-address")")), "identity_invalid_claim");
  EXPECT_EQ(code(Payload(R"(,"email":"a@example.com")")), "ok");
  EXPECT_EQ(code(Payload(R"(,"email":5)")), "identity_invalid_claim");
}

TEST(IdentityToken, ExpiryWindow) {
  EXPECT_TRUE(CheckIdentityExpiry(kNow + 600, At(kNow)));
  EXPECT_TRUE(CheckIdentityExpiry(kNow - 30, At(kNow)));  // small skew
  EXPECT_EQ(CheckIdentityExpiry(kNow - 61, At(kNow)).error().code, "identity_expired");
  EXPECT_EQ(CheckIdentityExpiry(kNow + 661, At(kNow)).error().code, "identity_exp_too_far");
}

class FakeKeys : public IdentityKeyLookup {
 public:
  Result<std::vector<IdentityKey>> KeysWithPrefix(std::uint64_t site_id,
                                                  const std::string& prefix) override {
    std::vector<IdentityKey> out;
    for (const auto& [site, key] : keys) {
      if (site == site_id && key.prefix == prefix) out.push_back(key);
    }
    return out;
  }
  std::multimap<std::uint64_t, IdentityKey> keys;
};

struct VerifierFixture : ::testing::Test {
  SecretBox box{KeyOf(3)};
  FakeKeys keys;
  std::int64_t now = kNow;
  IdentityVerifier verifier{keys, &box, [this] { return At(now); }};
  void AddKey(std::uint64_t site, std::uint64_t id, const std::string& secret, bool sealed = true,
              bool revoked = false) {
    keys.keys.emplace(
        site, IdentityKey{id, secret.substr(0, 10),
                          sealed ? std::optional(box.Seal(secret)) : std::nullopt, revoked});
  }
  std::string Code(std::uint64_t site, const std::string& token) {
    auto v = verifier.Verify(site, token);
    return v ? std::string("ok") : v.error().code;
  }
};

TEST_F(VerifierFixture, AcceptsAGoodTokenOfTheSite) {
  AddKey(1, 11, kSecret);
  auto v = verifier.Verify(1, SignIdentityToken(kSecret, Payload(R"(,"name":"Ann")")));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->key_id, 11u);
  EXPECT_EQ(v->claims.user_id, "user-42");
  EXPECT_EQ(*v->claims.name, "Ann");
}

TEST_F(VerifierFixture, HostileTokens) {
  AddKey(1, 11, kSecret);
  std::string token = SignIdentityToken(kSecret, Payload());
  // Forged: signed by another secret with the same prefix.
  EXPECT_EQ(Code(1, SignIdentityToken("esk_abcdefXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", Payload())),
            "identity_bad_signature");
  // Payload altered after signing.
  std::string altered = Base64UrlNoPad(Payload(R"(,"name":"Eve")")) + token.substr(token.find('.'));
  EXPECT_EQ(Code(1, altered), "identity_bad_signature");
  // Another site's key: site 2 has no key of that prefix.
  EXPECT_EQ(Code(2, token), "identity_unknown_key");
  // Replay after expiry: the same token, later.
  EXPECT_EQ(Code(1, token), "ok");
  now = kNow + 300 + 61;
  EXPECT_EQ(Code(1, token), "identity_expired");
  now = kNow;
  EXPECT_EQ(Code(1, SignIdentityToken(kSecret, Payload("", kNow + 3600))), "identity_exp_too_far");
  EXPECT_EQ(Code(1, "!!!.???"), "identity_malformed");
}

TEST_F(VerifierFixture, KeyStates) {
  AddKey(1, 11, kSecret, /*sealed=*/true, /*revoked=*/true);
  std::string token = SignIdentityToken(kSecret, Payload());
  EXPECT_EQ(Code(1, token), "identity_key_revoked");
  keys.keys.clear();
  AddKey(1, 12, kSecret, /*sealed=*/false);
  EXPECT_EQ(Code(1, token), "identity_key_unsealed");
  // Sealed under another key file: cannot be opened, so it is as good as unsealed.
  keys.keys.clear();
  SecretBox other(KeyOf(9));
  keys.keys.emplace(1, IdentityKey{13, "esk_abcdef", other.Seal(kSecret), false});
  EXPECT_EQ(Code(1, token), "identity_key_unsealed");
  // Two keys with one prefix: the one that signed wins.
  keys.keys.clear();
  AddKey(1, 14, "esk_abcdefYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY");
  AddKey(1, 15, kSecret);
  auto v = verifier.Verify(1, token);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->key_id, 15u);
}

TEST(IdentityVerifierSetup, NoKeyFileRefusesEveryToken) {
  FakeKeys keys;
  IdentityVerifier verifier(keys, nullptr);
  auto v = verifier.Verify(1, SignIdentityToken(kSecret, Payload()));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "identity_unavailable");
}

}  // namespace
}  // namespace edgechat::worker
