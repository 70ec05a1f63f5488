#include "service/identity_token.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "common/ids.hpp"
#include "service/rules.hpp"
#include "shared/ascii.hpp"
#include "shared/mail_address.hpp"
#include "shared/server_api.hpp"
#include "store/secret_key_repo.hpp"

namespace edgechat::worker {

namespace {

Error Refused(const char* code, std::string message) {
  return Error{ErrorKind::kUnauthorized, code, std::move(message)};
}

Error Malformed(std::string message) {
  return Refused("identity_malformed", std::move(message));
}

Error BadClaim(std::string message) {
  return Refused("identity_invalid_claim", std::move(message));
}

std::optional<std::string> DecodeBase64Url(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (!shared::IsBase64UrlChar(c)) return std::nullopt;
  }
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

bool IsUserIdChar(char c) {
  return shared::IsBase64UrlChar(c) || c == '.' || c == ':' || c == '@' || c == '|' || c == '+';
}

// "esk_" and 6 letters or digits: the first characters of a secret key.
bool IsKeyPrefix(std::string_view kid) {
  constexpr std::size_t kLength = 10;
  if (kid.size() != kLength || !kid.starts_with(shared::kSecretKeyPrefix)) return false;
  for (char c : kid.substr(shared::kSecretKeyPrefix.size())) {
    if (!shared::IsAsciiAlnum(c)) return false;
  }
  return true;
}

Result<std::optional<std::string>> OptionalClaim(const nlohmann::json& j, const char* name,
                                                 std::size_t max) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return BadClaim(std::string("\"") + name + "\" must be a string.");
  auto text = rules::Text(name, it->get_ref<const std::string&>(), 1, max);
  if (!text) return BadClaim(text.error().message);
  return std::optional<std::string>(std::move(text).value());
}

}  // namespace

Result<UnverifiedIdentity> ParseIdentityToken(std::string_view token) {
  if (token.empty() || token.size() > kMaxIdentityTokenLength) {
    return Malformed("An identity token is 1 to " + std::to_string(kMaxIdentityTokenLength) +
                     " characters.");
  }
  std::size_t dot = token.find('.');
  if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos) {
    return Malformed("An identity token is PAYLOAD.SIGNATURE, both base64url.");
  }
  std::string_view payload = token.substr(0, dot);
  auto json_text = DecodeBase64Url(payload);
  auto signature = DecodeBase64Url(token.substr(dot + 1));
  if (!json_text || !signature) {
    return Malformed("An identity token is PAYLOAD.SIGNATURE, both base64url without padding.");
  }
  if (signature->size() != crypto_auth_hmacsha256_BYTES) {
    return Malformed("The signature must be an HMAC-SHA256 (32 bytes).");
  }
  nlohmann::json j = nlohmann::json::parse(*json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Malformed("The payload must be a JSON object.");
  }
  UnverifiedIdentity out;
  out.signed_part = std::string(payload);
  out.signature = std::move(*signature);
  auto kid = j.find("kid");
  if (kid == j.end() || !kid->is_string() || !IsKeyPrefix(kid->get_ref<const std::string&>())) {
    return Malformed("\"kid\" must be the secret key's first 10 characters (esk_ and 6 more).");
  }
  out.claims.key_prefix = kid->get<std::string>();
  auto exp = j.find("exp");
  if (exp == j.end() || !exp->is_number_integer()) {
    return Malformed("\"exp\" must be the expiry in unix seconds (an integer).");
  }
  out.claims.exp = exp->get<std::int64_t>();
  auto user = j.find("userId");
  if (user == j.end() || !user->is_string()) return BadClaim("\"userId\" must be a string.");
  const std::string& user_id = user->get_ref<const std::string&>();
  bool user_ok = !user_id.empty() && user_id.size() <= kMaxIdentityUserIdLength;
  for (char c : user_id) user_ok = user_ok && IsUserIdChar(c);
  if (!user_ok) {
    return BadClaim("\"userId\" must be 1 to 128 characters of letters, digits, . _ - : @ | or +.");
  }
  out.claims.user_id = user_id;
  EC_TRY_ASSIGN(out.claims.name, OptionalClaim(j, "name", kMaxIdentityNameLength));
  auto email = j.find("email");
  if (email != j.end() && !email->is_null()) {
    if (!email->is_string() || !shared::CheckMailAddress(email->get_ref<const std::string&>())) {
      return BadClaim("\"email\" must be an email address of at most 254 characters.");
    }
    out.claims.email = email->get<std::string>();
  }
  return out;
}

std::string IdentityMac(std::string_view secret, std::string_view signed_part) {
  if (sodium_init() < 0) std::abort();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(kIdentitySignaturePrefix.data()),
      kIdentitySignaturePrefix.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signed_part.data()),
                                signed_part.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(&state, sizeof state);
  return mac;
}

bool IdentitySignedBy(const UnverifiedIdentity& token, std::string_view secret) {
  std::string expected = IdentityMac(secret, token.signed_part);
  return token.signature.size() == expected.size() &&
         sodium_memcmp(token.signature.data(), expected.data(), expected.size()) == 0;
}

std::string SignIdentityToken(std::string_view secret, std::string_view payload_json) {
  std::string payload = Base64UrlNoPad(payload_json);
  return payload + "." + Base64UrlNoPad(IdentityMac(secret, payload));
}

Status CheckIdentityExpiry(std::int64_t exp, std::chrono::system_clock::time_point now) {
  std::int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (exp + kIdentityClockSkew.count() < now_s) {
    return Refused("identity_expired",
                   "The identity token has expired: sign a new one (tokens live minutes).");
  }
  if (exp - now_s > kIdentityMaxLifetime.count() + kIdentityClockSkew.count()) {
    return Refused("identity_exp_too_far", "The identity token's exp is more than " +
                                               std::to_string(kIdentityMaxLifetime.count()) +
                                               " seconds ahead.");
  }
  return Ok{};
}

Result<std::vector<IdentityKey>> MysqlIdentityKeyLookup::KeysWithPrefix(std::uint64_t site_id,
                                                                        const std::string& prefix) {
  EC_TRY(rows, FindIdentityKeys(pool_, site_id, prefix));
  std::vector<IdentityKey> keys;
  keys.reserve(rows.size());
  for (IdentityKeyRow& row : rows) {
    keys.push_back(IdentityKey{row.id, std::move(row.prefix), std::move(row.sealed), row.revoked});
  }
  return keys;
}

Result<VerifiedIdentity> IdentityVerifier::Verify(std::uint64_t site_id, std::string_view token) {
  if (box_ == nullptr) {
    return Refused("identity_unavailable",
                   "Verified identity is not set up on this server (identity.key_file).");
  }
  EC_TRY(parsed, ParseIdentityToken(token));
  EC_TRY(keys, keys_.KeysWithPrefix(site_id, parsed.claims.key_prefix));
  if (keys.empty()) {
    return Refused("identity_unknown_key", "No secret key of this site has the token's kid.");
  }
  bool any_live = false;
  bool any_sealed = false;
  for (const IdentityKey& key : keys) {
    if (key.revoked) continue;
    any_live = true;
    if (!key.sealed) continue;
    auto opened = box_->Open(*key.sealed);
    if (!opened) continue;  // sealed under another key file: as good as none
    any_sealed = true;
    std::string secret = std::move(opened).value();
    bool signed_by = IdentitySignedBy(parsed, secret);
    sodium_memzero(secret.data(), secret.size());
    if (!signed_by) continue;
    auto fresh = CheckIdentityExpiry(parsed.claims.exp, clock_());
    if (!fresh) return fresh.error();
    return VerifiedIdentity{std::move(parsed.claims), key.id};
  }
  if (!any_live) return Refused("identity_key_revoked", "The token's secret key is revoked.");
  if (!any_sealed) {
    return Refused("identity_key_unsealed",
                   "This secret key cannot sign identities (made before they existed): create "
                   "a new key.");
  }
  return Refused("identity_bad_signature", "The identity token's signature is wrong.");
}

}  // namespace edgechat::worker
