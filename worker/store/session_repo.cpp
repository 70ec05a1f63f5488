#include "store/session_repo.hpp"

#include "store/mysql_util.hpp"

namespace edgechat::worker {

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
                                                unsigned idle_seconds,
                                                std::chrono::milliseconds used_ago) {
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
    auto touch = Prepare(c,
                         "UPDATE admin_sessions SET last_seen_at = GREATEST(last_seen_at, "
                         "UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND) WHERE token_hash = ?");
    touch->setInt64(1, static_cast<std::int64_t>(used_ago.count()) * 1000);
    touch->setString(2, token_hash);
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

}  // namespace edgechat::worker
