#include "common/ids.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <stdexcept>

namespace edgechat::worker {
namespace {

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace

RandomFill SodiumRandom() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  return [](unsigned char* out, std::size_t size) { randombytes_buf(out, size); };
}

std::string RandomAlnum(const RandomFill& random, std::size_t length) {
  std::string out;
  out.reserve(length);
  // 62 * 4 = 248: bytes at or above 248 are rejected so every character is equally likely.
  std::array<unsigned char, 64> buffer{};
  while (out.size() < length) {
    random(buffer.data(), buffer.size());
    for (unsigned char b : buffer) {
      if (b >= 248) continue;
      out.push_back(kAlnum[b % 62]);
      if (out.size() == length) break;
    }
  }
  return out;
}

std::string NewSiteKey(const RandomFill& random) {
  return std::string(shared::kSiteKeyPrefix) + RandomAlnum(random, shared::kIdRandomLength);
}

std::string NewGuestId(const RandomFill& random) {
  return std::string(shared::kGuestIdPrefix) + RandomAlnum(random, shared::kIdRandomLength);
}

std::string NewWorkerId(const RandomFill& random) {
  return "w_" + RandomAlnum(random, shared::kIdRandomLength);
}

std::string NewGuestToken(const RandomFill& random) {
  std::array<unsigned char, 32> bytes{};
  random(bytes.data(), bytes.size());
  return Base64UrlNoPad(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string Base64UrlNoPad(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return LowerHex(digest.data(), digest.size());
}

std::string LowerHex(const unsigned char* bytes, std::size_t size) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

std::optional<std::string> BytesOfHex(std::string_view hex) {
  std::string bytes(hex.size() / 2, '\0');
  std::size_t length = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), hex.data(),
                     hex.size(), nullptr, &length, nullptr) != 0) {
    return std::nullopt;
  }
  bytes.resize(length);
  return bytes;
}

std::optional<std::uint64_t> ParseId(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty() || text.size() > 19) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
  return value;
}

}  // namespace edgechat::worker
