// Verified identity of the host site's logged-in users (docs/server-api.md, "Verified identity").
// The host's server signs a short-lived token with one of the site's secret keys:
//
//   token     = payload "." signature
//   payload   = base64url(JSON {"kid", "userId", "name"?, "email"?, "exp"}), no padding
//   signature = base64url(HMAC-SHA256(secret key, "edgechat-identity-v1." payload)), no padding
//
// kid is the key's public prefix (its first 10 characters, "esk_" + 6): the worker opens the
// sealed copies of the site's keys with that prefix and compares in constant time. exp is unix
// seconds; a token is refused once expired and when exp lies more than kIdentityMaxLifetime
// ahead (a token that never expires would be replayable for ever). Every error is
// Error{kUnauthorized, "identity_..."}: the widget then falls back to an anonymous guest.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/secret_box.hpp"
#include "shared/result.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

inline constexpr std::string_view kIdentitySignaturePrefix = "edgechat-identity-v1.";
inline constexpr std::size_t kMaxIdentityTokenLength = 2048;
inline constexpr std::size_t kMaxIdentityUserIdLength = 128;
inline constexpr std::size_t kMaxIdentityNameLength = 200;
inline constexpr std::chrono::seconds kIdentityMaxLifetime{600};
inline constexpr std::chrono::seconds kIdentityClockSkew{60};

struct IdentityClaims {
  std::string key_prefix;            // kid
  std::string user_id;               // 1..128 of [A-Za-z0-9._:@|+-]
  std::optional<std::string> name;   // 1..200 code points, trimmed
  std::optional<std::string> email;  // shared::CheckMailAddress
  std::int64_t exp = 0;              // unix seconds
};

// A token whose shape and claims are right, its signature not checked yet.
struct UnverifiedIdentity {
  std::string signed_part;  // the payload as sent (base64url)
  std::string signature;    // 32 raw bytes
  IdentityClaims claims;
};

// Shape and claims: identity_malformed (length, the dot, base64url, JSON object, kid, exp) or
// identity_invalid_claim (userId, name or email out of grammar or too long).
Result<UnverifiedIdentity> ParseIdentityToken(std::string_view token);

// HMAC-SHA256(secret, kIdentitySignaturePrefix + signed_part): 32 raw bytes.
std::string IdentityMac(std::string_view secret, std::string_view signed_part);
// Constant-time comparison of the token's signature with the one `secret` makes.
bool IdentitySignedBy(const UnverifiedIdentity& token, std::string_view secret);
// A token as a host's server makes it (tests, docs' examples): `payload_json` is the JSON text.
std::string SignIdentityToken(std::string_view secret, std::string_view payload_json);

// identity_expired (exp + skew is past) or identity_exp_too_far (exp is more than the
// lifetime + skew ahead).
Status CheckIdentityExpiry(std::int64_t exp, std::chrono::system_clock::time_point now);

// A secret key as identity verification reads it.
struct IdentityKey {
  std::uint64_t id = 0;
  std::string prefix;
  std::optional<std::string> sealed;  // none for keys made before migration 012
  bool revoked = false;
};

class IdentityKeyLookup {
 public:
  virtual ~IdentityKeyLookup() = default;
  // The keys of the site with this prefix (revoked ones too), usually one.
  virtual Result<std::vector<IdentityKey>> KeysWithPrefix(std::uint64_t site_id,
                                                          const std::string& prefix) = 0;
};

// The site's keys as MySQL holds them (store/secret_key_repo.hpp, FindIdentityKeys).
class MysqlIdentityKeyLookup : public IdentityKeyLookup {
 public:
  explicit MysqlIdentityKeyLookup(ConnectionPool& pool) : pool_(pool) {}
  Result<std::vector<IdentityKey>> KeysWithPrefix(std::uint64_t site_id,
                                                  const std::string& prefix) override;

 private:
  ConnectionPool& pool_;
};

struct VerifiedIdentity {
  IdentityClaims claims;
  std::uint64_t key_id = 0;
};

class IdentityVerifier {
 public:
  // `box`: the sealing key of identity.key_file; null when none is configured (every token is
  // then refused with identity_unavailable).
  IdentityVerifier(IdentityKeyLookup& keys, const SecretBox* box, WallClock clock = SystemClock())
      : keys_(keys), box_(box), clock_(std::move(clock)) {}

  // Everything, on every call: shape, claims, key of THIS site, not revoked, sealed copy,
  // signature, expiry. Codes beyond ParseIdentityToken's: identity_unavailable,
  // identity_unknown_key (no key of this site has the kid), identity_key_revoked,
  // identity_key_unsealed (the key was made before identities existed: create a new one),
  // identity_bad_signature, identity_expired, identity_exp_too_far.
  Result<VerifiedIdentity> Verify(std::uint64_t site_id, std::string_view token);

 private:
  IdentityKeyLookup& keys_;
  const SecretBox* box_;
  WallClock clock_;
};

}  // namespace edgechat::worker
