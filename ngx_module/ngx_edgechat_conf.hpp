// Configuration and per-request state shared by the module's translation units:
// ngx_http_edgechat_module.cpp (directives, lifecycle), ngx_edgechat_api.cpp (the API guard and
// header filter) and ngx_edgechat_assets.cpp (widget.js, the frame, the status).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/cors.hpp"
#include "core/gcra.hpp"
#include "ngx_edgechat_glue.hpp"
#include "ngx_edgechat_runtime.hpp"
#include "shared/api_routes.hpp"
#include "shared/guest_token.hpp"
#include "shared/origin.hpp"
#include "shared/registry.hpp"

extern "C" {
extern ngx_module_t ngx_http_edgechat_module;
}

namespace edgechat::ngx {

// The default of a *_limit directive: `requests` per `window_seconds`, plus `burst`.
struct LimitDefault {
  std::uint32_t requests;
  std::uint32_t window_seconds;
  std::uint32_t burst;
};
// Per client IP and site, and (but guests) per guest. A visitor needs one guest per browser; an
// office behind one address gets a generous burst.
inline constexpr LimitDefault kGuestLimitDefault{60, 3600, 20};  // 60r/h burst=20
// A visitor clicks a few reactions a minute.
inline constexpr LimitDefault kReactionLimitDefault{60, 60, 30};  // 60r/m burst=30
// Only EventSource clients take tickets, one per (re)connection.
inline constexpr LimitDefault kTicketLimitDefault{20, 60, 10};  // 20r/m burst=10
// The widget reads the history on load, on reconnects and (without a stream) to poll; many tabs
// and visitors behind one address share the per-IP key.
inline constexpr LimitDefault kHistoryLimitDefault{120, 60, 60};  // 120r/m burst=60
// The frame sends one typing notice every few seconds while the visitor types.
inline constexpr LimitDefault kTypingLimitDefault{30, 60, 10};  // 30r/m burst=10
// The frame sends a read receipt when a reply is on screen: at most one per new reply.
inline constexpr LimitDefault kReadLimitDefault{30, 60, 10};  // 30r/m burst=10
// The server API (/api/v1/server/), per secret key: a site's own server syncing or answering.
inline constexpr LimitDefault kServerLimitDefault{600, 60, 120};  // 600r/m burst=120
// The largest request body the external API accepts (a message is at most 2000 characters).
inline constexpr off_t kMaxApiBodyBytes = 32 * 1024;

// A file read once at configuration time; its memory lives in the cycle's pool.
struct StaticAsset {
  ngx_str_t body;
  ngx_str_t etag;
};

// A *_limit directive: given or not (then its default applies), off or a rate.
struct ConfiguredLimit {
  ngx_flag_t set;
  ngx_flag_t enabled;
  core::GcraParams params;
};

struct MainConf {
  RuntimeSettings* settings;  // filled by the http-level directives
  Runtime* runtime;           // per worker process, created in InitProcess
  ngx_msec_t redis_timeout;
  ngx_flag_t redis_user_set;  // edgechat_redis_user given
  ngx_int_t limit_lease;      // edgechat_limit_lease: the largest lease, 1 = none
  ngx_flag_t zone_configured;
  ConfiguredLimit request_limit;   // every guarded request, per client IP and site; off by default
  ConfiguredLimit guest_limit;     // POST guests, per client IP and site
  ConfiguredLimit reaction_limit;  // PUT messages/{id}/reaction
  ConfiguredLimit ticket_limit;    // POST events/ticket
  ConfiguredLimit history_limit;   // GET messages
  ConfiguredLimit typing_limit;    // POST typing
  ConfiguredLimit read_limit;      // POST read
  ConfiguredLimit server_limit;    // the server API, per secret key
};

struct SrvConf {
  ngx_str_t public_origin_text;   // as configured, for messages
  shared::Origin* public_origin;  // normalized; nullptr when unset
};

// LocConf::status: edgechat_status and its format.
constexpr ngx_flag_t kStatusJson = 1;
constexpr ngx_flag_t kStatusPrometheus = 2;

struct LocConf {
  ngx_flag_t api;
  ngx_flag_t status;  // 0, kStatusJson or kStatusPrometheus
  StaticAsset* widget;
  StaticAsset* frame;
};

enum class GuardState { kChecking, kLimiting, kLimitDone, kPassed };

// Per-request state, owned by the request pool.
struct RequestCtx {
  ~RequestCtx() {
    if (pending != nullptr && runtime != nullptr) runtime->CancelLimit(pending);
  }

  std::shared_ptr<const shared::Registry> registry;  // keeps `site` valid across async steps
  const shared::Site* site = nullptr;
  ngx_str_t site_key{0, nullptr};
  core::CorsDecision cors;
  bool cors_set = false;
  GuardState state = GuardState::kChecking;
  shared::ApiRoute route = shared::ApiRoute::kUnknown;
  std::optional<std::string_view> guest_token;  // shared::BearerToken of Authorization, if any
  bool server = false;  // a server API request (/api/v1/server/), authenticated by a secret key
  LimitVerdict verdict;
  Runtime* runtime = nullptr;
  RedisClient::Pending* pending = nullptr;
};

inline MainConf* MainConfOf(ngx_http_request_t* r) {
  return static_cast<MainConf*>(ngx_http_get_module_main_conf(r, ngx_http_edgechat_module));
}
inline SrvConf* SrvConfOf(ngx_http_request_t* r) {
  return static_cast<SrvConf*>(ngx_http_get_module_srv_conf(r, ngx_http_edgechat_module));
}
inline LocConf* LocConfOf(ngx_http_request_t* r) {
  return static_cast<LocConf*>(ngx_http_get_module_loc_conf(r, ngx_http_edgechat_module));
}
inline RequestCtx* CtxOf(ngx_http_request_t* r) {
  return static_cast<RequestCtx*>(ngx_http_get_module_ctx(r, ngx_http_edgechat_module));
}

inline std::string_view MethodName(ngx_http_request_t* r) {
  return View(r->method_name);
}

// Content handlers (ngx_edgechat_assets.cpp).
ngx_int_t WidgetHandler(ngx_http_request_t* r);
ngx_int_t FrameHandler(ngx_http_request_t* r);
ngx_int_t StatusHandler(ngx_http_request_t* r);

// The external API guard, run in the rewrite phase (ngx_edgechat_api.cpp).
ngx_int_t ApiGuardHandler(ngx_http_request_t* r);

// Adds CORS headers to every reply of a guarded location and counts the replies.
ngx_int_t HeaderFilter(ngx_http_request_t* r);
extern ngx_http_output_header_filter_pt next_header_filter;

// $edgechat_site_key and $edgechat_site.
ngx_int_t SiteKeyVariable(ngx_http_request_t* r, ngx_http_variable_value_t* v, uintptr_t data);
ngx_int_t SiteNameVariable(ngx_http_request_t* r, ngx_http_variable_value_t* v, uintptr_t data);

}  // namespace edgechat::ngx
