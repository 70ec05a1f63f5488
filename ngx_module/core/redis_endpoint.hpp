// Where Redis is, as the edgechat_redis directive gives it.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace edgechat::core {

struct RedisEndpoint {
  std::string unix_path;  // set for "unix:/path"
  std::string host;       // otherwise host and port
  int port = 6379;

  std::string Describe() const;
};

// Parses "unix:/absolute/path", "host:port", "host" (port 6379) or "[ipv6]:port"; a TLS URL
// (rediss://) is refused with core::kRedisTlsUnsupported.
Result<RedisEndpoint> ParseRedisEndpoint(std::string_view text);

}  // namespace edgechat::core
