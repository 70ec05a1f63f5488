// The audit log: who changed what. Rows are written inside the transaction of the change they
// record (by the site, key and admin repositories), so no change exists unaudited.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

// Who makes a change, as the audit log records it ("alice", "cli:root").
struct Actor {
  std::string name;
};

struct AuditEntry {
  std::uint64_t id = 0;
  std::string actor;
  std::string action;
  std::string target;
  std::string detail;  // JSON text
  std::string created_at;
};

// The detail column's text: compact JSON, invalid UTF-8 replaced rather than thrown on.
std::string AuditDetail(const nlohmann::json& detail);

// Inside a transaction of the caller.
void AppendAudit(DbConnection& c, const Actor& actor, const std::string& action,
                 const std::string& target, const std::string& detail_json);
Status AppendAudit(ConnectionPool& pool, const Actor& actor, const std::string& action,
                   const std::string& target, const std::string& detail_json);
// Newest first; before_id > 0 pages back.
Result<std::vector<AuditEntry>> ListAudit(ConnectionPool& pool, unsigned limit,
                                          std::uint64_t before_id = 0);

// What the admin API reads of the log (the writes happen inside the other repositories).
class AuditRepo {
 public:
  virtual ~AuditRepo() = default;
  virtual Result<std::vector<AuditEntry>> List(unsigned limit, std::uint64_t before_id) = 0;
};

class MysqlAuditRepo : public AuditRepo {
 public:
  explicit MysqlAuditRepo(ConnectionPool& pool) : pool_(pool) {}
  Result<std::vector<AuditEntry>> List(unsigned limit, std::uint64_t before_id) override {
    return ListAudit(pool_, limit, before_id);
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
