// Sealing small secrets at rest with libsodium's crypto_secretbox (XSalsa20-Poly1305) under a
// 32-byte key held in a file of the worker's (identity.key_file): what the database keeps is
// useless without that file. Used for the sealed copy of secret keys (identity tokens' HMAC);
// any other secret the worker must read back later can use it too.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace edgechat::worker {

class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  // Sealed = 24-byte random nonce, then the ciphertext and its 16-byte tag.
  static constexpr std::size_t kOverheadBytes = 24 + 16;

  explicit SecretBox(const std::array<unsigned char, kKeyBytes>& key);
  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;
  SecretBox(SecretBox&&) noexcept;
  SecretBox& operator=(SecretBox&&) noexcept;

  // The key file: exactly 32 bytes (`head -c 32 /dev/urandom`), a regular file. Errors are
  // Error{kInvalidInput, "invalid_key_file"} with a message naming what is wrong (not the path).
  static Result<SecretBox> FromFile(const std::string& path);

  // A fresh random nonce every call: sealing the same text twice gives different bytes.
  std::string Seal(std::string_view plaintext) const;
  // Error{kInvalidInput, "unsealable"} when the box was not sealed under this key or was altered.
  Result<std::string> Open(std::string_view sealed) const;
  // The same as lowercase hex text, for a database column (webhook secrets, sql/015).
  std::string SealHex(std::string_view plaintext) const;
  Result<std::string> OpenHex(std::string_view sealed_hex) const;

 private:
  std::array<unsigned char, kKeyBytes> key_{};
};

}  // namespace edgechat::worker
