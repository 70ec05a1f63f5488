// The one check of a site's secret key (the server API; later identity tokens and webhooks sign
// with the same keys): the Authorization header's grammar (shared/server_api.hpp), a lookup by
// the key's SHA-256, the stored hash compared in constant time, a revoked key refused at once
// (the worker reads MySQL on every call, so a stale edge cannot keep a revoked key alive), and
// last_used_at written at most once per `touch_every` per key, not on every call.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "shared/result.hpp"
#include "store/secret_key_repo.hpp"

namespace edgechat::worker {

// Who a verified secret key speaks for.
struct SecretKeyCaller {
  std::uint64_t key_id = 0;
  std::string site_key;
  std::string key_prefix;  // for logs and audit rows; never the key
};

class SecretKeyAuth {
 public:
  SecretKeyAuth(SecretKeyLookup& keys, Clock clock = SteadyClock(),
                std::chrono::seconds touch_every = std::chrono::seconds(60))
      : keys_(keys), clock_(std::move(clock)), touch_every_(touch_every) {}

  // `authorization`: the header's value (std::nullopt when absent). Errors are kUnauthorized:
  // missing_secret_key, invalid_secret_key (not "Bearer esk_..."), unknown_secret_key (no such
  // key, or revoked); a store failure is passed on.
  Result<SecretKeyCaller> Authenticate(const std::optional<std::string>& authorization);

 private:
  SecretKeyLookup& keys_;
  Clock clock_;
  std::chrono::seconds touch_every_;
  std::mutex mutex_;
  std::map<std::uint64_t, std::chrono::steady_clock::time_point> touched_;  // key id -> last write
};

}  // namespace edgechat::worker
