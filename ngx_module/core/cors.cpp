#include "core/cors.hpp"

namespace edgechat::core {
namespace {

void Add(CorsDecision& decision, std::string_view name, std::string_view value) {
  decision.headers[decision.header_count++] = HeaderView{name, value};
}

}  // namespace

CorsDecision DecideCors(const shared::Origin& public_origin,
                        std::optional<std::string_view> origin_header, bool preflight,
                        const shared::OriginSet& allowed) {
  return DecideCors(public_origin, origin_header, preflight, &allowed);
}

CorsDecision DecideCors(const shared::Origin& public_origin,
                        std::optional<std::string_view> origin_header, bool preflight,
                        const shared::OriginSet* allowed) {
  CorsDecision decision;
  Add(decision, "Vary", "Origin");
  if (!origin_header) return decision;

  Result<shared::Origin> origin = shared::ParseRequestOrigin(*origin_header);
  bool granted = origin.ok() && (shared::OriginMatches(public_origin, origin.value()) ||
                                 (allowed != nullptr && allowed->Contains(origin.value())));
  if (!granted) {
    decision.outcome = CorsOutcome::kDenied;
    return decision;
  }
  decision.outcome = CorsOutcome::kAllowed;
  // The strict parse guarantees the value is a bare origin (no spaces, commas or CR/LF), so it
  // is safe to echo exactly as the browser sent it; browsers compare it byte for byte.
  Add(decision, "Access-Control-Allow-Origin", *origin_header);
  if (preflight) {
    Add(decision, "Access-Control-Allow-Methods", kAllowedMethods);
    Add(decision, "Access-Control-Allow-Headers", kAllowedRequestHeaders);
    Add(decision, "Access-Control-Max-Age", kPreflightMaxAgeSeconds);
  } else {
    Add(decision, "Access-Control-Expose-Headers", kExposedHeaders);
  }
  return decision;
}

}  // namespace edgechat::core
