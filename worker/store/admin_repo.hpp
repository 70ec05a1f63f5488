// Operations of the CLI (and later the admin API) on sites, admins and messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.hpp"
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

// Inserts the site and its origins and bumps registry_state.revision, inside the caller's
// transaction (CreateSite in admin/admin_store audits it in the same one). A taken name or key is
// Error{"conflict"}. Marking a site main unmarks the previous main site.
Result<Site> InsertSite(DbConnection& c, const NewSite& site);

// Every site with its origins, by id.
// Announces a change to sites, origins or keys to the registry publisher; call it inside the
// transaction that makes the change (docs/architecture.md).
void BumpRegistryRevision(DbConnection& c);
Result<std::vector<Site>> ListSites(ConnectionPool& pool);

// Inserts an admin inside the caller's transaction; returns its id. A taken username is
// Error{"conflict"}.
Result<std::uint64_t> InsertAdmin(DbConnection& c, const std::string& username,
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
