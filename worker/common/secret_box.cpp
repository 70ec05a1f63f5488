#include "common/secret_box.hpp"

#include "common/ids.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace edgechat::worker {

namespace {

static_assert(crypto_secretbox_KEYBYTES == SecretBox::kKeyBytes);
static_assert(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES == SecretBox::kOverheadBytes);

Error BadKeyFile(std::string message) {
  return Error{ErrorKind::kInvalidInput, "invalid_key_file", std::move(message)};
}

}  // namespace

SecretBox::SecretBox(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {
  if (sodium_init() < 0) std::abort();
}

SecretBox::~SecretBox() {
  sodium_memzero(key_.data(), key_.size());
}

SecretBox::SecretBox(SecretBox&& other) noexcept : key_(other.key_) {
  sodium_memzero(other.key_.data(), other.key_.size());
}

SecretBox& SecretBox::operator=(SecretBox&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    sodium_memzero(other.key_.data(), other.key_.size());
  }
  return *this;
}

Result<SecretBox> SecretBox::FromFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return BadKeyFile("cannot be read");
  if (!S_ISREG(st.st_mode)) return BadKeyFile("is not a regular file");
  if (st.st_size != static_cast<off_t>(kKeyBytes)) {
    return BadKeyFile("must hold exactly 32 bytes (head -c 32 /dev/urandom)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return BadKeyFile("cannot be read");
  std::array<unsigned char, kKeyBytes> key{};
  in.read(reinterpret_cast<char*>(key.data()), static_cast<std::streamsize>(key.size()));
  if (in.gcount() != static_cast<std::streamsize>(key.size())) {
    return BadKeyFile("must hold exactly 32 bytes (head -c 32 /dev/urandom)");
  }
  SecretBox box(key);
  sodium_memzero(key.data(), key.size());
  return box;
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::string out(kOverheadBytes + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key_.data());
  return out;
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (sealed.size() < kOverheadBytes) {
    return Error{ErrorKind::kInvalidInput, "unsealable", "The sealed value is too short."};
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string out(sealed.size() - kOverheadBytes, '\0');
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(out.data()), nonce + crypto_secretbox_NONCEBYTES,
          sealed.size() - crypto_secretbox_NONCEBYTES, nonce, key_.data()) != 0) {
    return Error{ErrorKind::kInvalidInput, "unsealable",
                 "The sealed value was not sealed under this key or was altered."};
  }
  return out;
}

std::string SecretBox::SealHex(std::string_view plaintext) const {
  std::string sealed = Seal(plaintext);
  return LowerHex(reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size());
}

Result<std::string> SecretBox::OpenHex(std::string_view sealed_hex) const {
  auto bytes = BytesOfHex(sealed_hex);
  if (!bytes) return Error{ErrorKind::kInvalidInput, "unsealable", "The sealed value is not hex."};
  return Open(*bytes);
}

}  // namespace edgechat::worker
