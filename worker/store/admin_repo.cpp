#include "store/admin_repo.hpp"

#include "common/text.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {

namespace {

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
  auto stmt = Prepare(
      c, std::string("SELECT ") + kAdminColumns + ", password_hash FROM admins WHERE username = ?");
  stmt->setString(1, username);
  auto rs = Query(*stmt);
  if (!rs->next()) return std::nullopt;
  return AdminCredentials{AdminFromRow(*rs), rs->getString("password_hash")};
}

}  // namespace

Result<std::uint64_t> InsertAdmin(DbConnection& c, const std::string& username,
                                  const std::string& display_name,
                                  const std::string& password_hash) {
  try {
    auto insert = Prepare(c,
                          "INSERT INTO admins (username, display_name, password_hash) "
                          "VALUES (?, ?, ?)");
    insert->setString(1, username);
    insert->setString(2, display_name);
    insert->setString(3, password_hash);
    insert->executeUpdate();
  } catch (const sql::SQLException& e) {
    if (IsDuplicateKey(e))
      return Error{ErrorKind::kConflict, "conflict", "admin \"" + username + "\" exists"};
    throw;
  }
  auto id = Prepare(c, "SELECT LAST_INSERT_ID() AS id");
  auto rs = Query(*id);
  rs->next();
  return static_cast<std::uint64_t>(rs->getUInt64("id"));
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
    AppendAudit(c, actor, "admin.add", username, AuditDetail({{"displayName", display_name}}));
    auto read = Prepare(c, std::string("SELECT ") + kAdminColumns + " FROM admins WHERE id = ?");
    read->setUInt64(1, *id);
    auto rs = Query(*read);
    if (!rs->next()) return Error{ErrorKind::kInternal, "db_error", "created admin not found"};
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
    if (!username)
      return Error{ErrorKind::kNotFound, "not_found", "no admin " + std::to_string(admin_id)};
    if (count <= 1)
      return Error{ErrorKind::kConflict, "conflict", "\"" + *username + "\" is the last admin"};
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
    if (!rs->next())
      return Error{ErrorKind::kNotFound, "not_found", "no admin " + std::to_string(admin_id)};
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

}  // namespace edgechat::worker
