#include "admin/admin_store.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "store/admin_repo.hpp"
#include "store/mysql_chat_store.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {

namespace {

using nlohmann::json;

std::string Compact(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The site with its origins; with `lock`, its row stays locked until the transaction ends.
Result<Site> ReadSite(DbConnection& c, const std::string& site_key, bool lock) {
  auto stmt = Prepare(c, std::string("SELECT ") + kSiteColumns + " FROM sites WHERE site_key = ?" +
                             (lock ? " FOR UPDATE" : ""));
  stmt->setString(1, site_key);
  auto rs = Query(*stmt);
  if (!rs->next()) return Error{"not_found", "no site with key " + site_key};
  Site site = SiteFromRow(*rs);
  auto origins = Prepare(c, "SELECT origin FROM site_origins WHERE site_id = ? ORDER BY id");
  origins->setUInt64(1, site.id);
  auto ors = Query(*origins);
  while (ors->next()) site.origins.push_back(ors->getString("origin"));
  return site;
}

// Runs `change` in one transaction on the site named by `site_key`, its row locked FOR UPDATE
// (so concurrent changes to one site apply one after the other); an error rolls it all back.
template <typename T, typename Fn>
Result<T> ChangeSite(ConnectionPool& pool, const std::string& site_key, Fn change) {
  return WithTransaction<T>(pool, [&](DbConnection& c) -> Result<T> {
    auto site = ReadSite(c, site_key, /*lock=*/true);
    if (!site) return site.error();
    return change(c, std::move(site.value()));
  });
}

SecretKeyInfo SecretKeyFromRow(sql::ResultSet& rs) {
  SecretKeyInfo k;
  k.id = rs.getUInt64("id");
  k.site_key = rs.getString("site_key");
  k.prefix = rs.getString("key_prefix");
  k.label = rs.getString("label");
  k.created_at = MysqlUtcToIso(std::string(rs.getString("created_at")));
  k.last_used_at = OptionalIso(rs, "last_used_at");
  k.revoked_at = OptionalIso(rs, "revoked_at");
  return k;
}

constexpr const char* kSecretKeySelect =
    "SELECT k.id, s.site_key, k.key_prefix, k.label, k.created_at, k.last_used_at, k.revoked_at "
    "FROM site_secret_keys k JOIN sites s ON s.id = k.site_id ";

// The columns AdminFromRow reads.
constexpr const char* kAdminColumns = "id, username, display_name, created_at, disabled_at";

AdminInfo AdminFromRow(sql::ResultSet& rs) {
  AdminInfo a;
  a.id = rs.getUInt64("id");
  a.username = rs.getString("username");
  a.display_name = rs.getString("display_name");
  a.created_at = MysqlUtcToIso(std::string(rs.getString("created_at")));
  a.disabled = !rs.isNull("disabled_at");
  return a;
}

std::optional<AdminCredentials> ReadAdminCredentials(DbConnection& c, const std::string& username) {
  auto stmt = Prepare(c, std::string("SELECT ") + kAdminColumns +
                             ", password_hash FROM admins WHERE username = ?");
  stmt->setString(1, username);
  auto rs = Query(*stmt);
  if (!rs->next()) return std::nullopt;
  return AdminCredentials{AdminFromRow(*rs), rs->getString("password_hash")};
}

}  // namespace

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
    set_bool(p.is_main, s.is_main, "main");
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
      auto update =
          Prepare(c,
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
      update->setBoolean(7, s.is_main);
      update->setUInt(8, s.limits.messages);
      update->setUInt(9, s.limits.window_seconds);
      update->setUInt(10, s.limits.burst);
      update->setString(11, s.limits.message);
      update->setUInt64(12, s.id);
      update->executeUpdate();
    } catch (const sql::SQLException& e) {
      if (IsDuplicateKey(e)) return Error{"conflict", "a site named \"" + s.name + "\" exists"};
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
    AppendAudit(c, actor, "site.update", s.key, Compact({{"site", s.name}, {"changes", *changed}}));
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
    AppendAudit(c, actor, "site.create", created.key, Compact(detail));
    return created;
  });
}

Status DeleteSite(ConnectionPool& pool, const std::string& site_key, const Actor& actor) {
  return ChangeSite<Ok>(pool, site_key, [&](DbConnection& c, const Site& site) -> Status {
    auto del = Prepare(c, "DELETE FROM sites WHERE id = ?");
    del->setUInt64(1, site.id);
    del->executeUpdate();
    BumpRegistryRevision(c);
    AppendAudit(c, actor, "site.remove", site_key, Compact({{"site", site.name}}));
    return Ok{};
  });
}

Result<Site> AddSiteOrigin(ConnectionPool& pool, const std::string& site_key,
                           const std::string& origin, const Actor& actor) {
  return ChangeSite<Site>(pool, site_key, [&](DbConnection& c, Site s) -> Result<Site> {
    auto add = Prepare(c, "INSERT IGNORE INTO site_origins (site_id, origin) VALUES (?, ?)");
    add->setUInt64(1, s.id);
    add->setString(2, origin);
    if (add->executeUpdate() == 0) {
      return Error{"conflict", origin + " is already allowed for " + s.name};
    }
    s.origins.push_back(origin);
    auto touch = Prepare(c, "UPDATE sites SET revision = revision + 1 WHERE id = ?");
    touch->setUInt64(1, s.id);
    touch->executeUpdate();
    BumpRegistryRevision(c);
    AppendAudit(c, actor, "origin.add", site_key, Compact({{"site", s.name}, {"origin", origin}}));
    return s;
  });
}

Result<Site> RemoveSiteOrigin(ConnectionPool& pool, const std::string& site_key,
                              const std::string& origin, const Actor& actor) {
  return ChangeSite<Site>(pool, site_key, [&](DbConnection& c, Site s) -> Result<Site> {
    auto del = Prepare(c, "DELETE FROM site_origins WHERE site_id = ? AND origin = ?");
    del->setUInt64(1, s.id);
    del->setString(2, origin);
    if (del->executeUpdate() == 0) {
      return Error{"not_found", origin + " is not an allowed origin of " + s.name};
    }
    std::erase(s.origins, origin);
    BumpRegistryRevision(c);
    AppendAudit(c, actor, "origin.remove", site_key,
                Compact({{"site", s.name}, {"origin", origin}}));
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
                Compact({{"site", s.name}, {"previousKey", site_key}}));
    return s;
  });
}

std::string NewSecretKey(const RandomFill& random) {
  return "esk_" + RandomAlnum(random, 40);
}

Result<SecretKeyInfo> CreateSecretKey(ConnectionPool& pool, const std::string& site_key,
                                      const std::string& secret, const std::string& label,
                                      const Actor& actor) {
  return ChangeSite<SecretKeyInfo>(
      pool, site_key, [&](DbConnection& c, const Site& site) -> Result<SecretKeyInfo> {
        auto insert = Prepare(c,
                              "INSERT INTO site_secret_keys (site_id, key_prefix, key_hash, label) "
                              "VALUES (?, ?, ?, ?)");
        insert->setUInt64(1, site.id);
        insert->setString(2, secret.substr(0, kSecretKeyPrefixLength));
        insert->setString(3, Sha256Hex(secret));
        insert->setString(4, label);
        insert->executeUpdate();
        auto read = Prepare(c, std::string(kSecretKeySelect) + "WHERE k.id = LAST_INSERT_ID()");
        auto rs = Query(*read);
        if (!rs->next()) return Error{"db_error", "inserted key not found"};
        SecretKeyInfo info = SecretKeyFromRow(*rs);
        BumpRegistryRevision(c);
        AppendAudit(c, actor, "secret_key.create", site_key,
                    Compact({{"site", site.name},
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
    if (!Query(*check)->next()) return Error{"not_found", "no site with key " + site_key};
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
          return Error{"not_found",
                       "no secret key " + std::to_string(key_id) + " for " + site.name};
        }
        SecretKeyInfo info = SecretKeyFromRow(*rs);
        if (changed) {
          BumpRegistryRevision(c);
          AppendAudit(c, actor, "secret_key.revoke", site_key,
                      Compact({{"site", site.name}, {"keyId", info.id}, {"prefix", info.prefix}}));
        }
        return info;
      });
}

Result<std::string> HashAdminPassword(const std::string& password) {
  if (password.size() < 8 || password.size() > 1024) {
    return Error{"invalid_password", "the password must have 8 to 1024 characters"};
  }
  if (sodium_init() < 0) return Error{"internal", "libsodium failed to initialise"};
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error{"internal", "out of memory while hashing the password"};
  }
  return std::string(hash);
}

bool VerifyAdminPassword(const std::string& hash, const std::string& password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Result<std::vector<AdminInfo>> ListAdmins(ConnectionPool& pool) {
  using Admins = std::vector<AdminInfo>;
  return WithConnection<Admins>(pool, [&](DbConnection& c) -> Result<Admins> {
    auto stmt = Prepare(c, std::string("SELECT ") + kAdminColumns + " FROM admins ORDER BY id");
    auto rs = Query(*stmt);
    Admins admins;
    while (rs->next()) admins.push_back(AdminFromRow(*rs));
    return admins;
  });
}

Result<std::optional<AdminCredentials>> FindAdminCredentials(ConnectionPool& pool,
                                                             const std::string& username) {
  using Out = std::optional<AdminCredentials>;
  return WithConnection<Out>(
      pool, [&](DbConnection& c) -> Result<Out> { return ReadAdminCredentials(c, username); });
}

Result<LoginCandidate> FindLoginCandidate(ConnectionPool& pool, const std::string& username) {
  return WithConnection<LoginCandidate>(pool, [&](DbConnection& c) -> Result<LoginCandidate> {
    LoginCandidate candidate;
    candidate.admin = ReadAdminCredentials(c, username);
    // The collation of admins.username (sql/001_initial.sql). Its comparisons ignore trailing
    // spaces (PAD SPACE) but WEIGHT_STRING does not, hence the TRIM.
    auto key = Prepare(c,
                       "SELECT HEX(WEIGHT_STRING(TRIM(TRAILING ' ' FROM CONVERT(? USING utf8mb4)) "
                       "COLLATE utf8mb4_unicode_ci)) AS name_key");
    key->setString(1, username);
    auto rs = Query(*key);
    if (rs->next()) candidate.name_key = rs->getString("name_key");
    return candidate;
  });
}

Result<AdminInfo> CreateAdmin(ConnectionPool& pool, const std::string& username,
                              const std::string& display_name, const std::string& password_hash,
                              const Actor& actor) {
  return WithTransaction<AdminInfo>(pool, [&](DbConnection& c) -> Result<AdminInfo> {
    auto id = InsertAdmin(c, username, display_name, password_hash);
    if (!id) return id.error();
    AppendAudit(c, actor, "admin.add", username, Compact({{"displayName", display_name}}));
    auto read = Prepare(c, std::string("SELECT ") + kAdminColumns + " FROM admins WHERE id = ?");
    read->setUInt64(1, *id);
    auto rs = Query(*read);
    if (!rs->next()) return Error{"db_error", "created admin not found"};
    return AdminFromRow(*rs);
  });
}

Status RemoveAdmin(ConnectionPool& pool, std::uint64_t admin_id, const Actor& actor) {
  return WithTransaction<Ok>(pool, [&](DbConnection& c) -> Status {
    // Lock every admin row so two concurrent removals cannot both see a second admin.
    auto all = Prepare(c, "SELECT id, username FROM admins ORDER BY id FOR UPDATE");
    auto rs = Query(*all);
    std::optional<std::string> username;
    unsigned count = 0;
    while (rs->next()) {
      ++count;
      if (rs->getUInt64("id") == admin_id) username = rs->getString("username");
    }
    if (!username) return Error{"not_found", "no admin " + std::to_string(admin_id)};
    if (count <= 1) return Error{"conflict", "\"" + *username + "\" is the last admin"};
    auto del = Prepare(c, "DELETE FROM admins WHERE id = ?");
    del->setUInt64(1, admin_id);
    del->executeUpdate();
    AppendAudit(c, actor, "admin.remove", *username, "{}");
    return Ok{};
  });
}

Status SetAdminPassword(ConnectionPool& pool, std::uint64_t admin_id,
                        const std::string& password_hash, const Actor& actor,
                        const std::optional<std::string>& keep_session_hash) {
  return WithTransaction<Ok>(pool, [&](DbConnection& c) -> Status {
    auto find = Prepare(c, "SELECT username FROM admins WHERE id = ? FOR UPDATE");
    find->setUInt64(1, admin_id);
    auto rs = Query(*find);
    if (!rs->next()) return Error{"not_found", "no admin " + std::to_string(admin_id)};
    std::string username = rs->getString("username");
    auto update = Prepare(c, "UPDATE admins SET password_hash = ? WHERE id = ?");
    update->setString(1, password_hash);
    update->setUInt64(2, admin_id);
    update->executeUpdate();
    auto end = Prepare(c, "DELETE FROM admin_sessions WHERE admin_id = ? AND token_hash <> ?");
    end->setUInt64(1, admin_id);
    end->setString(2, keep_session_hash.value_or(""));
    end->executeUpdate();
    AppendAudit(c, actor, "admin.password", username, "{}");
    return Ok{};
  });
}

Status CreateSession(ConnectionPool& pool, const std::string& token_hash, std::uint64_t admin_id,
                     const std::string& csrf_token) {
  return WithConnection<Ok>(pool, [&](DbConnection& c) -> Status {
    auto insert = Prepare(c,
                          "INSERT INTO admin_sessions (token_hash, admin_id, csrf_token, "
                          "created_at, last_seen_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6), "
                          "UTC_TIMESTAMP(6))");
    insert->setString(1, token_hash);
    insert->setUInt64(2, admin_id);
    insert->setString(3, csrf_token);
    insert->executeUpdate();
    return Ok{};
  });
}

Result<std::optional<SessionInfo>> TouchSession(ConnectionPool& pool, const std::string& token_hash,
                                                unsigned idle_seconds) {
  using Out = std::optional<SessionInfo>;
  return WithConnection<Out>(pool, [&](DbConnection& c) -> Result<Out> {
    auto find = Prepare(c,
                        "SELECT s.admin_id, s.csrf_token, a.username, a.display_name, "
                        "(s.last_seen_at >= UTC_TIMESTAMP(6) - INTERVAL ? SECOND) AS fresh "
                        "FROM admin_sessions s JOIN admins a ON a.id = s.admin_id "
                        "WHERE s.token_hash = ? AND a.disabled_at IS NULL");
    find->setUInt(1, idle_seconds);
    find->setString(2, token_hash);
    auto rs = Query(*find);
    if (!rs->next()) return Out();
    if (rs->getInt("fresh") == 0) {
      auto del = Prepare(c, "DELETE FROM admin_sessions WHERE token_hash = ?");
      del->setString(1, token_hash);
      del->executeUpdate();
      return Out();
    }
    SessionInfo info{rs->getUInt64("admin_id"), rs->getString("username"),
                     rs->getString("display_name"), rs->getString("csrf_token")};
    auto touch = Prepare(
        c, "UPDATE admin_sessions SET last_seen_at = UTC_TIMESTAMP(6) WHERE token_hash = ?");
    touch->setString(1, token_hash);
    touch->executeUpdate();
    return Out(std::move(info));
  });
}

Status DeleteSession(ConnectionPool& pool, const std::string& token_hash) {
  return WithConnection<Ok>(pool, [&](DbConnection& c) -> Status {
    auto del = Prepare(c, "DELETE FROM admin_sessions WHERE token_hash = ?");
    del->setString(1, token_hash);
    del->executeUpdate();
    return Ok{};
  });
}

Result<bool> SessionAlive(ConnectionPool& pool, const std::string& token_hash,
                          unsigned idle_seconds) {
  return WithConnection<bool>(pool, [&](DbConnection& c) -> Result<bool> {
    auto find =
        Prepare(c,
                "SELECT 1 AS alive FROM admin_sessions s JOIN admins a ON a.id = s.admin_id "
                "WHERE s.token_hash = ? AND a.disabled_at IS NULL "
                "AND s.last_seen_at >= UTC_TIMESTAMP(6) - INTERVAL ? SECOND");
    find->setString(1, token_hash);
    find->setUInt(2, idle_seconds);
    return Query(*find)->next();
  });
}

void AppendAudit(DbConnection& c, const Actor& actor, const std::string& action,
                 const std::string& target, const std::string& detail_json) {
  auto insert = Prepare(c,
                        "INSERT INTO audit_log (actor, action, target, detail, created_at) "
                        "VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))");
  insert->setString(1, actor.name);
  insert->setString(2, action);
  insert->setString(3, target);
  insert->setString(4, detail_json);
  insert->executeUpdate();
}

Status AppendAudit(ConnectionPool& pool, const Actor& actor, const std::string& action,
                   const std::string& target, const std::string& detail_json) {
  return WithConnection<Ok>(pool, [&](DbConnection& c) -> Status {
    AppendAudit(c, actor, action, target, detail_json);
    return Ok{};
  });
}

Result<std::vector<AuditEntry>> ListAudit(ConnectionPool& pool, unsigned limit,
                                          std::uint64_t before_id) {
  using Rows = std::vector<AuditEntry>;
  return WithConnection<Rows>(pool, [&](DbConnection& c) -> Result<Rows> {
    auto stmt = Prepare(c,
                        "SELECT id, actor, action, target, detail, created_at FROM audit_log "
                        "WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?");
    stmt->setUInt64(1, before_id);
    stmt->setUInt64(2, before_id);
    stmt->setUInt(3, limit);
    auto rs = Query(*stmt);
    Rows rows;
    while (rs->next()) {
      rows.push_back(AuditEntry{rs->getUInt64("id"), rs->getString("actor"),
                                rs->getString("action"), rs->getString("target"),
                                rs->getString("detail"),
                                MysqlUtcToIso(std::string(rs->getString("created_at")))});
    }
    return rows;
  });
}

Result<std::map<std::uint64_t, std::uint64_t>> UnreadCounts(ConnectionPool& pool,
                                                            const std::vector<std::uint64_t>& ids) {
  using Counts = std::map<std::uint64_t, std::uint64_t>;
  return WithConnection<Counts>(pool, [&](DbConnection& c) -> Result<Counts> {
    Counts counts;
    auto stmt = Prepare(c,
                        "SELECT COUNT(*) AS unread FROM messages m "
                        "LEFT JOIN conversation_reads r ON r.conversation_id = m.conversation_id "
                        "WHERE m.conversation_id = ? AND m.author = 'guest' "
                        "AND m.id > COALESCE(r.last_read_message_id, 0)");
    for (auto id : ids) {
      stmt->setUInt64(1, id);
      auto rs = Query(*stmt);
      counts[id] = rs->next() ? rs->getUInt64("unread") : 0;
    }
    return counts;
  });
}

Status MarkConversationRead(ConnectionPool& pool, std::uint64_t conversation_id,
                            std::uint64_t message_id) {
  return WithConnection<Ok>(pool, [&](DbConnection& c) -> Status {
    auto upsert = Prepare(c,
                          "INSERT INTO conversation_reads (conversation_id, last_read_message_id) "
                          "VALUES (?, ?) ON DUPLICATE KEY UPDATE last_read_message_id = "
                          "GREATEST(last_read_message_id, VALUES(last_read_message_id))");
    upsert->setUInt64(1, conversation_id);
    upsert->setUInt64(2, message_id);
    upsert->executeUpdate();
    return Ok{};
  });
}

Result<std::vector<EventNotice>> EventsOfAllAfter(ConnectionPool& pool, std::uint64_t after_id,
                                                  unsigned limit) {
  using Rows = std::vector<EventNotice>;
  return WithConnection<Rows>(pool, [&](DbConnection& c) -> Result<Rows> {
    auto stmt = Prepare(c,
                        "SELECT id, conversation_id, type, payload FROM events WHERE id > ? "
                        "ORDER BY id LIMIT ?");
    stmt->setUInt64(1, after_id);
    stmt->setUInt(2, limit);
    auto rs = Query(*stmt);
    Rows rows;
    while (rs->next()) {
      EventNotice n;
      n.id = rs->getUInt64("id");
      n.conversation_id = rs->getUInt64("conversation_id");
      n.type = rs->getString("type");
      n.data = rs->getString("payload");
      rows.push_back(std::move(n));
    }
    return rows;
  });
}

Result<std::uint64_t> LastEventIdOfAll(ConnectionPool& pool) {
  return WithConnection<std::uint64_t>(pool, [&](DbConnection& c) -> Result<std::uint64_t> {
    auto rs = Query(*Prepare(c, "SELECT COALESCE(MAX(id), 0) AS id FROM events"));
    rs->next();
    return static_cast<std::uint64_t>(rs->getUInt64("id"));
  });
}

}  // namespace edgechat::worker
