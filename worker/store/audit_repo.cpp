#include "store/audit_repo.hpp"

#include "store/mysql_util.hpp"

namespace edgechat::worker {

std::string AuditDetail(const nlohmann::json& detail) {
  return detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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

}  // namespace edgechat::worker
