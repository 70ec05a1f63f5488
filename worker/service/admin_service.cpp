#include "service/admin_service.hpp"

#include <sodium.h>

#include <utility>

#include "common/password.hpp"
#include "service/rules.hpp"

namespace edgechat::worker {

namespace {

// The Argon2id hash of a new password; a password out of bounds is bad input.
Result<std::string> HashNewPassword(std::string password) {
  auto hash = HashAdminPassword(password);
  sodium_memzero(password.data(), password.size());
  return hash;  // Error{kInvalidInput, "invalid_password"} names the rule
}

}  // namespace

Result<std::vector<AdminInfo>> AdminService::List() {
  return admins_.List();
}

Result<AdminInfo> AdminService::Create(const NewAdmin& admin, const Actor& actor) {
  auto username = rules::Text("username", admin.username, 1, kMaxAdminUsernameLength);
  if (!username) return username.error();
  auto display =
      rules::OptionalText("displayName", admin.display_name, 0, kMaxAdminDisplayNameLength);
  if (!display) return display.error();
  auto hash = HashNewPassword(admin.password);
  if (!hash) return hash.error();
  std::string display_name = *display && !(*display)->empty() ? **display : *username;
  return admins_.Create(*username, display_name, *hash, actor);
}

Result<AdminCredentials> AdminService::Named(const std::string& username) {
  auto found = admins_.FindCredentials(username);
  if (!found) return found.error();
  if (!*found) return Error{ErrorKind::kNotFound, "not_found", "No admin \"" + username + "\"."};
  return std::move(**found);
}

Result<AdminInfo> AdminService::Remove(const std::string& username, const AdminActor& actor) {
  auto target = Named(username);
  if (!target) return target.error();
  if (actor.admin_id && *actor.admin_id == target->info.id) {
    return Error{ErrorKind::kConflict, "conflict",
                 "You cannot remove yourself; ask another admin."};
  }
  auto removed = admins_.Remove(target->info.id, actor.actor);
  if (!removed) return removed.error();
  return target->info;
}

Result<AdminInfo> AdminService::SetPassword(const std::string& username,
                                            const PasswordChange& change, const AdminActor& actor) {
  auto target = Named(username);
  if (!target) return target.error();
  if (actor.admin_id && *actor.admin_id == target->info.id) {
    // Changing one's own password needs the current one (a stolen open session cannot).
    if (!change.current_password ||
        !VerifyAdminPassword(target->password_hash, *change.current_password)) {
      return Error{ErrorKind::kForbidden, "bad_credentials", "The current password is wrong."};
    }
  }
  auto hash = HashNewPassword(change.password);
  if (!hash) return hash.error();
  auto set = admins_.SetPassword(target->info.id, *hash, actor.actor, change.keep_session_hash);
  if (!set) return set.error();
  return target->info;
}

}  // namespace edgechat::worker
