// The site registry as the edge sees it: parsed from the JSON document the worker publishes in
// Redis (docs/architecture.md, "How the edge learns about sites"). Immutable once built; the
// module swaps whole registries, so readers never see a half-applied change.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/origin.hpp"
#include "core/result.hpp"

namespace edgechat::core {

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

struct SiteLimits {
  std::uint32_t messages = 20;        // messages allowed per window...
  std::uint32_t window_seconds = 60;  // ...over this many seconds
  std::uint32_t burst = 5;            // extra messages allowed at once
  std::string message = "You are sending messages too fast. Please wait a moment.";
};

inline constexpr std::uint32_t kMaxMessageLength = 2000;  // characters, enforced by the worker

struct Site {
  std::string key;
  std::string name;
  std::string title;
  std::string primary_color;
  bool locked = false;
  std::string locked_message;
  std::optional<std::string> locale;
  bool main = false;
  OriginSet origins;
  SiteLimits limits;

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

  const Site* Find(std::string_view key) const;
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

}  // namespace edgechat::core
