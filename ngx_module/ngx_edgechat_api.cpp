// The external API guard: route and method allow-lists, site keys against the registry, CORS,
// the config answered at the edge, locked sites and rate limits; plus the header filter that puts
// the CORS decision on every reply of a guarded location.
#include <openssl/sha.h>

#include <string>
#include <vector>

#include "core/route_limits.hpp"
#include "ngx_edgechat_conf.hpp"
#include "shared/http_shapes.hpp"
#include "shared/ids.hpp"
#include "shared/server_api.hpp"

namespace edgechat::ngx {

ngx_http_output_header_filter_pt next_header_filter = nullptr;

namespace {

// Counts headers with this name and returns the first (nginx keeps duplicates in the list).
ngx_table_elt_t* FindUnique(ngx_http_request_t* r, std::string_view name, bool* duplicate) {
  ngx_table_elt_t* found = nullptr;
  *duplicate = false;
  for (ngx_list_part_t* part = &r->headers_in.headers.part; part != nullptr; part = part->next) {
    auto* headers = static_cast<ngx_table_elt_t*>(part->elts);
    for (ngx_uint_t i = 0; i < part->nelts; i++) {
      if (headers[i].key.len != name.size() ||
          ngx_strncasecmp(headers[i].key.data,
                          reinterpret_cast<u_char*>(const_cast<char*>(name.data())),
                          name.size()) != 0) {
        continue;
      }
      if (found != nullptr) *duplicate = true;
      if (found == nullptr) found = &headers[i];
    }
  }
  return found;
}

// The worker trusts this header: overwrite every client-sent copy with the validated key, or add
// it when absent.
bool SetUpstreamSiteKey(ngx_http_request_t* r, ngx_str_t key) {
  static constexpr std::string_view kName = "X-Edgechat-Site-Key";
  bool replaced = false;
  for (ngx_list_part_t* part = &r->headers_in.headers.part; part != nullptr; part = part->next) {
    auto* headers = static_cast<ngx_table_elt_t*>(part->elts);
    for (ngx_uint_t i = 0; i < part->nelts; i++) {
      if (headers[i].key.len == kName.size() &&
          ngx_strncasecmp(headers[i].key.data,
                          reinterpret_cast<u_char*>(const_cast<char*>(kName.data())),
                          kName.size()) == 0) {
        headers[i].value = key;
        replaced = true;
      }
    }
  }
  if (replaced) return true;
  auto* header = static_cast<ngx_table_elt_t*>(ngx_list_push(&r->headers_in.headers));
  if (header == nullptr) return false;
  *header = ngx_table_elt_t{};
  static u_char lowcase[] = "x-edgechat-site-key";
  header->key = ngx_str_t{kName.size(), reinterpret_cast<u_char*>(const_cast<char*>(kName.data()))};
  header->lowcase_key = lowcase;
  header->hash = ngx_hash_key(lowcase, kName.size());
  header->value = key;
  return true;
}

// The hex SHA-256 of `text`, its first `bytes` bytes (at most 32).
std::string Sha256HexPrefix(std::string_view text, int bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < bytes && i < SHA256_DIGEST_LENGTH; i++) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

// The limiter key of a guest: a hash of the bearer token, so Redis never holds tokens.
std::string GuestKeyPart(std::string_view token) {
  return Sha256HexPrefix(token, 16);
}

ngx_int_t Reject(ngx_http_request_t* r, ngx_uint_t status, std::string_view code,
                 std::string_view message) {
  return SendJsonError(r, status, code, message);
}

ngx_int_t SendLimited(ngx_http_request_t* r, RequestCtx* ctx) {
  std::string retry = std::to_string(core::RetryAfterSeconds(ctx->verdict.retry_after_ms));
  if (!AddHeader(r, "Retry-After", retry)) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  static constexpr std::string_view kGuestMessage =
      R"({"error":"rate_limited","message":"Too many new conversations from this address. Please try again later."})";
  static constexpr std::string_view kServerMessage =
      R"({"error":"rate_limited","message":"Too many server API calls with this secret key. Retry after the Retry-After seconds."})";
  bool guests = ctx->route == shared::ApiRoute::kGuests;
  std::string_view body = ctx->server ? kServerMessage
                          : guests    ? kGuestMessage
                                      : std::string_view(ctx->site->limited_json);
  return SendBody(r, NGX_HTTP_TOO_MANY_REQUESTS, "application/json", "", body);
}

ngx_int_t Pass(ngx_http_request_t* r, RequestCtx* ctx) {
  if (!SetUpstreamSiteKey(r, ctx->site_key)) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  ctx->state = GuardState::kPassed;
  return NGX_DECLINED;
}

ngx_int_t SendConfig(ngx_http_request_t* r, const shared::Site& site) {
  static ngx_str_t cache_control_key = ngx_string("Cache-Control");
  static ngx_str_t no_cache = ngx_string("no-cache");
  if (!AddHeader(r, cache_control_key, no_cache)) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  static ngx_str_t type = ngx_string("application/json");
  static ngx_str_t no_charset = ngx_null_string;
  // The body lives in the registry, which the request context keeps alive.
  ngx_str_t body{site.config_json.size(),
                 reinterpret_cast<u_char*>(const_cast<char*>(site.config_json.data()))};
  return SendStaticBody(r, NGX_HTTP_OK, type, no_charset, body);
}

// What a request that passed every check gets: the config from the edge, or the worker.
ngx_int_t Admit(ngx_http_request_t* r, RequestCtx* ctx) {
  if (ctx->route == shared::ApiRoute::kConfig) {
    ctx->state = GuardState::kPassed;
    return SendConfig(r, *ctx->site);
  }
  return Pass(r, ctx);
}

ngx_int_t AfterLimit(ngx_http_request_t* r, RequestCtx* ctx) {
  return ctx->verdict.allowed ? Admit(r, ctx) : SendLimited(r, ctx);
}

void OnLimitDone(ngx_http_request_t* r, RequestCtx* ctx, LimitVerdict verdict) {
  ctx->pending = nullptr;
  ctx->verdict = verdict;
  ctx->state = GuardState::kLimitDone;
  ngx_connection_t* connection = r->connection;
  r->main->count--;  // taken when the request started waiting
  // ngx_http_test_reading may have removed a level-triggered read event: restore it.
  if (ngx_handle_read_event(connection->read, 0) != NGX_OK) {
    ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
  } else {
    r->read_event_handler = ngx_http_block_reading;
    r->write_event_handler = ngx_http_core_run_phases;
    ngx_http_core_run_phases(r);
  }
  ngx_http_run_posted_requests(connection);
}

// The configured limit of a route's kind; nullptr for messages (the site's own) and kNone.
const ConfiguredLimit* ConfiguredFor(core::LimitKind kind, const MainConf& mcf) {
  switch (kind) {
    case core::LimitKind::kGuestCreation:
      return &mcf.guest_limit;
    case core::LimitKind::kReaction:
      return &mcf.reaction_limit;
    case core::LimitKind::kTicket:
      return &mcf.ticket_limit;
    case core::LimitKind::kHistory:
      return &mcf.history_limit;
    case core::LimitKind::kTyping:
      return &mcf.typing_limit;
    case core::LimitKind::kRead:
      return &mcf.read_limit;
    case core::LimitKind::kMessage:
    case core::LimitKind::kNone:
      break;
  }
  return nullptr;
}

// The limiter keys a request is charged on: edgechat_request_limit's, then its route's per client
// IP and (for guest routes with a token) per guest. Empty when nothing limits it.
std::vector<core::LimitKey> LimitKeys(ngx_http_request_t* r, const RequestCtx& ctx,
                                      core::LimitKind kind, const MainConf& mcf) {
  // One hash tag per site keeps a request's keys in one Redis Cluster slot.
  std::string prefix = "edgechat:rl:{" + ctx.site->key + "}:";
  std::string address = shared::LimiterAddress(View(r->connection->addr_text));
  std::vector<core::LimitKey> keys;
  if (mcf.request_limit.enabled) {
    keys.push_back({prefix + std::string(core::kRequestLimitKeyTag) + ":ip:" + address,
                    mcf.request_limit.params});
  }
  std::optional<core::GcraParams> params;
  if (kind == core::LimitKind::kMessage) {
    const shared::SiteLimits& limits = ctx.site->limits;
    params = core::GcraFor(limits.messages, limits.window_seconds, limits.burst);
  } else if (const ConfiguredLimit* limit = ConfiguredFor(kind, mcf);
             limit != nullptr && limit->enabled) {
    params = limit->params;
  }
  if (!params) return keys;
  std::string route = prefix + std::string(core::LimitKeyTag(kind)) + ":";
  keys.push_back({route + "ip:" + address, *params});
  if (core::LimitPerGuest(kind) && ctx.guest_token) {
    keys.push_back({route + "g:" + GuestKeyPart(*ctx.guest_token), *params});
  }
  return keys;
}

ngx_int_t StartLimit(ngx_http_request_t* r, RequestCtx* ctx, std::vector<core::LimitKey> keys) {
  LimitVerdict now;
  RedisClient::Pending* pending = ctx->runtime->Limit(
      std::move(keys), &now, [r, ctx](LimitVerdict verdict) { OnLimitDone(r, ctx, verdict); });
  if (pending == nullptr) {
    ctx->verdict = now;
    ctx->state = GuardState::kLimitDone;
    return AfterLimit(r, ctx);
  }
  ctx->pending = pending;
  ctx->state = GuardState::kLimiting;
  r->main->count++;
  // As limit_req does while it delays: a client that leaves is noticed now, not when Redis
  // answers; its request is finalized and the pool cleanup (~RequestCtx) cancels the callback.
  r->read_event_handler = ngx_http_test_reading;
  r->write_event_handler = ngx_http_request_empty_handler;
  return NGX_DONE;
}

// NGX_DECLINED when the request may go on; else the refusal: a body larger than any API body (a
// backstop for configurations without client_max_body_size), or no registry yet.
ngx_int_t CheckBodySizeAndRegistry(ngx_http_request_t* r, const RequestCtx& ctx) {
  if (r->headers_in.content_length_n > kMaxApiBodyBytes) {
    return Reject(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                  "The request body is too large.");
  }
  if (!ctx.registry) {
    if (!AddHeader(r, "Retry-After", "1")) return NGX_HTTP_INTERNAL_SERVER_ERROR;
    return Reject(r, NGX_HTTP_SERVICE_UNAVAILABLE, "not_ready",
                  "The chat is starting; please retry in a moment.");
  }
  return NGX_DECLINED;
}

// NGX_DECLINED unless a POST or PUT with a body says it is not JSON (415).
ngx_int_t CheckJsonBody(ngx_http_request_t* r) {
  if ((r->method & (NGX_HTTP_POST | NGX_HTTP_PUT)) && r->headers_in.content_length_n != 0) {
    ngx_table_elt_t* type = r->headers_in.content_type;
    if (type == nullptr || !shared::IsJsonContentType(View(type->value))) {
      return Reject(r, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Send the body as application/json.");
    }
  }
  return NGX_DECLINED;
}

// The server API (docs/server-api.md): for a site's own servers, never for browsers. Any Origin is
// refused (a server sends none), so no reply carries a CORS grant; the secret key must be one of
// the registry's active keys (a revoke reaches the edge with the registry, within 2 s); each key
// is limited on its own (edgechat_server_limit). The worker verifies the key again.
ngx_int_t ServerGuard(ngx_http_request_t* r, RequestCtx* ctx) {
  ctx->server = true;
  ctx->cors = core::CorsDecision{};  // not CORS: no Access-Control-* on any reply
  ctx->cors_set = true;
  bool duplicate = false;
  ngx_table_elt_t* origin_header = FindUnique(r, "Origin", &duplicate);
  if (origin_header != nullptr) {
    return Reject(r, NGX_HTTP_FORBIDDEN, "origin_not_allowed",
                  "The server API is for servers: calls from a browser (with an Origin) are "
                  "refused. Keep the secret key on your server.");
  }
  shared::ServerRouteMatch match = shared::ClassifyServerRoute(View(r->uri));
  if (match.route == shared::ServerRoute::kUnknown) {
    return Reject(r, NGX_HTTP_NOT_FOUND, "not_found", "No such route.");
  }
  if (!shared::ServerMethodAllowed(match.route, MethodName(r))) {
    return MethodNotAllowed(r, shared::ServerAllowedMethods(match.route),
                            "This method is not allowed here.");
  }
  if (ngx_int_t refused = CheckBodySizeAndRegistry(r, *ctx); refused != NGX_DECLINED)
    return refused;
  ngx_table_elt_t* authorization = FindUnique(r, "Authorization", &duplicate);
  if (duplicate) {
    return Reject(r, NGX_HTTP_BAD_REQUEST, "bad_request", "Repeated Authorization header.");
  }
  if (authorization == nullptr) {
    return Reject(r, NGX_HTTP_UNAUTHORIZED, "missing_secret_key",
                  "Send a secret key as \"Authorization: Bearer esk_...\".");
  }
  std::optional<std::string_view> secret = shared::SecretKeyBearer(View(authorization->value));
  if (!secret) {
    return Reject(r, NGX_HTTP_UNAUTHORIZED, "invalid_secret_key",
                  "Send a secret key as \"Authorization: Bearer esk_...\".");
  }
  std::string hash = Sha256HexPrefix(*secret, SHA256_DIGEST_LENGTH);
  const shared::Site* site = ctx->registry->FindBySecretKeyHash(hash);
  if (site == nullptr) {
    return Reject(r, NGX_HTTP_UNAUTHORIZED, "unknown_secret_key",
                  "The secret key is unknown or revoked.");
  }
  ctx->site = site;
  // The key's site: the registry (kept alive by ctx->registry) owns the bytes.
  ctx->site_key =
      ngx_str_t{site->key.size(), reinterpret_cast<u_char*>(const_cast<char*>(site->key.data()))};
  if (ngx_int_t refused = CheckJsonBody(r); refused != NGX_DECLINED) return refused;
  if (ctx->runtime != nullptr) {
    const MainConf& mcf = *MainConfOf(r);
    if (mcf.server_limit.enabled) {
      std::vector<core::LimitKey> keys;
      keys.push_back(
          {"edgechat:rl:{" + site->key + "}:s:k:" + hash.substr(0, 32), mcf.server_limit.params});
      return StartLimit(r, ctx, std::move(keys));
    }
  }
  return Pass(r, ctx);
}

ngx_int_t Guard(ngx_http_request_t* r, RequestCtx* ctx) {
  if (View(r->uri).starts_with(shared::kServerApiPrefix)) return ServerGuard(r, ctx);
  SrvConf* scf = SrvConfOf(r);
  shared::ApiRoute route = shared::ClassifyApiRoute(View(r->uri));
  ctx->route = route;
  bool duplicate = false;
  ngx_table_elt_t* origin_header = FindUnique(r, "Origin", &duplicate);
  std::optional<std::string_view> origin;
  if (origin_header != nullptr) origin = View(origin_header->value);

  // Until the site is known, the header filter grants errors to the chat origin and to any
  // whitelisted origin (ctx->cors_set stays false), so the happy path decides CORS only once.
  if (duplicate) {
    return Reject(r, NGX_HTTP_BAD_REQUEST, "bad_request", "Repeated Origin header.");
  }
  if (route == shared::ApiRoute::kUnknown) {
    return Reject(r, NGX_HTTP_NOT_FOUND, "not_found", "No such route.");
  }
  if (r->method == NGX_HTTP_OPTIONS) {
    ctx->cors = core::DecideCors(*scf->public_origin, origin, true,
                                 ctx->registry ? &ctx->registry->any_site_origins : nullptr);
    ctx->cors_set = true;
    if (ctx->cors.denied()) {
      return Reject(r, NGX_HTTP_FORBIDDEN, "origin_not_allowed",
                    "This origin may not use the chat.");
    }
    if (!AddHeader(r, "Allow", shared::AllowedMethods(route))) {
      return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    return SendBody(r, NGX_HTTP_NO_CONTENT, "", "", "");
  }
  if (!shared::MethodAllowed(route, MethodName(r))) {
    return MethodNotAllowed(r, shared::AllowedMethods(route), "This method is not allowed here.");
  }
  if (ngx_int_t refused = CheckBodySizeAndRegistry(r, *ctx); refused != NGX_DECLINED)
    return refused;

  ngx_table_elt_t* key_header = FindUnique(r, "Site-Key", &duplicate);
  if (duplicate) return Reject(r, NGX_HTTP_BAD_REQUEST, "bad_request", "Repeated Site-Key header.");
  ngx_str_t key = ngx_null_string;
  if (key_header != nullptr) key = key_header->value;
  if (key.len == 0 && shared::SiteKeyMayComeFromQuery(route)) {
    // An EventSource cannot send headers: its URL carries the site key (public, as in the embed
    // snippet) next to a single-use stream ticket that the worker checks.
    if (ngx_http_arg(r, const_cast<u_char*>(reinterpret_cast<const u_char*>("key")), 3, &key) !=
        NGX_OK) {
      key.len = 0;
    }
  }
  if (key.len == 0) {
    return Reject(r, NGX_HTTP_UNAUTHORIZED, "missing_site_key", "A Site-Key header is required.");
  }
  const shared::Site* site =
      shared::IsValidSiteKey(View(key)) ? ctx->registry->Find(View(key)) : nullptr;
  if (site == nullptr) {
    return Reject(r, NGX_HTTP_UNAUTHORIZED, "unknown_site_key",
                  "The Site-Key header does not name a known site.");
  }
  ctx->site = site;
  ctx->site_key = key;

  ctx->cors = core::DecideCors(*scf->public_origin, origin, false, site->origins);
  ctx->cors_set = true;
  if (ctx->cors.denied()) {
    return Reject(r, NGX_HTTP_FORBIDDEN, "origin_not_allowed",
                  "This origin is not allowed to use this site's chat.");
  }

  if (ngx_int_t refused = CheckJsonBody(r); refused != NGX_DECLINED) return refused;

  // The worker reads Authorization with the same grammar: a spelling that is not keyed here as
  // its guest must not reach it (nor cost it a lookup). Without the header the worker answers.
  if (shared::RouteActsForGuest(route) && r->headers_in.authorization != nullptr) {
    ctx->guest_token = shared::BearerToken(View(r->headers_in.authorization->value));
    if (!ctx->guest_token) {
      return Reject(r, NGX_HTTP_UNAUTHORIZED, "invalid_token",
                    "Send the guest token as \"Authorization: Bearer TOKEN\".");
    }
  }

  if (site->locked && route == shared::ApiRoute::kMessages && r->method == NGX_HTTP_POST) {
    return Reject(r, NGX_HTTP_FORBIDDEN, "site_locked",
                  site->locked_message.empty() ? shared::kDefaultLockedMessage
                                               : std::string_view(site->locked_message));
  }

  if (ctx->runtime != nullptr) {
    std::vector<core::LimitKey> keys =
        LimitKeys(r, *ctx, core::LimitFor(route, MethodName(r)), *MainConfOf(r));
    if (!keys.empty()) return StartLimit(r, ctx, std::move(keys));
  }
  return Admit(r, ctx);
}

void CountApiReply(ngx_http_request_t* r) {
  ngx_shm_zone_t* zone = MainConfOf(r)->settings->limiter_zone;
  ngx_uint_t status = r->headers_out.status;
  Count(zone, Counter::kApiRequests);
  if (r->method == NGX_HTTP_OPTIONS) Count(zone, Counter::kApiPreflights);
  // The Prometheus outcome partition: preflights are kApiPreflights; the rest by status.
  if (r->method != NGX_HTTP_OPTIONS) {
    Count(zone, status >= 200 && status < 300          ? Counter::kOutcomeAllowed
                : status == NGX_HTTP_UNAUTHORIZED      ? Counter::kOutcomeUnauthorized
                : status == NGX_HTTP_FORBIDDEN         ? Counter::kOutcomeForbidden
                : status == NGX_HTTP_TOO_MANY_REQUESTS ? Counter::kOutcomeLimited
                : status >= 400 && status < 500        ? Counter::kOutcomeOther4xx
                : status >= 500                        ? Counter::kOutcome5xx
                                                       : Counter::kOutcomeOther);
  }
  if (status >= 200 && status < 300) {
    Count(zone, Counter::kApi2xx);
  } else if (status == NGX_HTTP_UNAUTHORIZED) {
    Count(zone, Counter::kApi401);
  } else if (status == NGX_HTTP_FORBIDDEN) {
    Count(zone, Counter::kApi403);
  } else if (status == NGX_HTTP_TOO_MANY_REQUESTS) {
    Count(zone, Counter::kApi429);
  } else if (status >= 400 && status < 500) {
    Count(zone, Counter::kApiOther4xx);
  } else if (status >= 500) {
    Count(zone, Counter::kApi5xx);
  }
}

}  // namespace

// Runs in the rewrite phase, ahead of the location's own `return`/`rewrite` (our handler is
// registered after ngx_http_rewrite_module's, and nginx runs the last registered first), so a
// location that also uses `return` cannot skip the guard.
ngx_int_t ApiGuardHandler(ngx_http_request_t* r) {
  LocConf* lcf = LocConfOf(r);
  if (!lcf->api || r != r->main) return NGX_DECLINED;
  try {
    RequestCtx* ctx = CtxOf(r);
    if (ctx != nullptr) {
      switch (ctx->state) {
        case GuardState::kLimiting:
          return NGX_DONE;  // still waiting for the limiter
        case GuardState::kLimitDone:
          return AfterLimit(r, ctx);
        case GuardState::kPassed:
          return NGX_DECLINED;
        case GuardState::kChecking:
          break;
      }
    } else {
      ctx = PoolNew<RequestCtx>(r->pool);
      if (ctx == nullptr) return NGX_HTTP_INTERNAL_SERVER_ERROR;
      ngx_http_set_ctx(r, ctx, ngx_http_edgechat_module);
      MainConf* mcf = MainConfOf(r);
      ctx->runtime = mcf->runtime;
      if (ctx->runtime != nullptr) ctx->registry = ctx->runtime->registry();
    }
    return Guard(r, ctx);
  } catch (...) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "edgechat: API guard failed");
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
}

// Adds the CORS decision to every reply of a guarded request: ours, the worker's, and nginx's own
// error pages (413, 502...), so the widget can read them.
ngx_int_t HeaderFilter(ngx_http_request_t* r) {
  if (r != r->main) return next_header_filter(r);
  if (LocConfOf(r)->api) CountApiReply(r);
  RequestCtx* ctx = CtxOf(r);
  core::CorsDecision early;
  const core::CorsDecision* cors = nullptr;
  if (ctx != nullptr && ctx->cors_set) {
    cors = &ctx->cors;
  } else if (LocConfOf(r)->api && SrvConfOf(r)->public_origin != nullptr) {
    // nginx answered before the guard ran (a 413 or 400 from header checks): grant what a
    // preflight would, so the widget can still read the error.
    try {
      MainConf* mcf = MainConfOf(r);
      std::shared_ptr<const shared::Registry> registry =
          mcf->runtime != nullptr ? mcf->runtime->registry() : nullptr;
      bool duplicate = false;
      ngx_table_elt_t* origin = FindUnique(r, "Origin", &duplicate);
      std::optional<std::string_view> value;
      if (origin != nullptr && !duplicate) value = View(origin->value);
      early = core::DecideCors(*SrvConfOf(r)->public_origin, value, false,
                               registry ? &registry->any_site_origins : nullptr);
      cors = &early;
    } catch (...) {
      return NGX_ERROR;
    }
  }
  if (cors == nullptr) return next_header_filter(r);

  // Only the edge grants CORS: drop any Access-Control-* an upstream sent.
  for (ngx_list_part_t* part = &r->headers_out.headers.part; part != nullptr; part = part->next) {
    auto* headers = static_cast<ngx_table_elt_t*>(part->elts);
    for (ngx_uint_t i = 0; i < part->nelts; i++) {
      if (headers[i].key.len > 15 &&
          ngx_strncasecmp(headers[i].key.data,
                          reinterpret_cast<u_char*>(const_cast<char*>("Access-Control-")),
                          15) == 0) {
        headers[i].hash = 0;
      }
    }
  }
  for (std::size_t i = 0; i < cors->header_count; i++) {
    const core::HeaderView& header = cors->headers[i];
    ngx_str_t name{header.name.size(),
                   reinterpret_cast<u_char*>(const_cast<char*>(header.name.data()))};
    ngx_str_t value{header.value.size(),
                    reinterpret_cast<u_char*>(const_cast<char*>(header.value.data()))};
    if (!AddHeader(r, name, value)) return NGX_ERROR;
  }
  static ngx_str_t nosniff_key = ngx_string("X-Content-Type-Options");
  static ngx_str_t nosniff = ngx_string("nosniff");
  if (!AddHeader(r, nosniff_key, nosniff)) return NGX_ERROR;
  return next_header_filter(r);
}

ngx_int_t SiteKeyVariable(ngx_http_request_t* r, ngx_http_variable_value_t* v, uintptr_t) {
  RequestCtx* ctx = CtxOf(r);
  if (ctx == nullptr || ctx->site_key.len == 0) {
    v->not_found = 1;
    return NGX_OK;
  }
  v->data = ctx->site_key.data;
  v->len = ctx->site_key.len;
  v->valid = 1;
  v->no_cacheable = 0;
  v->not_found = 0;
  return NGX_OK;
}

ngx_int_t SiteNameVariable(ngx_http_request_t* r, ngx_http_variable_value_t* v, uintptr_t) {
  RequestCtx* ctx = CtxOf(r);
  if (ctx == nullptr || ctx->site == nullptr || ctx->site->name.empty()) {
    v->not_found = 1;
    return NGX_OK;
  }
  v->data = reinterpret_cast<u_char*>(const_cast<char*>(ctx->site->name.data()));
  v->len = ctx->site->name.size();
  v->valid = 1;
  v->no_cacheable = 0;
  v->not_found = 0;
  return NGX_OK;
}

}  // namespace edgechat::ngx
