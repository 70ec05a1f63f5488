// A visitor's context (docs/api.md, POST /api/v1/external/messages, "context"): where the
// visitor is and with what, as the widget captured it at a message. Untrusted, and never worth
// losing the message for: the rule is to clip and strip, not to refuse (the shape is the caller's
// to check). One set of rules for the worker and the CLI; the panel shows the result as text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgechat::worker {

inline constexpr std::size_t kMaxContextUrlLength = 1000;     // code points (pageUrl, referrer)
inline constexpr std::size_t kMaxContextTitleLength = 200;    // code points
inline constexpr std::size_t kMaxContextLanguageLength = 35;  // a BCP 47 tag
inline constexpr std::size_t kMaxContextTimeZoneLength = 64;  // an IANA name

struct VisitorContext {
  std::string page_url;    // http(s) URL without its #fragment, or empty
  std::string page_title;  // plain text, or empty
  std::string referrer;    // http(s) URL without its #fragment, or empty
  std::string language;    // "fa-IR", or empty
  std::string time_zone;   // "Asia/Tehran", or empty
  std::string browser;     // one of the families below, or empty
  bool operator==(const VisitorContext&) const = default;
  bool empty() const { return *this == VisitorContext{}; }
};

// The browser families a context may name ("other" for anything else non-empty).
bool IsKnownBrowserFamily(std::string_view name);

// Makes raw strings safe to store and show:
// - every string: invalid UTF-8 makes the field empty; control characters (C0, DEL, C1, and the
//   bidirectional overrides and isolates U+202A..U+202E, U+2066..U+2069) are removed; the
//   result is trimmed and clipped to its cap in code points (titles end with "…" when clipped);
// - pageUrl, referrer: must then be an absolute http: or https: URL with a host, without spaces,
//   else empty; the #fragment is dropped (it often holds tokens); longer than the cap: empty
//   (a clipped URL would point elsewhere);
// - language: [A-Za-z0-9-], starting with a letter, at most 35, else empty;
// - timeZone: an IANA-looking name (IsValidZoneName), else empty;
// - browser: lower-cased; a known family stays, anything else non-empty becomes "other".
VisitorContext NormalizeVisitorContext(VisitorContext raw);

// The name the panel shows for a visitor: the verified name when there is one, else
// "Visitor N" with the guest's number (stable for the guest, unique within the installation).
std::string VisitorDisplayName(std::uint64_t guest_number,
                               const std::optional<std::string>& verified_name);

}  // namespace edgechat::worker
