// Web origins: parsing whitelist entries and Origin headers, and matching one against the other.
//
// An origin is the tuple (scheme, host, port). Matching compares whole tuples; a wildcard entry
// (`*.example.com`) matches hosts that end in `.example.com` at a dot boundary, never the apex.
//
// Rules (the same for the edge, the worker and the CLI, so an entry is validated once, everywhere):
// - Schemes: `http` and `https` only. Scheme and host are case-insensitive and stored lower-case.
// - A bare wildcard entry without scheme (`*.example.com`) means `https://*.example.com`: a
//   plain-http embedding must be listed explicitly (`http://*.example.com`).
// - Hosts are ASCII DNS names (labels of [a-z0-9-], 1..63 chars, no leading/trailing hyphen),
//   dotted-decimal IPv4 literals or bracketed IPv6 literals. Internationalized names must be given
//   in punycode (`xn--...`): that is what browsers send in the Origin header. Non-ASCII is refused.
// - No trailing dot, no userinfo (`a@b`), no path, query or fragment (a whitelist entry may end
//   in a single `/`, which is dropped), no `null`.
// - The default port (80 for http, 443 for https) is dropped: `https://a.example:443` is
//   `https://a.example`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"

namespace edgechat::shared {

struct Origin {
  std::string scheme;     // "http" or "https"
  std::string host;       // lower-case; IPv6 literals keep their brackets; no "*." for wildcards
  std::uint16_t port{0};  // the effective port (default ports filled in)
  bool wildcard{false};   // true for "*.host": matches strict subdomains of host

  // The normalized form: "https://shop.example", "http://localhost:5000", "https://*.example.com".
  std::string ToString() const;

  bool operator==(const Origin&) const = default;
};

// A whitelist entry as typed by an admin (surrounding whitespace is ignored).
Result<Origin> ParseAllowedOrigin(std::string_view entry);

// ParseAllowedOrigin(entry)->ToString(), for storing entries in their canonical form.
Result<std::string> NormalizeAllowedOrigin(std::string_view entry);

// The value of a request's Origin header. Strict: never a wildcard, never "null", never a path.
Result<Origin> ParseRequestOrigin(std::string_view header);

// True if the request origin equals an exact entry or falls under a wildcard entry.
bool OriginMatches(const Origin& allowed, const Origin& request);
bool OriginAllowed(const std::vector<Origin>& allowed, const Origin& request);

}  // namespace edgechat::shared
