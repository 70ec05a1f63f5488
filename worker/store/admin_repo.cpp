#include "store/admin_repo.hpp"

#include "common/text.hpp"
#include "store/mysql_chat_store.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {

void BumpRegistryRevision(DbConnection& c) {
  auto bump = Prepare(c, "UPDATE registry_state SET revision = revision + 1 WHERE id = 1");
  bump->executeUpdate();
}

Result<Site> InsertSite(DbConnection& c, const NewSite& site) {
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
}

Result<std::vector<Site>> ListSites(ConnectionPool& pool) {
  using Sites = std::vector<Site>;
  return WithConnection<Sites>(
      pool, [&](DbConnection& c) -> Result<Sites> { return LoadSitesWithOrigins(c); });
}

Result<std::uint64_t> InsertAdmin(DbConnection& c, const std::string& username,
                                  const std::string& display_name, const std::string& password_hash) {
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
