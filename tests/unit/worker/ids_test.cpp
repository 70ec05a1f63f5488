#include <gtest/gtest.h>

#include <set>

#include "common/ids.hpp"
#include "shared/guest_token.hpp"

namespace edgechat::worker {
namespace {

// Deterministic "random" bytes: a counter.
RandomFill CountingRandom() {
  auto next = std::make_shared<unsigned char>(0);
  return [next](unsigned char* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out[i] = (*next)++;
  };
}

bool AllAlnum(std::string_view s) {
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

TEST(Ids, SiteKeyFormat) {
  std::string key = NewSiteKey(SodiumRandom());
  ASSERT_EQ(key.size(), 27u);
  EXPECT_EQ(key.substr(0, 3), "ek_");
  EXPECT_TRUE(AllAlnum(key.substr(3)));
  EXPECT_TRUE(shared::IsValidSiteKey(key));
}

TEST(Ids, GuestIdFormat) {
  std::string id = NewGuestId(SodiumRandom());
  ASSERT_EQ(id.size(), 26u);
  EXPECT_EQ(id.substr(0, 2), "g_");
  EXPECT_TRUE(AllAlnum(id.substr(2)));
}

TEST(Ids, GuestTokenIs32BytesBase64Url) {
  std::string token = NewGuestToken(SodiumRandom());
  EXPECT_EQ(token.size(), 43u);
  EXPECT_TRUE(shared::LooksLikeGuestToken(token));
  EXPECT_EQ(token.find('='), std::string::npos);
}

TEST(Ids, TokensDoNotRepeat) {
  auto random = SodiumRandom();
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(NewGuestToken(random)).second);
}

TEST(Ids, RandomAlnumRejectsBiasedBytes) {
  // Bytes 248..255 must be skipped, never mapped onto the alphabet.
  RandomFill high_then_zero = [calls = std::make_shared<int>(0)](unsigned char* out,
                                                                 std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out[i] = (*calls == 0) ? 250 : 0;
    ++*calls;
  };
  EXPECT_EQ(RandomAlnum(high_then_zero, 3), "AAA");
  EXPECT_EQ(RandomAlnum(CountingRandom(), 4), "ABCD");
}

TEST(Ids, Base64UrlKnownVectors) {
  EXPECT_EQ(Base64UrlNoPad(""), "");
  EXPECT_EQ(Base64UrlNoPad("f"), "Zg");
  EXPECT_EQ(Base64UrlNoPad("fo"), "Zm8");
  EXPECT_EQ(Base64UrlNoPad("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlNoPad("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlNoPad("\xfb\xff"), "-_8");
}

TEST(Ids, Sha256HexKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("").size(), 64u);
}

TEST(Ids, ShapeChecks) {
  EXPECT_FALSE(shared::IsValidSiteKey(""));
  EXPECT_FALSE(shared::IsValidSiteKey("ek_with space"));
  EXPECT_FALSE(shared::IsValidSiteKey(std::string(65, 'a')));
}

}  // namespace
}  // namespace edgechat::worker
