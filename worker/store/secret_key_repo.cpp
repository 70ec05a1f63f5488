#include "store/secret_key_repo.hpp"

#include "common/ids.hpp"
#include "common/text.hpp"
#include "store/site_lock.hpp"
#include "store/site_repo.hpp"

namespace edgechat::worker {

namespace {

SecretKeyInfo SecretKeyFromRow(sql::ResultSet& rs) {
  SecretKeyInfo k;
  k.id = rs.getUInt64("id");
  k.site_key = rs.getString("site_key");
  k.prefix = rs.getString("key_prefix");
  k.label = rs.getString("label");
  k.created_at = MysqlUtcToIso(std::string(rs.getString("created_at")));
  k.last_used_at = OptionalIso(rs, "last_used_at");
  k.revoked_at = OptionalIso(rs, "revoked_at");
  k.can_sign_identities = rs.getInt("sealed") != 0;
  return k;
}

constexpr const char* kSecretKeySelect =
    "SELECT k.id, s.site_key, k.key_prefix, k.label, k.created_at, k.last_used_at, k.revoked_at, "
    "k.sealed_key IS NOT NULL AS sealed "
    "FROM site_secret_keys k JOIN sites s ON s.id = k.site_id ";

}  // namespace

std::string NewSecretKey(const RandomFill& random) {
  return "esk_" + RandomAlnum(random, 40);
}

Result<SecretKeyInfo> CreateSecretKey(ConnectionPool& pool, const std::string& site_key,
                                      const std::string& secret, const std::string& label,
                                      const Actor& actor,
                                      const std::optional<std::string>& sealed) {
  return ChangeSite<SecretKeyInfo>(
      pool, site_key, [&](DbConnection& c, const Site& site) -> Result<SecretKeyInfo> {
        auto insert = Prepare(c,
                              "INSERT INTO site_secret_keys "
                              "(site_id, key_prefix, key_hash, label, sealed_key) "
                              "VALUES (?, ?, ?, ?, ?)");
        insert->setUInt64(1, site.id);
        insert->setString(2, secret.substr(0, kSecretKeyPrefixLength));
        insert->setString(3, Sha256Hex(secret));
        insert->setString(4, label);
        if (sealed) {
          insert->setString(
              5, LowerHex(reinterpret_cast<const unsigned char*>(sealed->data()), sealed->size()));
        } else {
          insert->setNull(5, sql::DataType::VARCHAR);
        }
        insert->executeUpdate();
        auto read = Prepare(c, std::string(kSecretKeySelect) + "WHERE k.id = LAST_INSERT_ID()");
        auto rs = Query(*read);
        if (!rs->next()) return Error{ErrorKind::kInternal, "db_error", "inserted key not found"};
        SecretKeyInfo info = SecretKeyFromRow(*rs);
        BumpRegistryRevision(c);
        AppendAudit(c, actor, "secret_key.create", site_key,
                    AuditDetail({{"site", site.name},
                                 {"keyId", info.id},
                                 {"prefix", info.prefix},
                                 {"label", label}}));
        return info;
      });
}

Result<std::vector<SecretKeyInfo>> ListSecretKeys(ConnectionPool& pool,
                                                  const std::string& site_key) {
  using Keys = std::vector<SecretKeyInfo>;
  return WithConnection<Keys>(pool, [&](DbConnection& c) -> Result<Keys> {
    auto check = Prepare(c, "SELECT id FROM sites WHERE site_key = ?");
    check->setString(1, site_key);
    if (!Query(*check)->next())
      return Error{ErrorKind::kNotFound, "not_found", "no site with key " + site_key};
    auto stmt = Prepare(c, std::string(kSecretKeySelect) + "WHERE s.site_key = ? ORDER BY k.id");
    stmt->setString(1, site_key);
    auto rs = Query(*stmt);
    Keys keys;
    while (rs->next()) keys.push_back(SecretKeyFromRow(*rs));
    return keys;
  });
}

Result<SecretKeyInfo> RevokeSecretKey(ConnectionPool& pool, const std::string& site_key,
                                      std::uint64_t key_id, const Actor& actor) {
  return ChangeSite<SecretKeyInfo>(
      pool, site_key, [&](DbConnection& c, const Site& site) -> Result<SecretKeyInfo> {
        auto revoke = Prepare(c,
                              "UPDATE site_secret_keys SET revoked_at = UTC_TIMESTAMP(6) "
                              "WHERE id = ? AND site_id = ? AND revoked_at IS NULL");
        revoke->setUInt64(1, key_id);
        revoke->setUInt64(2, site.id);
        bool changed = revoke->executeUpdate() > 0;
        auto read = Prepare(c, std::string(kSecretKeySelect) + "WHERE k.id = ? AND k.site_id = ?");
        read->setUInt64(1, key_id);
        read->setUInt64(2, site.id);
        auto rs = Query(*read);
        if (!rs->next()) {
          return Error{ErrorKind::kNotFound, "not_found",
                       "no secret key " + std::to_string(key_id) + " for " + site.name};
        }
        SecretKeyInfo info = SecretKeyFromRow(*rs);
        if (changed) {
          BumpRegistryRevision(c);
          AppendAudit(
              c, actor, "secret_key.revoke", site_key,
              AuditDetail({{"site", site.name}, {"keyId", info.id}, {"prefix", info.prefix}}));
        }
        return info;
      });
}

Result<std::optional<SecretKeyRecord>> FindSecretKeyByHash(ConnectionPool& pool,
                                                           const std::string& key_hash) {
  using Found = std::optional<SecretKeyRecord>;
  return WithConnection<Found>(pool, [&](DbConnection& c) -> Result<Found> {
    auto stmt = Prepare(c,
                        "SELECT k.id, s.site_key, k.key_prefix, k.key_hash, "
                        "k.revoked_at IS NOT NULL AS revoked "
                        "FROM site_secret_keys k JOIN sites s ON s.id = k.site_id "
                        "WHERE k.key_hash = ?");
    stmt->setString(1, key_hash);
    auto rs = Query(*stmt);
    if (!rs->next()) return Found{};
    SecretKeyRecord record;
    record.id = rs->getUInt64("id");
    record.site_key = rs->getString("site_key");
    record.prefix = rs->getString("key_prefix");
    record.key_hash = rs->getString("key_hash");
    record.revoked = rs->getInt("revoked") != 0;
    return Found{std::move(record)};
  });
}

Result<std::vector<IdentityKeyRow>> FindIdentityKeys(ConnectionPool& pool, std::uint64_t site_id,
                                                     const std::string& prefix) {
  using Rows = std::vector<IdentityKeyRow>;
  return WithConnection<Rows>(pool, [&](DbConnection& c) -> Result<Rows> {
    auto stmt = Prepare(c,
                        "SELECT id, key_prefix, sealed_key, revoked_at IS NOT NULL AS revoked "
                        "FROM site_secret_keys WHERE site_id = ? AND key_prefix = ? ORDER BY id");
    stmt->setUInt64(1, site_id);
    stmt->setString(2, prefix);
    auto rs = Query(*stmt);
    Rows rows;
    while (rs->next()) {
      IdentityKeyRow row;
      row.id = rs->getUInt64("id");
      row.prefix = rs->getString("key_prefix");
      // A column that is not hex gives no bytes: the key then cannot be opened (identity refused).
      if (!rs->isNull("sealed_key")) {
        row.sealed = BytesOfHex(std::string(rs->getString("sealed_key"))).value_or(std::string());
      }
      row.revoked = rs->getInt("revoked") != 0;
      rows.push_back(std::move(row));
    }
    return rows;
  });
}

Status TouchSecretKey(ConnectionPool& pool, std::uint64_t key_id) {
  return WithConnection<Ok>(pool, [&](DbConnection& c) -> Status {
    auto stmt =
        Prepare(c, "UPDATE site_secret_keys SET last_used_at = UTC_TIMESTAMP(6) WHERE id = ?");
    stmt->setUInt64(1, key_id);
    stmt->executeUpdate();
    return Ok{};
  });
}

}  // namespace edgechat::worker
