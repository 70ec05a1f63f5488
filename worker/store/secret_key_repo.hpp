// Secret keys of a site (for the external API): stored as a SHA-256 and a short prefix; creating
// or revoking one bumps the registry revision and is audited in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.hpp"
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
};

// "esk_" + 40 letters and digits; shown once.
std::string NewSecretKey(const RandomFill& random);
inline constexpr std::size_t kSecretKeyPrefixLength = 10;

// Stores only the SHA-256 of `secret` and its first characters.
Result<SecretKeyInfo> CreateSecretKey(ConnectionPool& pool, const std::string& site_key,
                                      const std::string& secret, const std::string& label,
                                      const Actor& actor);
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
  explicit MysqlSecretKeyRepo(ConnectionPool& pool) : pool_(pool) {}
  Result<SecretKeyInfo> Create(const std::string& site_key, const std::string& secret,
                               const std::string& label, const Actor& actor) override {
    return CreateSecretKey(pool_, site_key, secret, label, actor);
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
};

}  // namespace edgechat::worker
