// An admin's mail preferences (sql/009): where their mails go, in which language, and which mails
// they want. The panel (for the signed-in admin) and edgechatctl (for any admin) change them here,
// with one set of rules.
#pragma once

#include <optional>
#include <string>

#include "shared/result.hpp"
#include "store/outbox_repo.hpp"

namespace edgechat::worker {

inline constexpr unsigned kMaxUnansweredMinutes = 10080;  // a week

// Absent fields stay as they are.
struct MailPreferencesChange {
  std::optional<std::string> email;   // "" stops every mail; else shared::CheckMailAddress
  std::optional<std::string> locale;  // "en" or "fa"
  std::optional<bool> new_conversation;
  std::optional<unsigned> unanswered_minutes;  // 0 (off) .. kMaxUnansweredMinutes
};

class MailPreferencesService {
 public:
  explicit MailPreferencesService(MailPreferencesRepo& repo) : repo_(repo) {}

  // Error{kNotFound, "not_found"} for no such admin.
  Result<MailPreferences> Get(const std::string& username);
  // Validates every field first (Error{kInvalidInput, "invalid_email" | "invalid_locale" |
  // "invalid_number"}), then stores them all; returns the preferences now in force.
  Result<MailPreferences> Update(const std::string& username, const MailPreferencesChange& change);

 private:
  MailPreferencesRepo& repo_;
};

}  // namespace edgechat::worker
