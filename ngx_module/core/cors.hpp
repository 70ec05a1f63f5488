// CORS decisions for the external API (product.md, "Which origin is allowed" and "Preflights").
//
// - No Origin header (curl, servers): not a CORS request; it passes, other checks still apply.
// - The chat server's public origin is first-party and allowed for every site.
// - Any other origin must be in the site's whitelist (actual requests) or in any site's
//   whitelist (preflights, which carry no Site-Key value).
// - "null", malformed origins and unlisted origins are denied: 403, no grant.
// - Every reply carries "Vary: Origin"; a grant echoes the request's own Origin, never "*".
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "shared/origin.hpp"
#include "shared/registry.hpp"

namespace edgechat::core {

struct HeaderView {
  std::string_view name;
  std::string_view value;
};

enum class CorsOutcome {
  kNotCors,  // no Origin header
  kAllowed,
  kDenied,
};

inline constexpr std::string_view kPreflightMaxAgeSeconds = "7200";  // Chromium's cap
inline constexpr std::string_view kAllowedMethods = "GET, POST, PUT, OPTIONS";
inline constexpr std::string_view kAllowedRequestHeaders =
    "Site-Key, Content-Type, Authorization, Last-Event-ID, Edgechat-Identity";
inline constexpr std::string_view kExposedHeaders = "Retry-After";

// The headers to add point into static strings or into the request's own Origin value, so the
// caller must keep that value alive while using them.
struct CorsDecision {
  CorsOutcome outcome = CorsOutcome::kNotCors;
  std::array<HeaderView, 6> headers{};
  std::size_t header_count = 0;

  bool denied() const { return outcome == CorsOutcome::kDenied; }
};

// origin_header: the Origin value, or nullopt when absent. allowed: the site's whitelist for an
// actual request, the union of all whitelists for a preflight.
CorsDecision DecideCors(const shared::Origin& public_origin,
                        std::optional<std::string_view> origin_header, bool preflight,
                        const shared::OriginSet& allowed);
// The same with a whitelist that may be absent (nullptr: only the chat origin is allowed).
CorsDecision DecideCors(const shared::Origin& public_origin,
                        std::optional<std::string_view> origin_header, bool preflight,
                        const shared::OriginSet* allowed);

}  // namespace edgechat::core
