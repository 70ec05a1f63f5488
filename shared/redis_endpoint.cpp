#include "shared/redis_endpoint.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "shared/redis_auth.hpp"

namespace edgechat::shared {

std::string RedisEndpoint::Describe() const {
  if (!unix_path.empty()) return "unix:" + unix_path;
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<RedisEndpoint> ParseRedisEndpoint(std::string_view text) {
  if (LooksLikeRedisTls(text)) {
    return Error{ErrorKind::kInvalidInput, "redis_tls_unsupported",
                 std::string(kRedisTlsUnsupported)};
  }
  RedisEndpoint endpoint;
  if (text.starts_with("unix:")) {
    endpoint.unix_path = std::string(text.substr(5));
    if (endpoint.unix_path.empty() || endpoint.unix_path.front() != '/') {
      return Error{ErrorKind::kInvalidInput, "invalid_redis",
                   "a unix socket must be an absolute path: unix:/run/redis.sock"};
    }
    return endpoint;
  }
  std::string_view host = text;
  std::string_view port;
  if (text.starts_with("[")) {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos)
      return Error{ErrorKind::kInvalidInput, "invalid_redis", "missing ']'"};
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return Error{ErrorKind::kInvalidInput, "invalid_redis", "expected :port after ']'"};
      port = rest.substr(1);
    }
  } else if (std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty())
    return Error{ErrorKind::kInvalidInput, "invalid_redis", "expected unix:/path or host:port"};
  endpoint.host = std::string(host);
  // Only literals: hiredis resolves a name with a blocking getaddrinfo on every (re)connect, and
  // one resolved here once would go stale without a word.
  unsigned char address[16];
  bool bracketed = text.starts_with("[");
  if (inet_pton(bracketed ? AF_INET6 : AF_INET, endpoint.host.c_str(), address) != 1) {
    if (!bracketed && inet_pton(AF_INET6, endpoint.host.c_str(), address) == 1) {
      return Error{ErrorKind::kInvalidInput, "invalid_redis",
                   "write an IPv6 address in brackets: [::1]:6379"};
    }
    return Error{ErrorKind::kInvalidInput, "invalid_redis",
                 "host names are not resolved (a DNS lookup would block nginx): give an IP "
                 "address, such as 127.0.0.1:6379 or [::1]:6379, or unix:/path"};
  }
  if (!port.empty() || text.ends_with(":")) {
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      return Error{ErrorKind::kInvalidInput, "invalid_redis",
                   "port must be a number from 1 to 65535"};
    }
    endpoint.port = value;
  }
  return endpoint;
}

}  // namespace edgechat::shared
