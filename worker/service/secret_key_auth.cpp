#include "service/secret_key_auth.hpp"

#include <sodium.h>

#include "common/ids.hpp"
#include "shared/server_api.hpp"

namespace edgechat::worker {
namespace {

Error Refused(const char* code, const char* message) {
  return Error{ErrorKind::kUnauthorized, code, message};
}

}  // namespace

Result<SecretKeyCaller> SecretKeyAuth::Authenticate(
    const std::optional<std::string>& authorization) {
  if (!authorization) {
    return Refused("missing_secret_key", "Send a secret key as \"Authorization: Bearer esk_...\".");
  }
  std::optional<std::string_view> secret = shared::SecretKeyBearer(*authorization);
  if (!secret) {
    return Refused("invalid_secret_key", "Send a secret key as \"Authorization: Bearer esk_...\".");
  }
  std::string hash = Sha256Hex(*secret);
  // The index lookup's timing can reveal at most a prefix of the hash, never of the key; the
  // row's hash is then compared in constant time, so nothing else decides on a partial match.
  EC_TRY(found, keys_.FindByHash(hash));
  if (!found || found->key_hash.size() != hash.size() ||
      sodium_memcmp(found->key_hash.data(), hash.data(), hash.size()) != 0 || found->revoked) {
    return Refused("unknown_secret_key", "The secret key is unknown or revoked.");
  }
  bool touch = false;
  auto now = clock_();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = touched_.find(found->id);
    if (it == touched_.end() || now - it->second >= touch_every_) {
      touched_[found->id] = now;
      touch = true;
    }
  }
  // A failed write of last_used_at does not fail the call: the next one after touch_every tries
  // again.
  if (touch) (void)keys_.Touch(found->id);
  return SecretKeyCaller{found->id, found->site_key, found->prefix};
}

}  // namespace edgechat::worker
