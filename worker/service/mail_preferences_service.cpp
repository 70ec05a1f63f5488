#include "service/mail_preferences_service.hpp"

#include "shared/mail_address.hpp"

namespace edgechat::worker {

Result<MailPreferences> MailPreferencesService::Get(const std::string& username) {
  return repo_.Get(username);
}

Result<MailPreferences> MailPreferencesService::Update(const std::string& username,
                                                       const MailPreferencesChange& change) {
  std::optional<std::string> email;
  if (change.email) {
    std::string trimmed(*change.email);
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t'))
      trimmed.erase(trimmed.begin());
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t'))
      trimmed.pop_back();
    if (!trimmed.empty()) {
      if (auto ok = shared::CheckMailAddress(trimmed); !ok) return ok.error();
    }
    email = std::move(trimmed);
  }
  if (change.locale && *change.locale != "en" && *change.locale != "fa") {
    return Error{ErrorKind::kInvalidInput, "invalid_locale", "the mail language must be en or fa"};
  }
  if (change.unanswered_minutes && *change.unanswered_minutes > kMaxUnansweredMinutes) {
    return Error{
        ErrorKind::kInvalidInput, "invalid_number",
        "unanswered minutes must be from 0 (off) to " + std::to_string(kMaxUnansweredMinutes)};
  }
  EC_TRY(prefs, repo_.Get(username));
  if (email) prefs.email = *email;
  if (change.locale) prefs.locale = *change.locale;
  if (change.new_conversation) prefs.new_conversation = *change.new_conversation;
  if (change.unanswered_minutes) prefs.unanswered_minutes = *change.unanswered_minutes;
  if (auto stored = repo_.Put(prefs); !stored) return stored.error();
  return prefs;
}

}  // namespace edgechat::worker
