// The site registry document (docs/architecture.md, "How the edge learns about sites"): where it
// lives in Redis, how the worker writes it and how the edge reads it, side by side so the two
// cannot drift. The edge's Registry is immutable once built; the module swaps whole registries, so
// readers never see a half-applied change.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "shared/origin.hpp"
#include "shared/result.hpp"
#include "shared/site_defaults.hpp"

namespace edgechat::shared {

// Redis keys: the document (a new revision is also announced on the channel of that name) and its
// revision (compared before a write, polled by the edge).
inline constexpr char kRegistryKey[] = "edgechat:registry";
inline constexpr char kRegistryRevisionKey[] = "edgechat:registry:rev";

// What the document says of one site, besides its origins.
struct SiteFields {
  std::string key;
  std::string name;
  std::string title;
  std::string primary_color;
  bool locked = false;
  std::string locked_message;
  std::optional<std::string> locale;
  bool main = false;
  // An entry the worker writes may leave the message empty (the default); the edge's Site holds
  // the text in its place.
  SiteLimits limits;
};

// One site of the document as the worker writes it.
struct RegistryEntry : SiteFields {
  std::vector<std::string> origins;
  // Hex SHA-256 of each active (not revoked) secret key: the edge refuses any other key on the
  // server API. A hash of a 238-bit random key reveals nothing usable.
  std::vector<std::string> secret_key_hashes;
};

// {"key", "name", "title", "primaryColor", "locked", "lockedMessage", "locale", "main", "origins",
// "limits": {"messages", "windowSeconds", "burst", "message"}, "secretKeyHashes": [...]}.
nlohmann::json RegistryEntryJson(const RegistryEntry& entry);
// {"revision": REVISION, "sites": [RegistryEntryJson...]}.
nlohmann::json RegistryDocument(std::int64_t revision, const std::vector<RegistryEntry>& sites);

// A set of allowed origins with a fast path for exact entries.
class OriginSet {
 public:
  void Add(const Origin& origin);
  bool Contains(const Origin& request) const;
  bool empty() const { return exact_.empty() && wildcards_.empty(); }
  const std::vector<Origin>& entries() const { return entries_; }

 private:
  // Orders exact origins without building strings, so a lookup never allocates.
  struct ExactLess {
    bool operator()(const Origin& a, const Origin& b) const {
      if (a.port != b.port) return a.port < b.port;
      if (a.host != b.host) return a.host < b.host;
      return a.scheme < b.scheme;
    }
  };

  std::vector<Origin> entries_;  // every entry, in the order given
  std::set<Origin, ExactLess> exact_;
  std::vector<Origin> wildcards_;
};

// One site as the edge holds it, parsed from the document.
struct Site : SiteFields {
  OriginSet origins;

  // Precomputed replies, so the request path only copies bytes.
  std::string config_json;   // body of GET /api/v1/external/config
  std::string frame_csp;     // Content-Security-Policy of the frame document
  std::string limited_json;  // body of a 429
};

struct Registry {
  std::int64_t revision = 0;
  std::map<std::string, Site, std::less<>> sites;  // by site key
  OriginSet any_site_origins;                      // union of every site's whitelist
  std::vector<std::string> warnings;               // entries skipped while parsing
  // Active secret keys: hex SHA-256 -> the site key of their site.
  std::map<std::string, std::string, std::less<>> secret_keys;

  const Site* Find(std::string_view key) const;
  // The site of an active secret key, by the key's hex SHA-256; nullptr if none.
  const Site* FindBySecretKeyHash(std::string_view hash) const;
};

// Parses the registry document. Structural problems (not JSON, no "sites" array) fail the whole
// document; a bad site or origin entry is skipped with a warning so one typo cannot block every
// later change.
Result<Registry> ParseRegistry(std::string_view json_text);

// The frame's Content-Security-Policy: strict, with frame-ancestors from the whitelist
// ('none' when the whitelist is empty).
std::string FrameContentSecurityPolicy(const OriginSet& origins);

// The CSP for a frame request whose site is unknown: nobody may frame it.
std::string_view UnknownSiteFrameCsp();

}  // namespace edgechat::shared
