// Sites, their origins and their secret keys, for the admin API and edgechatctl alike: each
// operation validates its plain input with one set of rules, writes through the repositories
// (which audit in the same transaction) and then announces the change once. See
// docs/architecture.md, "The services".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.hpp"
#include "shared/result.hpp"
#include "store/audit_repo.hpp"
#include "store/models.hpp"
#include "store/secret_key_repo.hpp"
#include "store/site_repo.hpp"

namespace edgechat::worker {

// Bounds of a site's fields (code points after trimming; numbers inclusive).
inline constexpr std::size_t kMaxSiteNameLength = 200;
inline constexpr std::size_t kMaxSiteTitleLength = 200;
inline constexpr std::size_t kMaxSiteMessageLength = 500;  // locked and rate-limit messages
inline constexpr std::size_t kMaxLocaleLength = 16;
inline constexpr std::size_t kMaxSecretLabelLength = 200;
inline constexpr unsigned kMaxLimitMessages = 100000;
inline constexpr unsigned kMaxLimitWindowSeconds = 86400;
inline constexpr unsigned kMaxLimitBurst = 100000;

// What a caller asks to change (or set, on creation); absent fields stay as they are. Values
// are as the user gave them: the service trims, checks and normalizes.
struct SiteChanges {
  std::optional<std::string> name;           // required on creation
  std::optional<std::string> title;          // 1..200
  std::optional<std::string> primary_color;  // "#rrggbb", either case
  std::optional<bool> locked;
  std::optional<std::string> locked_message;  // 0..500
  std::optional<std::string> locale;          // a language tag; "" clears it (follow the page)
  std::optional<bool> main;
  std::optional<std::int64_t> limit_messages;        // 1..100000
  std::optional<std::int64_t> limit_window_seconds;  // 1..86400
  std::optional<std::int64_t> limit_burst;           // 0..100000
  std::optional<std::string> limit_message;          // 0..500; "" = the edge's default
  std::vector<std::string> add_origins;     // any spelling shared::NormalizeAllowedOrigin takes
  std::vector<std::string> remove_origins;  // on update only
};

// A new secret key: shown once.
struct CreatedSecretKey {
  SecretKeyInfo info;
  std::string secret;
};

class SiteService {
 public:
  // `registry_changed` runs after every committed change to sites, origins or keys (edgechatctl
  // publishes the registry at once; the worker leaves it to its registry poll).
  SiteService(SiteRepo& sites, SecretKeyRepo& secret_keys, RandomFill random,
              std::function<void()> registry_changed = {});

  Result<std::vector<Site>> List();
  Result<Site> Find(const std::string& site_key);
  // A new site with a new key. Name required; origins optional (duplicates dropped).
  Result<Site> Create(const SiteChanges& changes, const Actor& actor);
  // Settings and origins in one transaction; an origin already there is Error{kConflict,
  // "conflict"}, one not there to remove Error{kNotFound, "not_found"}, and either leaves nothing
  // changed.
  Result<Site> Update(const std::string& site_key, const SiteChanges& changes, const Actor& actor);
  Status Remove(const std::string& site_key, const Actor& actor);
  Result<Site> AddOrigin(const std::string& site_key, const std::string& origin,
                         const Actor& actor);
  Result<Site> RemoveOrigin(const std::string& site_key, const std::string& origin,
                            const Actor& actor);
  // A new public key; the old one stops working.
  Result<Site> RotateKey(const std::string& site_key, const Actor& actor);

  Result<std::vector<SecretKeyInfo>> ListSecretKeys(const std::string& site_key);
  Result<CreatedSecretKey> AddSecretKey(const std::string& site_key, const std::string& label,
                                        const Actor& actor);
  Result<SecretKeyInfo> RevokeSecretKey(const std::string& site_key, std::uint64_t key_id,
                                        const Actor& actor);
  // By id or by prefix (edgechatctl): Error{kNotFound, "not_found"} if none matches,
  // Error{kConflict, "conflict"} if several do.
  Result<SecretKeyInfo> RevokeSecretKeyMatching(const std::string& site_key,
                                                const std::string& id_or_prefix,
                                                const Actor& actor);

 private:
  void Changed();

  SiteRepo& sites_;
  SecretKeyRepo& secret_keys_;
  RandomFill random_;
  std::function<void()> registry_changed_;
};

// The rules alone, for callers that check input before doing anything else (and for tests):
// the settings of `changes` as a repository patch.
Result<SitePatch> ValidateSiteSettings(const SiteChanges& changes);
// Each origin normalized, duplicates dropped (first spelling's position kept).
Result<std::vector<std::string>> NormalizeOrigins(const std::vector<std::string>& origins);

}  // namespace edgechat::worker
