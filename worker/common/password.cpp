#include "common/password.hpp"

#include <sodium.h>

namespace edgechat::worker {

Result<std::string> HashAdminPassword(const std::string& password) {
  if (password.size() < 8 || password.size() > 1024) {
    return Error{ErrorKind::kInvalidInput, "invalid_password",
                 "the password must have 8 to 1024 characters"};
  }
  if (sodium_init() < 0)
    return Error{ErrorKind::kInternal, "internal", "libsodium failed to initialise"};
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error{ErrorKind::kInternal, "internal", "out of memory while hashing the password"};
  }
  return std::string(hash);
}

bool VerifyAdminPassword(const std::string& hash, const std::string& password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace edgechat::worker
