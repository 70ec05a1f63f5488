// The admin side of the store: site settings, origins, keys, admins, sessions, the audit log and
// the inbox's read markers. Shared by the worker's admin API and edgechatctl so both make the same
// changes. Every change to sites, origins or keys bumps registry_state.revision and writes an
// audit row in the same transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.hpp"
#include "shared/result.hpp"
#include "store/admin_repo.hpp"
#include "store/events.hpp"
#include "store/models.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

// Who makes a change, as the audit log records it ("alice", "cli:root").
struct Actor {
  std::string name;
};

// Fields left empty are not changed. locale: set to "" to clear it.
struct SitePatch {
  std::optional<std::string> name;
  std::optional<std::string> title;
  std::optional<std::string> primary_color;  // already validated "#rrggbb"
  std::optional<bool> locked;
  std::optional<std::string> locked_message;
  std::optional<std::string> locale;
  std::optional<bool> is_main;
  std::optional<unsigned> limit_messages;
  std::optional<unsigned> limit_window_seconds;
  std::optional<unsigned> limit_burst;
  std::optional<std::string> limit_message;
  bool empty() const {
    return !name && !title && !primary_color && !locked && !locked_message && !locale && !is_main &&
           !limit_messages && !limit_window_seconds && !limit_burst && !limit_message;
  }
};

// One site with its origins; Error{"not_found"} for an unknown key.
Result<Site> FindSiteWithOrigins(ConnectionPool& pool, const std::string& site_key);

Result<Site> UpdateSite(ConnectionPool& pool, const std::string& site_key, const SitePatch& patch,
                        const Actor& actor);
Status DeleteSite(ConnectionPool& pool, const std::string& site_key, const Actor& actor);
// `origin` must already be normalized (shared::NormalizeAllowedOrigin). Adding one that is there
// is Error{"conflict"}; removing one that is not is Error{"not_found"}.
Result<Site> AddSiteOrigin(ConnectionPool& pool, const std::string& site_key,
                           const std::string& origin, const Actor& actor);
Result<Site> RemoveSiteOrigin(ConnectionPool& pool, const std::string& site_key,
                              const std::string& origin, const Actor& actor);
// Replaces the public site key by `new_key` (the old embed stops working).
Result<Site> RegenerateSiteKey(ConnectionPool& pool, const std::string& site_key,
                               const std::string& new_key, const Actor& actor);
// Creates the site with its origins, applies `settings` (lock, limits, locale...) and writes its
// audit row, in one transaction: a failure leaves nothing behind, and no site exists unaudited.
// A taken name or key is Error{"conflict"}.
Result<Site> CreateSite(ConnectionPool& pool, const NewSite& site, const SitePatch& settings,
                        const Actor& actor);

struct SecretKeyInfo {
  std::uint64_t id = 0;
  std::string site_key;
  std::string prefix;
  std::string label;
  std::string created_at;
  std::optional<std::string> last_used_at;
  std::optional<std::string> revoked_at;
};

// "esk_" + 40 letters and digits; shown once.
std::string NewSecretKey(const RandomFill& random);
inline constexpr std::size_t kSecretKeyPrefixLength = 10;

// Stores only the SHA-256 of `secret` and its first characters.
Result<SecretKeyInfo> CreateSecretKey(ConnectionPool& pool, const std::string& site_key,
                                      const std::string& secret, const std::string& label,
                                      const Actor& actor);
Result<std::vector<SecretKeyInfo>> ListSecretKeys(ConnectionPool& pool,
                                                  const std::string& site_key);
// Error{"not_found"} unless the key belongs to the site; revoking twice is fine.
Result<SecretKeyInfo> RevokeSecretKey(ConnectionPool& pool, const std::string& site_key,
                                      std::uint64_t key_id, const Actor& actor);

struct AdminInfo {
  std::uint64_t id = 0;
  std::string username;
  std::string display_name;
  std::string created_at;
  bool disabled = false;
};

struct AdminCredentials {
  AdminInfo info;
  std::string password_hash;
};

// Argon2id (libsodium crypto_pwhash_str); passwords need 8 to 1024 bytes, else
// Error{"invalid_password"}.
Result<std::string> HashAdminPassword(const std::string& password);
bool VerifyAdminPassword(const std::string& hash, const std::string& password);

Result<std::vector<AdminInfo>> ListAdmins(ConnectionPool& pool);
// The admin named `username` as the admins table's collation compares names (case, accents and
// trailing spaces do not matter), if any.
Result<std::optional<AdminCredentials>> FindAdminCredentials(ConnectionPool& pool,
                                                             const std::string& username);

// What a login names: the admin, if the name is one's, and the name's key under that collation
// (the same for every spelling of one name, known or not).
struct LoginCandidate {
  std::optional<AdminCredentials> admin;
  std::string name_key;
};
Result<LoginCandidate> FindLoginCandidate(ConnectionPool& pool, const std::string& username);
// Adds an admin and its audit row in one transaction. A taken username is Error{"conflict"}.
Result<AdminInfo> CreateAdmin(ConnectionPool& pool, const std::string& username,
                              const std::string& display_name, const std::string& password_hash,
                              const Actor& actor);
// Admins are changed by id (FindAdminCredentials resolves a name): "is this me" and "which
// row" are then one comparison, whatever spelling of the name was given.
// Removing the last admin is Error{"conflict"}: nobody could log in any more.
Status RemoveAdmin(ConnectionPool& pool, std::uint64_t admin_id, const Actor& actor);
// Sets the hash and ends the admin's sessions except `keep_session_hash`.
Status SetAdminPassword(ConnectionPool& pool, std::uint64_t admin_id,
                        const std::string& password_hash, const Actor& actor,
                        const std::optional<std::string>& keep_session_hash = std::nullopt);

struct SessionInfo {
  std::uint64_t admin_id = 0;
  std::string username;
  std::string display_name;
  std::string csrf_token;
};

Status CreateSession(ConnectionPool& pool, const std::string& token_hash, std::uint64_t admin_id,
                     const std::string& csrf_token);
// The session if it was used within `idle_seconds` and its admin is enabled; refreshes its
// last use. Expired sessions are deleted.
Result<std::optional<SessionInfo>> TouchSession(ConnectionPool& pool, const std::string& token_hash,
                                                unsigned idle_seconds);
Status DeleteSession(ConnectionPool& pool, const std::string& token_hash);
// True while the session exists, is not idle longer than `idle_seconds` and its admin is
// enabled. Read only: unlike TouchSession it does not count as use.
Result<bool> SessionAlive(ConnectionPool& pool, const std::string& token_hash,
                          unsigned idle_seconds);

struct AuditEntry {
  std::uint64_t id = 0;
  std::string actor;
  std::string action;
  std::string target;
  std::string detail;  // JSON text
  std::string created_at;
};

// Inside a transaction of the caller.
void AppendAudit(DbConnection& c, const Actor& actor, const std::string& action,
                 const std::string& target, const std::string& detail_json);
Status AppendAudit(ConnectionPool& pool, const Actor& actor, const std::string& action,
                   const std::string& target, const std::string& detail_json);
// Newest first; before_id > 0 pages back.
Result<std::vector<AuditEntry>> ListAudit(ConnectionPool& pool, unsigned limit,
                                          std::uint64_t before_id = 0);

// Unread guest messages (after the read marker) of each conversation in `ids`.
Result<std::map<std::uint64_t, std::uint64_t>> UnreadCounts(ConnectionPool& pool,
                                                            const std::vector<std::uint64_t>& ids);
// Everything up to `message_id` of the conversation is read.
Status MarkConversationRead(ConnectionPool& pool, std::uint64_t conversation_id,
                            std::uint64_t message_id);

// Events of every conversation with id > after_id, oldest first (the admin stream).
Result<std::vector<EventNotice>> EventsOfAllAfter(ConnectionPool& pool, std::uint64_t after_id,
                                                  unsigned limit);
Result<std::uint64_t> LastEventIdOfAll(ConnectionPool& pool);

}  // namespace edgechat::worker
