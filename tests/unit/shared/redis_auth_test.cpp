#include "shared/redis_auth.hpp"

#include <gtest/gtest.h>

#include "shared/redis_endpoint.hpp"
#include "temp_file.hpp"

namespace edgechat::shared {
namespace {

using edgechat::testing::TempFile;

TEST(RedisAuth, AuthCommandNamesTheUserOnlyWhenThereIsOne) {
  RedisCredentials none;
  EXPECT_FALSE(none.enabled());
  RedisCredentials default_user{"", "s3cret"};
  EXPECT_TRUE(default_user.enabled());
  EXPECT_EQ(default_user.AuthCommand(), (std::vector<std::string_view>{"AUTH", "s3cret"}));
  RedisCredentials acl{"edgechat", "s3cret"};
  EXPECT_EQ(acl.AuthCommand(), (std::vector<std::string_view>{"AUTH", "edgechat", "s3cret"}));
}

TEST(RedisAuth, UserNames) {
  EXPECT_TRUE(CheckRedisUser("edgechat").ok());
  EXPECT_TRUE(CheckRedisUser("edge-chat_1.x@host").ok());
  EXPECT_FALSE(CheckRedisUser("").ok());
  EXPECT_FALSE(CheckRedisUser("two words").ok());
  EXPECT_FALSE(CheckRedisUser("tab\tname").ok());
  EXPECT_FALSE(CheckRedisUser("caf\xc3\xa9").ok());
  EXPECT_FALSE(CheckRedisUser(std::string(129, 'u')).ok());
  EXPECT_TRUE(CheckRedisUser(std::string(128, 'u')).ok());
}

TEST(RedisAuth, SecretFileLosesOneTrailingLineBreak) {
  EXPECT_EQ(ReadSecretFile(TempFile("pa ss=word").path()).value(), "pa ss=word");
  EXPECT_EQ(ReadSecretFile(TempFile("password\n").path()).value(), "password");
  EXPECT_EQ(ReadSecretFile(TempFile("password\r\n").path()).value(), "password");
}

TEST(RedisAuth, SecretFileRefusals) {
  EXPECT_FALSE(ReadSecretFile(TempFile("").path()).ok());
  EXPECT_FALSE(ReadSecretFile(TempFile("\n").path()).ok());
  EXPECT_FALSE(ReadSecretFile(TempFile("two\nlines").path()).ok());
  EXPECT_FALSE(ReadSecretFile(TempFile("password\n\n").path()).ok());
  EXPECT_FALSE(ReadSecretFile(TempFile(std::string("nul\0inside", 10)).path()).ok());
  EXPECT_FALSE(ReadSecretFile(TempFile(std::string(kMaxSecretFileBytes + 1, 'x')).path()).ok());
  EXPECT_TRUE(ReadSecretFile(TempFile(std::string(kMaxSecretFileBytes, 'x')).path()).ok());

  TempFile file("password");
  Result<std::string> missing = ReadSecretFile(file.dir() + "/missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos)
      << missing.error().message;
  Result<std::string> directory = ReadSecretFile(file.dir());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message.find("not a regular file"), std::string::npos);
  Result<std::string> empty = ReadSecretFile(TempFile("").path());
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);
}

TEST(RedisAuth, RedactMasksEveryCopyOfTheSecret) {
  EXPECT_EQ(RedactSecret("WRONGPASS invalid username-password pair", "hunter2"),
            "WRONGPASS invalid username-password pair");
  EXPECT_EQ(RedactSecret("bad hunter2 and hunter2!", "hunter2"), "bad *** and ***!");
  EXPECT_EQ(RedactSecret("aaaa", "a"), "************");
  EXPECT_EQ(RedactSecret("text", ""), "text");
}

TEST(RedisAuth, TlsAddressesAreRefusedWithOneMessage) {
  EXPECT_TRUE(LooksLikeRedisTls("rediss://redis.internal:6380"));
  EXPECT_TRUE(LooksLikeRedisTls("REDISS://x"));
  EXPECT_TRUE(LooksLikeRedisTls("tls://x:6379"));
  EXPECT_TRUE(LooksLikeRedisTls("tls:x"));
  EXPECT_FALSE(LooksLikeRedisTls("redis.internal:6379"));
  EXPECT_FALSE(LooksLikeRedisTls("unix:/run/redis.sock"));
  EXPECT_FALSE(LooksLikeRedisTls("tlshost:6379"));
  Result<RedisEndpoint> endpoint = ParseRedisEndpoint("rediss://redis.internal:6380");
  ASSERT_FALSE(endpoint.ok());
  EXPECT_EQ(endpoint.error().message, kRedisTlsUnsupported);
}

}  // namespace
}  // namespace edgechat::shared
