#include "shared/redis_endpoint.hpp"

#include <gtest/gtest.h>

namespace edgechat::shared {
namespace {

TEST(RedisEndpoint, UnixSocket) {
  Result<RedisEndpoint> endpoint = ParseRedisEndpoint("unix:/run/redis.sock");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->unix_path, "/run/redis.sock");
  EXPECT_EQ(endpoint->Describe(), "unix:/run/redis.sock");
  EXPECT_FALSE(ParseRedisEndpoint("unix:relative.sock").ok());
  EXPECT_FALSE(ParseRedisEndpoint("unix:").ok());
}

TEST(RedisEndpoint, HostAndPort) {
  Result<RedisEndpoint> endpoint = ParseRedisEndpoint("127.0.0.1:6380");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 6380);
  EXPECT_EQ(ParseRedisEndpoint("10.0.0.7")->port, 6379);
  EXPECT_EQ(ParseRedisEndpoint("[::1]:7000")->host, "::1");
  EXPECT_EQ(ParseRedisEndpoint("[::1]:7000")->port, 7000);
  EXPECT_EQ(ParseRedisEndpoint("[2001:db8::5]")->port, 6379);
  EXPECT_EQ(ParseRedisEndpoint("[::1]:7000")->Describe(), "[::1]:7000");
  EXPECT_EQ(ParseRedisEndpoint("10.0.0.7")->Describe(), "10.0.0.7:6379");
  EXPECT_FALSE(ParseRedisEndpoint("").ok());
  EXPECT_FALSE(ParseRedisEndpoint(":6379").ok());
  EXPECT_FALSE(ParseRedisEndpoint("10.0.0.7:").ok());
  EXPECT_FALSE(ParseRedisEndpoint("10.0.0.7:0").ok());
  EXPECT_FALSE(ParseRedisEndpoint("10.0.0.7:65536").ok());
  EXPECT_FALSE(ParseRedisEndpoint("10.0.0.7:12ab").ok());
  EXPECT_FALSE(ParseRedisEndpoint("[::1").ok());
}

// Connecting must never wait on DNS: only address literals are taken.
TEST(RedisEndpoint, HostNamesAreRefused) {
  for (const char* text : {"redis.internal:6379", "redis.internal", "localhost:6379",
                           "[redis.internal]:6379", "127.0.0.1.nip.io:6379", "0x7f.0.0.1:6379",
                           "127.1:6379", "[127.0.0.1]:6379", "[fe80::1%eth0]:6379"}) {
    Result<RedisEndpoint> endpoint = ParseRedisEndpoint(text);
    ASSERT_FALSE(endpoint.ok()) << text;
    EXPECT_NE(endpoint.error().message.find("IP address"), std::string::npos) << text;
  }
  // An IPv6 address without brackets is ambiguous with the port: ask for brackets.
  Result<RedisEndpoint> bare = ParseRedisEndpoint("::1:6379");
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.error().message.find("brackets"), std::string::npos);
}

}  // namespace
}  // namespace edgechat::shared
