// Sites and their allowed origins. Every change bumps registry_state.revision (so the registry
// publisher republishes) and writes its audit row in the same transaction, with the site's row
// locked; CreateSite inserts, applies the settings and audits in one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"
#include "store/audit_repo.hpp"
#include "store/models.hpp"
#include "store/pool.hpp"

namespace sql {
class ResultSet;
}  // namespace sql

namespace edgechat::worker {

struct NewSite {
  std::string key;
  std::string name;
  std::string title = "Chat with us";
  std::string primary_color = "#2563eb";
  bool is_main = false;
  std::vector<std::string> origins;  // normalized
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

// A site's settings and origin changes applied in one transaction (edgechatctl site update):
// the patch first, then each removal, then each addition, each audited as its own call would be.
struct SiteChange {
  SitePatch patch;
  std::vector<std::string> remove_origins;  // normalized
  std::vector<std::string> add_origins;     // normalized
};

// Reads the current row of a sites query (columns as selected by kSiteColumns).
Site SiteFromRow(sql::ResultSet& rs);
inline constexpr const char* kSiteColumns =
    "id, site_key, name, title, primary_color, locked, locked_message, locale, is_main, "
    "rate_limit_messages, rate_limit_window_s, rate_limit_burst, rate_limit_message, created_at";
// The same columns of `sites s`, for queries that join it.
inline constexpr const char* kSiteColumnsOfS =
    "s.id, s.site_key, s.name, s.title, s.primary_color, s.locked, s.locked_message, s.locale, "
    "s.is_main, s.rate_limit_messages, s.rate_limit_window_s, s.rate_limit_burst, "
    "s.rate_limit_message, s.created_at";
// Every site with its allowed origins, in id order, on the caller's connection (so a caller in a
// transaction reads them from its snapshot).
std::vector<Site> LoadSitesWithOrigins(DbConnection& c);
// Fills each site's secret_key_hashes with its active keys' hashes (the registry document).
void LoadActiveSecretKeyHashes(DbConnection& c, std::vector<Site>& sites);

// Announces a change to sites, origins or keys to the registry publisher; call it inside the
// transaction that makes the change (docs/architecture.md).
void BumpRegistryRevision(DbConnection& c);
// registry_state.revision on the caller's connection (inside its snapshot, if it has one).
Result<std::int64_t> ReadRegistryRevision(DbConnection& c);

// Inserts the site and its origins and bumps registry_state.revision, inside the caller's
// transaction (CreateSite audits it in the same one). A taken name or key is Error{kConflict,
// "conflict"}. Marking a site main unmarks the previous main site.
Result<Site> InsertSite(DbConnection& c, const NewSite& site);

// The site with this public key, without its origins (the guest API's lookup), if any.
Result<std::optional<Site>> FindSiteByKey(ConnectionPool& pool, std::string_view key);
// Every site with its origins, by id.
Result<std::vector<Site>> ListSites(ConnectionPool& pool);
// One site with its origins; Error{kNotFound, "not_found"} for an unknown key.
Result<Site> FindSiteWithOrigins(ConnectionPool& pool, const std::string& site_key);

Result<Site> UpdateSite(ConnectionPool& pool, const std::string& site_key, const SitePatch& patch,
                        const Actor& actor);
Status DeleteSite(ConnectionPool& pool, const std::string& site_key, const Actor& actor);
// `origin` must already be normalized (shared::NormalizeAllowedOrigin). Adding one that is there
// is Error{kConflict, "conflict"}; removing one that is not is Error{kNotFound, "not_found"}.
Result<Site> AddSiteOrigin(ConnectionPool& pool, const std::string& site_key,
                           const std::string& origin, const Actor& actor);
Result<Site> RemoveSiteOrigin(ConnectionPool& pool, const std::string& site_key,
                              const std::string& origin, const Actor& actor);
// All of `change` or nothing: a conflict or a missing origin rolls back the patch too.
Result<Site> ChangeSiteWithOrigins(ConnectionPool& pool, const std::string& site_key,
                                   const SiteChange& change, const Actor& actor);
// Replaces the public site key by `new_key` (the old embed stops working).
Result<Site> RegenerateSiteKey(ConnectionPool& pool, const std::string& site_key,
                               const std::string& new_key, const Actor& actor);
// Creates the site with its origins, applies `settings` (lock, limits, locale...) and writes its
// audit row, in one transaction: a failure leaves nothing behind, and no site exists unaudited.
// A taken name or key is Error{kConflict, "conflict"}.
Result<Site> CreateSite(ConnectionPool& pool, const NewSite& site, const SitePatch& settings,
                        const Actor& actor);

// The sites as the services use them (a fake in their unit tests).
class SiteRepo {
 public:
  virtual ~SiteRepo() = default;
  virtual Result<std::vector<Site>> List() = 0;
  virtual Result<Site> Find(const std::string& site_key) = 0;
  virtual Result<Site> Create(const NewSite& site, const SitePatch& settings,
                              const Actor& actor) = 0;
  virtual Result<Site> Update(const std::string& site_key, const SitePatch& patch,
                              const Actor& actor) = 0;
  virtual Status Remove(const std::string& site_key, const Actor& actor) = 0;
  virtual Result<Site> Change(const std::string& site_key, const SiteChange& change,
                              const Actor& actor) = 0;
  virtual Result<Site> AddOrigin(const std::string& site_key, const std::string& origin,
                                 const Actor& actor) = 0;
  virtual Result<Site> RemoveOrigin(const std::string& site_key, const std::string& origin,
                                    const Actor& actor) = 0;
  virtual Result<Site> RegenerateKey(const std::string& site_key, const std::string& new_key,
                                     const Actor& actor) = 0;
};

class MysqlSiteRepo : public SiteRepo {
 public:
  explicit MysqlSiteRepo(ConnectionPool& pool) : pool_(pool) {}
  Result<std::vector<Site>> List() override { return ListSites(pool_); }
  Result<Site> Find(const std::string& site_key) override {
    return FindSiteWithOrigins(pool_, site_key);
  }
  Result<Site> Create(const NewSite& site, const SitePatch& settings, const Actor& actor) override {
    return CreateSite(pool_, site, settings, actor);
  }
  Result<Site> Update(const std::string& site_key, const SitePatch& patch,
                      const Actor& actor) override {
    return UpdateSite(pool_, site_key, patch, actor);
  }
  Status Remove(const std::string& site_key, const Actor& actor) override {
    return DeleteSite(pool_, site_key, actor);
  }
  Result<Site> Change(const std::string& site_key, const SiteChange& change,
                      const Actor& actor) override {
    return ChangeSiteWithOrigins(pool_, site_key, change, actor);
  }
  Result<Site> AddOrigin(const std::string& site_key, const std::string& origin,
                         const Actor& actor) override {
    return AddSiteOrigin(pool_, site_key, origin, actor);
  }
  Result<Site> RemoveOrigin(const std::string& site_key, const std::string& origin,
                            const Actor& actor) override {
    return RemoveSiteOrigin(pool_, site_key, origin, actor);
  }
  Result<Site> RegenerateKey(const std::string& site_key, const std::string& new_key,
                             const Actor& actor) override {
    return RegenerateSiteKey(pool_, site_key, new_key, actor);
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
