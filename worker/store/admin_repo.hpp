// Admins of the panel and edgechatctl: listed, found by name (as the admins table's collation
// compares names), created, removed and given new passwords, each change audited in its
// transaction. Changes go by id: "is this me" and "which row" are then one comparison.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "store/audit_repo.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

struct AdminInfo {
  std::uint64_t id = 0;
  std::string username;
  std::string display_name;
  std::string created_at;
  bool disabled = false;
};

struct AdminCredentials {
  AdminInfo info;
  std::string password_hash;  // common/password.hpp
};

// What a login names: the admin, if the name is one's, and the name's key under that collation
// (the same for every spelling of one name, known or not).
struct LoginCandidate {
  std::optional<AdminCredentials> admin;
  std::string name_key;
};

// Inserts an admin inside the caller's transaction; returns its id. A taken username is
// Error{kConflict, "conflict"}.
Result<std::uint64_t> InsertAdmin(DbConnection& c, const std::string& username,
                                  const std::string& display_name,
                                  const std::string& password_hash);

Result<std::vector<AdminInfo>> ListAdmins(ConnectionPool& pool);
// The admin named `username` as the admins table's collation compares names (case, accents and
// trailing spaces do not matter), if any.
Result<std::optional<AdminCredentials>> FindAdminCredentials(ConnectionPool& pool,
                                                             const std::string& username);
Result<LoginCandidate> FindLoginCandidate(ConnectionPool& pool, const std::string& username);
// Adds an admin and its audit row in one transaction. A taken username is Error{kConflict,
// "conflict"}.
Result<AdminInfo> CreateAdmin(ConnectionPool& pool, const std::string& username,
                              const std::string& display_name, const std::string& password_hash,
                              const Actor& actor);
// Removing the last admin is Error{kConflict, "conflict"}: nobody could log in any more.
Status RemoveAdmin(ConnectionPool& pool, std::uint64_t admin_id, const Actor& actor);
// Sets the hash and ends the admin's sessions except `keep_session_hash`.
Status SetAdminPassword(ConnectionPool& pool, std::uint64_t admin_id,
                        const std::string& password_hash, const Actor& actor,
                        const std::optional<std::string>& keep_session_hash = std::nullopt);

class AdminRepo {
 public:
  virtual ~AdminRepo() = default;
  virtual Result<std::vector<AdminInfo>> List() = 0;
  virtual Result<std::optional<AdminCredentials>> FindCredentials(const std::string& username) = 0;
  virtual Result<LoginCandidate> FindLoginCandidate(const std::string& username) = 0;
  virtual Result<AdminInfo> Create(const std::string& username, const std::string& display_name,
                                   const std::string& password_hash, const Actor& actor) = 0;
  virtual Status Remove(std::uint64_t admin_id, const Actor& actor) = 0;
  virtual Status SetPassword(std::uint64_t admin_id, const std::string& password_hash,
                             const Actor& actor,
                             const std::optional<std::string>& keep_session_hash) = 0;
};

class MysqlAdminRepo : public AdminRepo {
 public:
  explicit MysqlAdminRepo(ConnectionPool& pool) : pool_(pool) {}
  Result<std::vector<AdminInfo>> List() override { return ListAdmins(pool_); }
  Result<std::optional<AdminCredentials>> FindCredentials(const std::string& username) override {
    return FindAdminCredentials(pool_, username);
  }
  Result<LoginCandidate> FindLoginCandidate(const std::string& username) override {
    return worker::FindLoginCandidate(pool_, username);
  }
  Result<AdminInfo> Create(const std::string& username, const std::string& display_name,
                           const std::string& password_hash, const Actor& actor) override {
    return CreateAdmin(pool_, username, display_name, password_hash, actor);
  }
  Status Remove(std::uint64_t admin_id, const Actor& actor) override {
    return RemoveAdmin(pool_, admin_id, actor);
  }
  Status SetPassword(std::uint64_t admin_id, const std::string& password_hash, const Actor& actor,
                     const std::optional<std::string>& keep_session_hash) override {
    return SetAdminPassword(pool_, admin_id, password_hash, actor, keep_session_hash);
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
