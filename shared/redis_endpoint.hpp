// Where Redis is, as the edgechat_redis directive gives it.
#pragma once

#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace edgechat::shared {

struct RedisEndpoint {
  std::string unix_path;  // set for "unix:/path"
  std::string host;       // otherwise an IPv4 or IPv6 address (never a name) and port
  int port = 6379;

  std::string Describe() const;
};

// Parses "unix:/absolute/path", "ipv4:port", "ipv4" (port 6379), "[ipv6]:port" or "[ipv6]".
// Host names are refused, so connecting never needs a DNS lookup; a TLS URL (rediss://) is
// refused with shared::kRedisTlsUnsupported.
Result<RedisEndpoint> ParseRedisEndpoint(std::string_view text);

}  // namespace edgechat::shared
