// Admins of the panel, for the admin API and edgechatctl alike. The "this is me" rules are keyed
// on the acting admin's id: a panel session has one, the CLI (an operator with shell access)
// has none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "store/admin_repo.hpp"
#include "store/audit_repo.hpp"

namespace edgechat::worker {

inline constexpr std::size_t kMaxAdminUsernameLength = 100;
inline constexpr std::size_t kMaxAdminDisplayNameLength = 200;

// Who acts: the audit log's name, and the admin's id when a panel session acts.
struct AdminActor {
  Actor actor;
  std::optional<std::uint64_t> admin_id;
};

struct NewAdmin {
  std::string username;                     // 1..100 characters, trimmed
  std::optional<std::string> display_name;  // 0..200; absent or blank: the username
  std::string password;                     // 8..1024 bytes (common/password.hpp)
};

struct PasswordChange {
  std::string password;
  // Needed (and checked) when admins change their own password.
  std::optional<std::string> current_password;
  // The session that made the change stays; every other session of the admin ends.
  std::optional<std::string> keep_session_hash;
};

class AdminService {
 public:
  explicit AdminService(AdminRepo& admins) : admins_(admins) {}

  Result<std::vector<AdminInfo>> List();
  Result<AdminInfo> Create(const NewAdmin& admin, const Actor& actor);
  // The admin a name reaches (the admins table's collation: "ADMIN" and "admin " are admin), or
  // Error{kNotFound, "not_found"}.
  Result<AdminCredentials> Named(const std::string& username);
  // Removing oneself is Error{kConflict, "conflict"}; so is removing the last admin. Returns who
  // was removed.
  Result<AdminInfo> Remove(const std::string& username, const AdminActor& actor);
  // One's own password needs the current one (Error{kForbidden, "bad_credentials"}); returns whose
  // changed.
  Result<AdminInfo> SetPassword(const std::string& username, const PasswordChange& change,
                                const AdminActor& actor);

 private:
  AdminRepo& admins_;
};

}  // namespace edgechat::worker
