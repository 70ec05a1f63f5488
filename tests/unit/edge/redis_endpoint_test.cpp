#include "core/redis_endpoint.hpp"

#include <gtest/gtest.h>

namespace edgechat::core {
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
  EXPECT_EQ(ParseRedisEndpoint("redis.internal")->port, 6379);
  EXPECT_EQ(ParseRedisEndpoint("[::1]:7000")->host, "::1");
  EXPECT_EQ(ParseRedisEndpoint("[::1]:7000")->port, 7000);
  EXPECT_FALSE(ParseRedisEndpoint("").ok());
  EXPECT_FALSE(ParseRedisEndpoint(":6379").ok());
  EXPECT_FALSE(ParseRedisEndpoint("host:").ok());
  EXPECT_FALSE(ParseRedisEndpoint("host:0").ok());
  EXPECT_FALSE(ParseRedisEndpoint("host:65536").ok());
  EXPECT_FALSE(ParseRedisEndpoint("host:12ab").ok());
  EXPECT_FALSE(ParseRedisEndpoint("[::1").ok());
}

}  // namespace
}  // namespace edgechat::core
