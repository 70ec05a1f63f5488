// Operations of the CLI (and later the admin API) on sites, admins and messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/models.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

struct NewSite {
  std::string key;
  std::string name;
  std::string title = "Chat with us";
  std::string primary_color = "#2563eb";
  bool is_main = false;
  std::vector<std::string> origins;  // normalized
};

// Inserts the site and its origins and bumps registry_state.revision, in one transaction.
// A taken name or key is Error{"conflict"}. Marking a site main unmarks the previous main site.
Result<Site> CreateSite(ConnectionPool& pool, const NewSite& site);

// Every site with its origins, by id.
Result<std::vector<Site>> ListSites(ConnectionPool& pool);

// A taken username is Error{"conflict"}.
Result<std::uint64_t> AddAdmin(ConnectionPool& pool, const std::string& username,
                               const std::string& display_name, const std::string& password_hash);

struct MessageListing {
  std::uint64_t id = 0;
  std::uint64_t conversation_id = 0;
  std::string site_key;
  std::string site_name;
  std::string source;
  std::string author;
  std::string text;
  std::optional<std::string> client_id;
  std::string created_at;
};

// The newest `limit` messages (of one site if `site_key` is set), newest first. An unknown
// site key is Error{"not_found"}.
Result<std::vector<MessageListing>> ListRecentMessages(ConnectionPool& pool,
                                                       const std::optional<std::string>& site_key,
                                                       unsigned limit);

}  // namespace edgechat::worker

namespace edgechat::worker {

// Changes to a site; unset fields are left alone.
struct SiteChanges {
  std::optional<std::string> name;
  std::optional<std::string> title;
  std::optional<std::string> primary_color;
  std::optional<bool> locked;
  std::optional<std::string> locked_message;
  std::optional<std::optional<std::string>> locale;  // set to nullopt-inside to clear
  std::optional<bool> is_main;                       // only `true` is meaningful (moves "main")
  std::optional<unsigned> rate_messages;
  std::optional<unsigned> rate_window_seconds;
  std::optional<unsigned> rate_burst;
  std::optional<std::string> rate_message;
  std::vector<std::string> add_origins;     // normalized
  std::vector<std::string> remove_origins;  // normalized
  bool rotate_key = false;
  std::string new_key;  // used when rotate_key
};

// Applies the changes and bumps the site's and the registry's revision in one transaction.
// An unknown key, or removing an origin the site does not have, is Error{"not_found"}; a taken
// name is Error{"conflict"}. Returns the site as it is now, with its origins.
Result<Site> UpdateSite(ConnectionPool& pool, const std::string& key, const SiteChanges& changes);

// One site with its origins, or Error{"not_found"}.
Result<Site> FindSite(ConnectionPool& pool, const std::string& key);

struct SecretKeyInfo {
  std::uint64_t id = 0;
  std::string prefix;
  std::string label;
  std::string created_at;
  std::optional<std::string> last_used_at;
  std::optional<std::string> revoked_at;
};

// Stores the hash of a new secret key for the site (the key itself is returned by the caller
// once and never stored). Bumps the registry revision.
Result<SecretKeyInfo> AddSecretKey(ConnectionPool& pool, const std::string& site_key,
                                   const std::string& key_prefix, const std::string& key_hash,
                                   const std::string& label);
Result<std::vector<SecretKeyInfo>> ListSecretKeys(ConnectionPool& pool,
                                                  const std::string& site_key);
// Revokes by id or by prefix (of that site). Unknown: Error{"not_found"}.
Result<SecretKeyInfo> RevokeSecretKey(ConnectionPool& pool, const std::string& site_key,
                                      const std::string& id_or_prefix);

}  // namespace edgechat::worker
