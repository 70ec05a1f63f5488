#include "store/admin_repo.hpp"

#include <map>

#include "common/text.hpp"
#include "store/mysql_chat_store.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {

namespace {

void BumpRegistryRevision(DbConnection& c) {
  auto bump = Prepare(c, "UPDATE registry_state SET revision = revision + 1 WHERE id = 1");
  bump->executeUpdate();
}

}  // namespace

Result<Site> CreateSite(ConnectionPool& pool, const NewSite& site) {
  return WithTransaction<Site>(pool, [&](DbConnection& c) -> Result<Site> {
    if (site.is_main) {
      auto unmark = Prepare(c,
                            "UPDATE sites SET is_main = 0, revision = revision + 1 "
                            "WHERE is_main = 1");
      unmark->executeUpdate();
    }
    try {
      auto insert = Prepare(c,
                            "INSERT INTO sites (site_key, name, title, primary_color, is_main) "
                            "VALUES (?, ?, ?, ?, ?)");
      insert->setString(1, site.key);
      insert->setString(2, site.name);
      insert->setString(3, site.title);
      insert->setString(4, site.primary_color);
      insert->setBoolean(5, site.is_main);
      insert->executeUpdate();
    } catch (const sql::SQLException& e) {
      if (IsDuplicateKey(e)) {
        return Error{"conflict", "a site named \"" + site.name + "\" (or with that key) exists"};
      }
      throw;
    }
    auto read = Prepare(
        c, (std::string("SELECT ") + kSiteColumns + " FROM sites WHERE id = LAST_INSERT_ID()")
               .c_str());
    auto rs = Query(*read);
    if (!rs->next()) return Error{"db_error", "inserted site not found"};
    Site created = SiteFromRow(*rs);
    for (const auto& origin : site.origins) {
      auto add = Prepare(c, "INSERT IGNORE INTO site_origins (site_id, origin) VALUES (?, ?)");
      add->setUInt64(1, created.id);
      add->setString(2, origin);
      add->executeUpdate();
      created.origins.push_back(origin);
    }
    BumpRegistryRevision(c);
    return created;
  });
}

Result<std::vector<Site>> ListSites(ConnectionPool& pool) {
  using Sites = std::vector<Site>;
  return WithConnection<Sites>(pool, [&](DbConnection& c) -> Result<Sites> {
    Sites sites;
    std::map<std::uint64_t, std::size_t> index;
    auto stmt = Prepare(c, std::string("SELECT ") + kSiteColumns + " FROM sites ORDER BY id");
    auto rs = Query(*stmt);
    while (rs->next()) {
      index[rs->getUInt64("id")] = sites.size();
      sites.push_back(SiteFromRow(*rs));
    }
    auto origins = Prepare(c, "SELECT site_id, origin FROM site_origins ORDER BY site_id, id");
    auto ors = Query(*origins);
    while (ors->next()) {
      auto it = index.find(ors->getUInt64("site_id"));
      if (it != index.end()) sites[it->second].origins.push_back(ors->getString("origin"));
    }
    return sites;
  });
}

Result<std::uint64_t> AddAdmin(ConnectionPool& pool, const std::string& username,
                               const std::string& display_name, const std::string& password_hash) {
  return WithConnection<std::uint64_t>(pool, [&](DbConnection& c) -> Result<std::uint64_t> {
    try {
      auto insert = Prepare(c,
                            "INSERT INTO admins (username, display_name, password_hash) "
                            "VALUES (?, ?, ?)");
      insert->setString(1, username);
      insert->setString(2, display_name);
      insert->setString(3, password_hash);
      insert->executeUpdate();
    } catch (const sql::SQLException& e) {
      if (IsDuplicateKey(e)) return Error{"conflict", "admin \"" + username + "\" exists"};
      throw;
    }
    auto id = Prepare(c, "SELECT LAST_INSERT_ID() AS id");
    auto rs = Query(*id);
    rs->next();
    return static_cast<std::uint64_t>(rs->getUInt64("id"));
  });
}

Result<std::vector<MessageListing>> ListRecentMessages(ConnectionPool& pool,
                                                       const std::optional<std::string>& site_key,
                                                       unsigned limit) {
  using Rows = std::vector<MessageListing>;
  return WithConnection<Rows>(pool, [&](DbConnection& c) -> Result<Rows> {
    if (site_key) {
      auto check = Prepare(c, "SELECT id FROM sites WHERE site_key = ?");
      check->setString(1, *site_key);
      auto rs = Query(*check);
      if (!rs->next()) return Error{"not_found", "no site with key " + *site_key};
    }
    static constexpr const char* kSelect =
        "SELECT m.id, m.conversation_id, s.site_key, s.name AS site_name, c.source, m.author, "
        "m.body, m.client_id, m.created_at FROM messages m "
        "JOIN conversations c ON c.id = m.conversation_id JOIN sites s ON s.id = c.site_id ";
    sql::PreparedStatement* stmt = nullptr;
    if (site_key) {
      stmt = Prepare(
          c, (std::string(kSelect) + "WHERE s.site_key = ? ORDER BY m.id DESC LIMIT ?").c_str());
      stmt->setString(1, *site_key);
      stmt->setUInt(2, limit);
    } else {
      stmt = Prepare(c, std::string(kSelect) + "ORDER BY m.id DESC LIMIT ?");
      stmt->setUInt(1, limit);
    }
    auto rs = Query(*stmt);
    Rows rows;
    while (rs->next()) {
      MessageListing row;
      row.id = rs->getUInt64("id");
      row.conversation_id = rs->getUInt64("conversation_id");
      row.site_key = rs->getString("site_key");
      row.site_name = rs->getString("site_name");
      row.source = rs->getString("source");
      row.author = rs->getString("author");
      row.text = rs->getString("body");
      row.client_id = OptionalString(*rs, "client_id");
      row.created_at = MysqlUtcToIso(std::string(rs->getString("created_at")));
      rows.push_back(std::move(row));
    }
    return rows;
  });
}

}  // namespace edgechat::worker

namespace edgechat::worker {

namespace {

std::optional<std::uint64_t> LockSiteByKey(DbConnection& c, const std::string& key) {
  auto stmt = Prepare(c, "SELECT id FROM sites WHERE site_key = ? FOR UPDATE");
  stmt->setString(1, key);
  auto rs = Query(*stmt);
  if (!rs->next()) return std::nullopt;
  return rs->getUInt64("id");
}

Result<Site> ReadSiteWithOrigins(DbConnection& c, std::uint64_t id) {
  auto read = Prepare(c, std::string("SELECT ") + kSiteColumns + " FROM sites WHERE id = ?");
  read->setUInt64(1, id);
  auto rs = Query(*read);
  if (!rs->next()) return Error{"not_found", "site vanished"};
  Site site = SiteFromRow(*rs);
  auto origins = Prepare(c, "SELECT origin FROM site_origins WHERE site_id = ? ORDER BY id");
  origins->setUInt64(1, id);
  auto ors = Query(*origins);
  while (ors->next()) site.origins.push_back(ors->getString("origin"));
  return site;
}

void SetColumn(DbConnection& c, std::uint64_t id, const char* update_sql, const std::string& v) {
  auto stmt = Prepare(c, update_sql);
  stmt->setString(1, v);
  stmt->setUInt64(2, id);
  stmt->executeUpdate();
}

void SetColumn(DbConnection& c, std::uint64_t id, const char* update_sql, unsigned v) {
  auto stmt = Prepare(c, update_sql);
  stmt->setUInt(1, v);
  stmt->setUInt64(2, id);
  stmt->executeUpdate();
}

std::optional<std::uint64_t> SiteIdByKey(DbConnection& c, const std::string& key) {
  auto stmt = Prepare(c, "SELECT id FROM sites WHERE site_key = ?");
  stmt->setString(1, key);
  auto rs = Query(*stmt);
  if (!rs->next()) return std::nullopt;
  return rs->getUInt64("id");
}

SecretKeyInfo SecretFromRow(sql::ResultSet& rs) {
  SecretKeyInfo info;
  info.id = rs.getUInt64("id");
  info.prefix = rs.getString("key_prefix");
  info.label = rs.getString("label");
  info.created_at = MysqlUtcToIso(std::string(rs.getString("created_at")));
  if (auto v = OptionalString(rs, "last_used_at")) info.last_used_at = MysqlUtcToIso(*v);
  if (auto v = OptionalString(rs, "revoked_at")) info.revoked_at = MysqlUtcToIso(*v);
  return info;
}

constexpr const char* kSecretColumns =
    "id, key_prefix, label, created_at, last_used_at, revoked_at";

}  // namespace

Result<Site> UpdateSite(ConnectionPool& pool, const std::string& key, const SiteChanges& ch) {
  return WithTransaction<Site>(pool, [&](DbConnection& c) -> Result<Site> {
    auto id = LockSiteByKey(c, key);
    if (!id) return Error{"not_found", "no site with key " + key};
    try {
      if (ch.name) SetColumn(c, *id, "UPDATE sites SET name = ? WHERE id = ?", *ch.name);
    } catch (const sql::SQLException& e) {
      if (IsDuplicateKey(e)) return Error{"conflict", "a site named \"" + *ch.name + "\" exists"};
      throw;
    }
    if (ch.title) SetColumn(c, *id, "UPDATE sites SET title = ? WHERE id = ?", *ch.title);
    if (ch.primary_color) {
      SetColumn(c, *id, "UPDATE sites SET primary_color = ? WHERE id = ?", *ch.primary_color);
    }
    if (ch.locked) {
      SetColumn(c, *id, "UPDATE sites SET locked = ? WHERE id = ?", *ch.locked ? 1u : 0u);
    }
    if (ch.locked_message) {
      SetColumn(c, *id, "UPDATE sites SET locked_message = ? WHERE id = ?", *ch.locked_message);
    }
    if (ch.locale) {
      auto stmt = Prepare(c, "UPDATE sites SET locale = ? WHERE id = ?");
      if (*ch.locale) {
        stmt->setString(1, **ch.locale);
      } else {
        stmt->setNull(1, sql::DataType::VARCHAR);
      }
      stmt->setUInt64(2, *id);
      stmt->executeUpdate();
    }
    if (ch.is_main && *ch.is_main) {
      auto unmark = Prepare(c,
                            "UPDATE sites SET is_main = 0, revision = revision + 1 "
                            "WHERE is_main = 1 AND id <> ?");
      unmark->setUInt64(1, *id);
      unmark->executeUpdate();
      SetColumn(c, *id, "UPDATE sites SET is_main = ? WHERE id = ?", 1u);
    }
    if (ch.rate_messages) {
      SetColumn(c, *id, "UPDATE sites SET rate_limit_messages = ? WHERE id = ?", *ch.rate_messages);
    }
    if (ch.rate_window_seconds) {
      SetColumn(c, *id, "UPDATE sites SET rate_limit_window_s = ? WHERE id = ?",
                *ch.rate_window_seconds);
    }
    if (ch.rate_burst) {
      SetColumn(c, *id, "UPDATE sites SET rate_limit_burst = ? WHERE id = ?", *ch.rate_burst);
    }
    if (ch.rate_message) {
      SetColumn(c, *id, "UPDATE sites SET rate_limit_message = ? WHERE id = ?", *ch.rate_message);
    }
    if (ch.rotate_key) {
      SetColumn(c, *id, "UPDATE sites SET site_key = ? WHERE id = ?", ch.new_key);
    }
    for (const auto& origin : ch.remove_origins) {
      auto remove = Prepare(c, "DELETE FROM site_origins WHERE site_id = ? AND origin = ?");
      remove->setUInt64(1, *id);
      remove->setString(2, origin);
      if (remove->executeUpdate() == 0) {
        return Error{"not_found", "the site has no origin " + origin};
      }
    }
    for (const auto& origin : ch.add_origins) {
      auto add = Prepare(c, "INSERT IGNORE INTO site_origins (site_id, origin) VALUES (?, ?)");
      add->setUInt64(1, *id);
      add->setString(2, origin);
      add->executeUpdate();
    }
    auto bump_site = Prepare(c, "UPDATE sites SET revision = revision + 1 WHERE id = ?");
    bump_site->setUInt64(1, *id);
    bump_site->executeUpdate();
    BumpRegistryRevision(c);
    return ReadSiteWithOrigins(c, *id);
  });
}

Result<Site> FindSite(ConnectionPool& pool, const std::string& key) {
  return WithConnection<Site>(pool, [&](DbConnection& c) -> Result<Site> {
    auto id = SiteIdByKey(c, key);
    if (!id) return Error{"not_found", "no site with key " + key};
    return ReadSiteWithOrigins(c, *id);
  });
}

Result<SecretKeyInfo> AddSecretKey(ConnectionPool& pool, const std::string& site_key,
                                   const std::string& key_prefix, const std::string& key_hash,
                                   const std::string& label) {
  return WithTransaction<SecretKeyInfo>(pool, [&](DbConnection& c) -> Result<SecretKeyInfo> {
    auto id = LockSiteByKey(c, site_key);
    if (!id) return Error{"not_found", "no site with key " + site_key};
    auto insert = Prepare(c,
                          "INSERT INTO site_secret_keys (site_id, key_prefix, key_hash, label) "
                          "VALUES (?, ?, ?, ?)");
    insert->setUInt64(1, *id);
    insert->setString(2, key_prefix);
    insert->setString(3, key_hash);
    insert->setString(4, label);
    insert->executeUpdate();
    auto read = Prepare(c, std::string("SELECT ") + kSecretColumns +
                               " FROM site_secret_keys WHERE id = LAST_INSERT_ID()");
    auto rs = Query(*read);
    if (!rs->next()) return Error{"db_error", "inserted key not found"};
    SecretKeyInfo info = SecretFromRow(*rs);
    BumpRegistryRevision(c);
    return info;
  });
}

Result<std::vector<SecretKeyInfo>> ListSecretKeys(ConnectionPool& pool,
                                                  const std::string& site_key) {
  using Keys = std::vector<SecretKeyInfo>;
  return WithConnection<Keys>(pool, [&](DbConnection& c) -> Result<Keys> {
    auto id = SiteIdByKey(c, site_key);
    if (!id) return Error{"not_found", "no site with key " + site_key};
    auto stmt = Prepare(c, std::string("SELECT ") + kSecretColumns +
                               " FROM site_secret_keys WHERE site_id = ? ORDER BY id");
    stmt->setUInt64(1, *id);
    auto rs = Query(*stmt);
    Keys keys;
    while (rs->next()) keys.push_back(SecretFromRow(*rs));
    return keys;
  });
}

Result<SecretKeyInfo> RevokeSecretKey(ConnectionPool& pool, const std::string& site_key,
                                      const std::string& id_or_prefix) {
  return WithTransaction<SecretKeyInfo>(pool, [&](DbConnection& c) -> Result<SecretKeyInfo> {
    auto site_id = LockSiteByKey(c, site_key);
    if (!site_id) return Error{"not_found", "no site with key " + site_key};
    auto find = Prepare(c, std::string("SELECT ") + kSecretColumns +
                               " FROM site_secret_keys WHERE site_id = ? "
                               "AND (CAST(id AS CHAR) = ? OR key_prefix = ?)");
    find->setUInt64(1, *site_id);
    find->setString(2, id_or_prefix);
    find->setString(3, id_or_prefix);
    auto rs = Query(*find);
    if (!rs->next()) return Error{"not_found", "no secret key " + id_or_prefix + " on this site"};
    SecretKeyInfo info = SecretFromRow(*rs);
    if (rs->next()) {
      return Error{"conflict", "several keys match " + id_or_prefix + ": give the id"};
    }
    auto revoke = Prepare(c,
                          "UPDATE site_secret_keys SET revoked_at = UTC_TIMESTAMP(6) "
                          "WHERE id = ? AND revoked_at IS NULL");
    revoke->setUInt64(1, info.id);
    revoke->executeUpdate();
    BumpRegistryRevision(c);
    auto reread =
        Prepare(c, std::string("SELECT ") + kSecretColumns + " FROM site_secret_keys WHERE id = ?");
    reread->setUInt64(1, info.id);
    auto rrs = Query(*reread);
    if (rrs->next()) info = SecretFromRow(*rrs);
    return info;
  });
}

}  // namespace edgechat::worker
