// Secret keys of a site (for the external API): stored as a SHA-256 and a short prefix; creating
// or revoking one bumps the registry revision and is audited in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.hpp"
#include "common/secret_box.hpp"
#include "shared/result.hpp"
#include "store/audit_repo.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

struct SecretKeyInfo {
  std::uint64_t id = 0;
  std::string site_key;
  std::string prefix;
  std::string label;
  std::string created_at;
  std::optional<std::string> last_used_at;
  std::optional<std::string> revoked_at;
  // A sealed copy is kept (keys made after migration 012 with identity.key_file set): the key
  // can sign identity tokens. Older keys serve the server API only.
  bool can_sign_identities = false;
};

// "esk_" + 40 letters and digits; shown once.
std::string NewSecretKey(const RandomFill& random);
inline constexpr std::size_t kSecretKeyPrefixLength = 10;

// Stores the SHA-256 of `secret`, its first characters, and `sealed` (the key sealed under
// identity.key_file, common/secret_box.hpp) when given.
Result<SecretKeyInfo> CreateSecretKey(ConnectionPool& pool, const std::string& site_key,
                                      const std::string& secret, const std::string& label,
                                      const Actor& actor,
                                      const std::optional<std::string>& sealed = std::nullopt);
Result<std::vector<SecretKeyInfo>> ListSecretKeys(ConnectionPool& pool,
                                                  const std::string& site_key);
// Error{kNotFound, "not_found"} unless the key belongs to the site; revoking twice is fine.
Result<SecretKeyInfo> RevokeSecretKey(ConnectionPool& pool, const std::string& site_key,
                                      std::uint64_t key_id, const Actor& actor);

class SecretKeyRepo {
 public:
  virtual ~SecretKeyRepo() = default;
  virtual Result<SecretKeyInfo> Create(const std::string& site_key, const std::string& secret,
                                       const std::string& label, const Actor& actor) = 0;
  virtual Result<std::vector<SecretKeyInfo>> List(const std::string& site_key) = 0;
  virtual Result<SecretKeyInfo> Revoke(const std::string& site_key, std::uint64_t key_id,
                                       const Actor& actor) = 0;
};

// A secret key as identity verification reads it.
struct IdentityKeyRow {
  std::uint64_t id = 0;
  std::string prefix;
  std::optional<std::string> sealed;
  bool revoked = false;
};

// A secret key as the server API's check reads it (worker/service/secret_key_auth.hpp).
struct SecretKeyRecord {
  std::uint64_t id = 0;
  std::string site_key;
  std::string prefix;
  std::string key_hash;  // hex SHA-256
  bool revoked = false;
};

// The key with this hex SHA-256 (revoked or not); std::nullopt if none.
Result<std::optional<SecretKeyRecord>> FindSecretKeyByHash(ConnectionPool& pool,
                                                           const std::string& key_hash);
// Sets last_used_at to now. Not a registry change: no revision bump, no audit row.
Status TouchSecretKey(ConnectionPool& pool, std::uint64_t key_id);

// The two calls the server API's key check makes (a fake in unit tests).
class SecretKeyLookup {
 public:
  virtual ~SecretKeyLookup() = default;
  virtual Result<std::optional<SecretKeyRecord>> FindByHash(const std::string& key_hash) = 0;
  virtual Status Touch(std::uint64_t key_id) = 0;
};

class MysqlSecretKeyLookup : public SecretKeyLookup {
 public:
  explicit MysqlSecretKeyLookup(ConnectionPool& pool) : pool_(pool) {}
  Result<std::optional<SecretKeyRecord>> FindByHash(const std::string& key_hash) override {
    return FindSecretKeyByHash(pool_, key_hash);
  }
  Status Touch(std::uint64_t key_id) override { return TouchSecretKey(pool_, key_id); }

 private:
  ConnectionPool& pool_;
};

class MysqlSecretKeyRepo : public SecretKeyRepo {
 public:
  // `box`: seals a copy of each new key (identity tokens); null keeps only the hash.
  explicit MysqlSecretKeyRepo(ConnectionPool& pool, const SecretBox* box = nullptr)
      : pool_(pool), box_(box) {}
  Result<SecretKeyInfo> Create(const std::string& site_key, const std::string& secret,
                               const std::string& label, const Actor& actor) override {
    std::optional<std::string> sealed;
    if (box_ != nullptr) sealed = box_->Seal(secret);
    return CreateSecretKey(pool_, site_key, secret, label, actor, sealed);
  }
  Result<std::vector<SecretKeyInfo>> List(const std::string& site_key) override {
    return ListSecretKeys(pool_, site_key);
  }
  Result<SecretKeyInfo> Revoke(const std::string& site_key, std::uint64_t key_id,
                               const Actor& actor) override {
    return RevokeSecretKey(pool_, site_key, key_id, actor);
  }

 private:
  ConnectionPool& pool_;
  const SecretBox* box_;
};

// The keys of a site with a prefix, for identity tokens (service/identity_token.hpp).
Result<std::vector<IdentityKeyRow>> FindIdentityKeys(ConnectionPool& pool, std::uint64_t site_id,
                                                     const std::string& prefix);

}  // namespace edgechat::worker
