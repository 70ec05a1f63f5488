// Small, nginx-free pieces of the external API's HTTP behaviour: ETags, error bodies.
#pragma once

#include <string>
#include <string_view>

namespace edgechat::shared {

// A strong ETag (quotes included) that changes whenever the content changes.
std::string StrongEtag(std::string_view content);

// True if an If-None-Match header value matches etag (weak comparison, as RFC 9110 asks for
// If-None-Match; "*" matches any current representation).
bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag);

// The external API's error body: {"error": CODE, "message": TEXT}.
std::string ErrorJson(std::string_view code, std::string_view message);

}  // namespace edgechat::shared
