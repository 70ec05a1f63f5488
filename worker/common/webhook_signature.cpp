#include "common/webhook_signature.hpp"

#include <sodium.h>

#include <charconv>
#include <optional>
#include <vector>

namespace edgechat::worker {

std::string NewWebhookSecret(const RandomFill& random) {
  return std::string(kWebhookSecretPrefix) + RandomAlnum(random, 32);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return LowerHex(mac, sizeof mac);
}

std::string WebhookSignatureHeader(std::string_view secret, std::int64_t unix_seconds,
                                   std::string_view body) {
  std::string t = std::to_string(unix_seconds);
  std::string signed_text = t + "." + std::string(body);
  return "t=" + t + ",v1=" + HmacSha256Hex(secret, signed_text);
}

bool VerifyWebhookSignature(std::string_view header, std::string_view secret, std::string_view body,
                            std::int64_t now_unix_seconds, std::int64_t tolerance_s) {
  std::optional<std::int64_t> t;
  std::vector<std::string_view> v1;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (part.starts_with("t=")) {
      std::int64_t value = 0;
      auto digits = part.substr(2);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) return false;
      t = value;
    } else if (part.starts_with("v1=")) {
      v1.push_back(part.substr(3));
    }
  }
  if (!t || v1.empty()) return false;
  std::int64_t skew = now_unix_seconds - *t;
  if (skew > tolerance_s || skew < -tolerance_s) return false;
  std::string expected = HmacSha256Hex(secret, std::to_string(*t) + "." + std::string(body));
  bool match = false;
  for (auto candidate : v1) {
    if (candidate.size() == expected.size() &&
        sodium_memcmp(candidate.data(), expected.data(), expected.size()) == 0)
      match = true;
  }
  return match;
}

}  // namespace edgechat::worker
