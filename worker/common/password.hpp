// Admin passwords: Argon2id (libsodium crypto_pwhash_str). Used by the admin API's login and by
// edgechatctl, so both hash and check the same way.
#pragma once

#include <string>

#include "shared/result.hpp"

namespace edgechat::worker {

// Passwords need 8 to 1024 bytes, else Error{kInvalidInput, "invalid_password"}.
Result<std::string> HashAdminPassword(const std::string& password);
bool VerifyAdminPassword(const std::string& hash, const std::string& password);

}  // namespace edgechat::worker
