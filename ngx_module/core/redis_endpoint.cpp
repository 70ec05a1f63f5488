#include "core/redis_endpoint.hpp"

#include <charconv>

#include "core/redis_auth.hpp"

namespace edgechat::core {

std::string RedisEndpoint::Describe() const {
  return unix_path.empty() ? host + ":" + std::to_string(port) : "unix:" + unix_path;
}

Result<RedisEndpoint> ParseRedisEndpoint(std::string_view text) {
  if (LooksLikeRedisTls(text)) {
    return Error{"redis_tls_unsupported", std::string(kRedisTlsUnsupported)};
  }
  RedisEndpoint endpoint;
  if (text.starts_with("unix:")) {
    endpoint.unix_path = std::string(text.substr(5));
    if (endpoint.unix_path.empty() || endpoint.unix_path.front() != '/') {
      return Error{"invalid_redis", "a unix socket must be an absolute path: unix:/run/redis.sock"};
    }
    return endpoint;
  }
  std::string_view host = text;
  std::string_view port;
  if (text.starts_with("[")) {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return Error{"invalid_redis", "missing ']'"};
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Error{"invalid_redis", "expected :port after ']'"};
      port = rest.substr(1);
    }
  } else if (std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return Error{"invalid_redis", "expected unix:/path or host:port"};
  endpoint.host = std::string(host);
  if (!port.empty() || text.ends_with(":")) {
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      return Error{"invalid_redis", "port must be a number from 1 to 65535"};
    }
    endpoint.port = value;
  }
  return endpoint;
}

}  // namespace edgechat::core
