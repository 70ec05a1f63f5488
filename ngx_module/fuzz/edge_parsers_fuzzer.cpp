// libFuzzer target over the edge's parsers of untrusted input: Origin headers and whitelist
// entries, the registry document, and the header helpers. Besides not crashing, it checks
// properties: a parsed origin's normalized form parses back to itself, a request origin matches
// itself as an exact entry, a CORS grant only ever echoes a parseable origin.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/cors.hpp"
#include "shared/api_routes.hpp"
#include "shared/guest_token.hpp"
#include "shared/http_shapes.hpp"
#include "shared/ids.hpp"
#include "shared/origin.hpp"
#include "shared/registry.hpp"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void FuzzOrigins(std::string_view text) {
  using namespace edgechat::core;
  using namespace edgechat::shared;
  using edgechat::Result;
  if (Result<Origin> allowed = ParseAllowedOrigin(text)) {
    Result<Origin> again = ParseAllowedOrigin(allowed->ToString());
    Check(again.ok() && again.value() == allowed.value());
  }
  if (Result<Origin> request = ParseRequestOrigin(text)) {
    Check(!request->wildcard);
    Check(request->ToString().find("null") != 0);
    Result<Origin> entry = ParseAllowedOrigin(request->ToString());
    Check(entry.ok() && OriginMatches(entry.value(), request.value()));
  }
  static const Origin kChat = ParseAllowedOrigin("https://chat.example").value();
  static const OriginSet kSite = [] {
    OriginSet set;
    set.Add(ParseAllowedOrigin("https://shop.example").value());
    set.Add(ParseAllowedOrigin("*.example.org").value());
    return set;
  }();
  CorsDecision decision = DecideCors(kChat, text, text.size() % 2 == 0, kSite);
  if (decision.outcome == CorsOutcome::kAllowed) {
    Result<Origin> granted = ParseRequestOrigin(text);
    Check(granted.ok());
    Check(OriginMatches(kChat, granted.value()) || kSite.Contains(granted.value()));
    Check(text.find_first_of("\r\n, *") == std::string_view::npos);
  }
}

void FuzzHeaders(std::string_view text) {
  using namespace edgechat::core;
  using namespace edgechat::shared;
  using edgechat::Result;
  (void)IsValidSiteKey(text);
  (void)IfNoneMatchMatches(text, StrongEtag("x"));
  if (auto token = BearerToken(text)) Check(LooksLikeGuestToken(*token) && text.ends_with(*token));
  ApiRoute route = ClassifyApiRoute(text);
  if (route != ApiRoute::kUnknown) Check(text.starts_with(kExternalApiPrefix));
  (void)IsJsonContentType(text);
  (void)ErrorJson(text, text);
}

void FuzzRegistry(std::string_view text) {
  using namespace edgechat::core;
  using namespace edgechat::shared;
  using edgechat::Result;
  if (Result<Registry> registry = ParseRegistry(text)) {
    for (const auto& [key, site] : registry->sites) {
      Check(IsValidSiteKey(key));
      Check(site.frame_csp.find("frame-ancestors ") != std::string::npos);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      FuzzOrigins(text);
      break;
    case 1:
      FuzzHeaders(text);
      break;
    default:
      FuzzRegistry(text);
      break;
  }
  return 0;
}
