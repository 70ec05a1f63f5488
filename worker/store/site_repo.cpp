#include "store/site_repo.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "store/site_lock.hpp"

namespace edgechat::worker {

using nlohmann::json;

std::vector<Site> LoadSitesWithOrigins(DbConnection& c) {
  std::vector<Site> sites;
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
}

void LoadActiveSecretKeyHashes(DbConnection& c, std::vector<Site>& sites) {
  std::map<std::uint64_t, Site*> by_id;
  for (Site& site : sites) by_id[site.id] = &site;
  auto keys = Prepare(c,
                      "SELECT site_id, key_hash FROM site_secret_keys WHERE revoked_at IS NULL "
                      "ORDER BY site_id, id");
  auto rs = Query(*keys);
  while (rs->next()) {
    auto it = by_id.find(rs->getUInt64("site_id"));
    if (it != by_id.end()) it->second->secret_key_hashes.push_back(rs->getString("key_hash"));
  }
}

Site SiteFromRow(sql::ResultSet& rs) {
  Site site;
  site.id = rs.getUInt64("id");
  site.key = rs.getString("site_key");
  site.name = rs.getString("name");
  site.title = rs.getString("title");
  site.primary_color = rs.getString("primary_color");
  site.locked = rs.getInt("locked") != 0;
  site.locked_message = rs.getString("locked_message");
  site.locale = OptionalString(rs, "locale");
  site.main = rs.getInt("is_main") != 0;
  site.limits.messages = rs.getUInt("rate_limit_messages");
  site.limits.window_seconds = rs.getUInt("rate_limit_window_s");
  site.limits.burst = rs.getUInt("rate_limit_burst");
  site.limits.message = rs.getString("rate_limit_message");
  site.created_at = MysqlUtcToIso(std::string(rs.getString("created_at")));
  return site;
}

Result<Site> ReadSite(DbConnection& c, const std::string& site_key, bool lock) {
  auto stmt = Prepare(c, std::string("SELECT ") + kSiteColumns + " FROM sites WHERE site_key = ?" +
                             (lock ? " FOR UPDATE" : ""));
  stmt->setString(1, site_key);
  auto rs = Query(*stmt);
  if (!rs->next()) return Error{ErrorKind::kNotFound, "not_found", "no site with key " + site_key};
  Site site = SiteFromRow(*rs);
  auto origins = Prepare(c, "SELECT origin FROM site_origins WHERE site_id = ? ORDER BY id");
  origins->setUInt64(1, site.id);
  auto ors = Query(*origins);
  while (ors->next()) site.origins.push_back(ors->getString("origin"));
  return site;
}

void BumpRegistryRevision(DbConnection& c) {
  auto bump = Prepare(c, "UPDATE registry_state SET revision = revision + 1 WHERE id = 1");
  bump->executeUpdate();
}

Result<std::int64_t> ReadRegistryRevision(DbConnection& c) {
  auto stmt = Prepare(c, "SELECT revision FROM registry_state WHERE id = 1");
  auto rs = Query(*stmt);
  if (!rs->next())
    return Error{ErrorKind::kInternal, "db_error", "registry_state has no row (run migrate)"};
  return static_cast<std::int64_t>(rs->getInt64("revision"));
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
      return Error{ErrorKind::kConflict, "conflict",
                   "a site named \"" + site.name + "\" (or with that key) exists"};
    }
    throw;
  }
  auto read = Prepare(
      c,
      (std::string("SELECT ") + kSiteColumns + " FROM sites WHERE id = LAST_INSERT_ID()").c_str());
  auto rs = Query(*read);
  if (!rs->next()) return Error{ErrorKind::kInternal, "db_error", "inserted site not found"};
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

Result<std::optional<Site>> FindSiteByKey(ConnectionPool& pool, std::string_view key) {
  return WithConnection<std::optional<Site>>(pool, [&](DbConnection& c) {
    auto stmt = Prepare(
        c, (std::string("SELECT ") + kSiteColumns + " FROM sites WHERE site_key = ?").c_str());
    stmt->setString(1, std::string(key));
    auto rs = Query(*stmt);
    if (!rs->next()) return Result<std::optional<Site>>(std::optional<Site>());
    return Result<std::optional<Site>>(std::optional<Site>(SiteFromRow(*rs)));
  });
}

Result<std::vector<Site>> ListSites(ConnectionPool& pool) {
  using Sites = std::vector<Site>;
  return WithConnection<Sites>(
      pool, [&](DbConnection& c) -> Result<Sites> { return LoadSitesWithOrigins(c); });
}

Result<Site> FindSiteWithOrigins(ConnectionPool& pool, const std::string& site_key) {
  return WithConnection<Site>(
      pool, [&](DbConnection& c) -> Result<Site> { return ReadSite(c, site_key, /*lock=*/false); });
}

namespace {

// Applies `p` to the site `s` (its row locked, inside the caller's transaction) and bumps the
// registry revision if anything changed. Returns what changed ({field: {from, to}}), for the
// caller's audit row; empty when the patch changed nothing.
Result<json> ApplySitePatch(DbConnection& c, Site& s, const SitePatch& p) {
  json changed = json::object();
  auto set_text = [&](const std::optional<std::string>& value, std::string& field,
                      const char* name) {
    if (value && *value != field) {
      changed[name] = {{"from", field}, {"to", *value}};
      field = *value;
    }
  };
  set_text(p.name, s.name, "name");
  set_text(p.title, s.title, "title");
  set_text(p.primary_color, s.primary_color, "primaryColor");
  set_text(p.locked_message, s.locked_message, "lockedMessage");
  set_text(p.limit_message, s.limits.message, "limits.message");
  if (p.locale) {
    std::optional<std::string> next =
        p.locale->empty() ? std::nullopt : std::optional<std::string>(*p.locale);
    if (next != s.locale) {
      changed["locale"] = {{"from", s.locale ? json(*s.locale) : json(nullptr)},
                           {"to", next ? json(*next) : json(nullptr)}};
      s.locale = next;
    }
  }
  auto set_bool = [&](const std::optional<bool>& value, bool& field, const char* name) {
    if (value && *value != field) {
      changed[name] = {{"from", field}, {"to", *value}};
      field = *value;
    }
  };
  set_bool(p.locked, s.locked, "locked");
  set_bool(p.is_main, s.main, "main");
  auto set_uint = [&](const std::optional<unsigned>& value, unsigned& field, const char* name) {
    if (value && *value != field) {
      changed[name] = {{"from", field}, {"to", *value}};
      field = *value;
    }
  };
  set_uint(p.limit_messages, s.limits.messages, "limits.messages");
  set_uint(p.limit_window_seconds, s.limits.window_seconds, "limits.windowSeconds");
  set_uint(p.limit_burst, s.limits.burst, "limits.burst");
  if (changed.empty()) return changed;
  if (p.is_main && *p.is_main) {
    Prepare(c, "UPDATE sites SET is_main = 0, revision = revision + 1 WHERE is_main = 1")
        ->executeUpdate();
  }
  try {
    auto update = Prepare(c,
                          "UPDATE sites SET name = ?, title = ?, primary_color = ?, locked = ?, "
                          "locked_message = ?, locale = ?, is_main = ?, rate_limit_messages = ?, "
                          "rate_limit_window_s = ?, rate_limit_burst = ?, rate_limit_message = ?, "
                          "revision = revision + 1 WHERE id = ?");
    update->setString(1, s.name);
    update->setString(2, s.title);
    update->setString(3, s.primary_color);
    update->setBoolean(4, s.locked);
    update->setString(5, s.locked_message);
    if (s.locale) {
      update->setString(6, *s.locale);
    } else {
      update->setNull(6, sql::DataType::VARCHAR);
    }
    update->setBoolean(7, s.main);
    update->setUInt(8, s.limits.messages);
    update->setUInt(9, s.limits.window_seconds);
    update->setUInt(10, s.limits.burst);
    update->setString(11, s.limits.message);
    update->setUInt64(12, s.id);
    update->executeUpdate();
  } catch (const sql::SQLException& e) {
    if (IsDuplicateKey(e))
      return Error{ErrorKind::kConflict, "conflict", "a site named \"" + s.name + "\" exists"};
    throw;
  }
  BumpRegistryRevision(c);
  return changed;
}

}  // namespace

Result<Site> UpdateSite(ConnectionPool& pool, const std::string& site_key, const SitePatch& p,
                        const Actor& actor) {
  return ChangeSite<Site>(pool, site_key, [&](DbConnection& c, Site s) -> Result<Site> {
    auto changed = ApplySitePatch(c, s, p);
    if (!changed) return changed.error();
    if (changed->empty()) return s;
    AppendAudit(c, actor, "site.update", s.key,
                AuditDetail({{"site", s.name}, {"changes", *changed}}));
    return s;
  });
}

Result<Site> CreateSite(ConnectionPool& pool, const NewSite& site, const SitePatch& settings,
                        const Actor& actor) {
  return WithTransaction<Site>(pool, [&](DbConnection& c) -> Result<Site> {
    auto inserted = InsertSite(c, site);
    if (!inserted) return inserted.error();
    Site created = *inserted;
    auto changed = ApplySitePatch(c, created, settings);
    if (!changed) return changed.error();
    json detail = {{"site", created.name}, {"origins", created.origins}};
    if (!changed->empty()) detail["settings"] = *changed;
    AppendAudit(c, actor, "site.create", created.key, AuditDetail(detail));
    return created;
  });
}

Status DeleteSite(ConnectionPool& pool, const std::string& site_key, const Actor& actor) {
  return ChangeSite<Ok>(pool, site_key, [&](DbConnection& c, const Site& site) -> Status {
    auto del = Prepare(c, "DELETE FROM sites WHERE id = ?");
    del->setUInt64(1, site.id);
    del->executeUpdate();
    BumpRegistryRevision(c);
    AppendAudit(c, actor, "site.remove", site_key, AuditDetail({{"site", site.name}}));
    return Ok{};
  });
}

namespace {

// The origin changes of one transaction, the site's row locked by the caller.
Status AddOriginIn(DbConnection& c, Site& s, const std::string& origin, const Actor& actor) {
  auto add = Prepare(c, "INSERT IGNORE INTO site_origins (site_id, origin) VALUES (?, ?)");
  add->setUInt64(1, s.id);
  add->setString(2, origin);
  if (add->executeUpdate() == 0) {
    return Error{ErrorKind::kConflict, "conflict", origin + " is already allowed for " + s.name};
  }
  s.origins.push_back(origin);
  auto touch = Prepare(c, "UPDATE sites SET revision = revision + 1 WHERE id = ?");
  touch->setUInt64(1, s.id);
  touch->executeUpdate();
  BumpRegistryRevision(c);
  AppendAudit(c, actor, "origin.add", s.key, AuditDetail({{"site", s.name}, {"origin", origin}}));
  return Ok{};
}

Status RemoveOriginIn(DbConnection& c, Site& s, const std::string& origin, const Actor& actor) {
  auto del = Prepare(c, "DELETE FROM site_origins WHERE site_id = ? AND origin = ?");
  del->setUInt64(1, s.id);
  del->setString(2, origin);
  if (del->executeUpdate() == 0) {
    return Error{ErrorKind::kNotFound, "not_found",
                 origin + " is not an allowed origin of " + s.name};
  }
  std::erase(s.origins, origin);
  BumpRegistryRevision(c);
  AppendAudit(c, actor, "origin.remove", s.key,
              AuditDetail({{"site", s.name}, {"origin", origin}}));
  return Ok{};
}

}  // namespace

Result<Site> AddSiteOrigin(ConnectionPool& pool, const std::string& site_key,
                           const std::string& origin, const Actor& actor) {
  return ChangeSite<Site>(pool, site_key, [&](DbConnection& c, Site s) -> Result<Site> {
    auto added = AddOriginIn(c, s, origin, actor);
    if (!added) return added.error();
    return s;
  });
}

Result<Site> RemoveSiteOrigin(ConnectionPool& pool, const std::string& site_key,
                              const std::string& origin, const Actor& actor) {
  return ChangeSite<Site>(pool, site_key, [&](DbConnection& c, Site s) -> Result<Site> {
    auto removed = RemoveOriginIn(c, s, origin, actor);
    if (!removed) return removed.error();
    return s;
  });
}

Result<Site> ChangeSiteWithOrigins(ConnectionPool& pool, const std::string& site_key,
                                   const SiteChange& change, const Actor& actor) {
  return ChangeSite<Site>(pool, site_key, [&](DbConnection& c, Site s) -> Result<Site> {
    auto changed = ApplySitePatch(c, s, change.patch);
    if (!changed) return changed.error();
    if (!changed->empty()) {
      AppendAudit(c, actor, "site.update", s.key,
                  AuditDetail({{"site", s.name}, {"changes", *changed}}));
    }
    for (const auto& origin : change.remove_origins) {
      auto removed = RemoveOriginIn(c, s, origin, actor);
      if (!removed) return removed.error();
    }
    for (const auto& origin : change.add_origins) {
      auto added = AddOriginIn(c, s, origin, actor);
      if (!added) return added.error();
    }
    return s;
  });
}

Result<Site> RegenerateSiteKey(ConnectionPool& pool, const std::string& site_key,
                               const std::string& new_key, const Actor& actor) {
  return ChangeSite<Site>(pool, site_key, [&](DbConnection& c, Site s) -> Result<Site> {
    auto update = Prepare(c, "UPDATE sites SET site_key = ?, revision = revision + 1 WHERE id = ?");
    update->setString(1, new_key);
    update->setUInt64(2, s.id);
    update->executeUpdate();
    s.key = new_key;
    BumpRegistryRevision(c);
    AppendAudit(c, actor, "site.key_regenerate", new_key,
                AuditDetail({{"site", s.name}, {"previousKey", site_key}}));
    return s;
  });
}

}  // namespace edgechat::worker
