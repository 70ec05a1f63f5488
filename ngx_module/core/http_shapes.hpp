// Small, nginx-free pieces of the edge's HTTP behaviour: identifiers, ETags, error bodies.
#pragma once

#include <string>
#include <string_view>

namespace edgechat::core {

// "ek_" followed by exactly 24 characters of [A-Za-z0-9] (see docs/architecture.md).
bool IsValidSiteKey(std::string_view key);

// A strong ETag (quotes included) that changes whenever the content changes.
std::string StrongEtag(std::string_view content);

// True if an If-None-Match header value matches etag (weak comparison, as RFC 9110 asks for
// If-None-Match; "*" matches any current representation).
bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag);

// The external API's error body: {"error": CODE, "message": TEXT}.
std::string ErrorJson(std::string_view code, std::string_view message);

}  // namespace edgechat::core
