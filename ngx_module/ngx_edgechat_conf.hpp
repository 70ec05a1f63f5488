// Configuration and per-request state shared by the module's translation units:
// ngx_http_edgechat_module.cpp (directives, lifecycle), ngx_edgechat_api.cpp (the API guard and
// header filter) and ngx_edgechat_assets.cpp (widget.js, the frame, the status).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/api_routes.hpp"
#include "core/cors.hpp"
#include "core/gcra.hpp"
#include "core/guest_token.hpp"
#include "core/origin.hpp"
#include "core/registry.hpp"
#include "ngx_edgechat_glue.hpp"
#include "ngx_edgechat_runtime.hpp"

extern "C" {
extern ngx_module_t ngx_http_edgechat_module;
}

namespace edgechat::ngx {

// Default guest creation limit per client IP and site (edgechat_guest_limit 60r/h burst=20): a
// visitor needs one guest per browser; an office behind one address gets a generous burst.
inline constexpr std::uint32_t kGuestsPerWindow = 60;
inline constexpr std::uint32_t kGuestWindowSeconds = 3600;
inline constexpr std::uint32_t kGuestBurst = 20;
// The largest request body the external API accepts (a message is at most 2000 characters).
inline constexpr off_t kMaxApiBodyBytes = 32 * 1024;

// A file read once at configuration time; its memory lives in the cycle's pool.
struct StaticAsset {
  ngx_str_t body;
  ngx_str_t etag;
};

struct MainConf {
  RuntimeSettings* settings;  // filled by the http-level directives
  Runtime* runtime;           // per worker process, created in InitProcess
  ngx_msec_t redis_timeout;
  ngx_flag_t redis_user_set;  // edgechat_redis_user given
  ngx_int_t limit_lease;      // edgechat_limit_lease: the largest lease, 1 = none
  ngx_flag_t zone_configured;
  ngx_flag_t request_limit_set;    // edgechat_request_limit given
  core::GcraParams request_limit;  // every guarded request, per client IP and site
  ngx_flag_t guest_limit_set;      // edgechat_guest_limit given
  core::GcraParams guest_limit;    // POST guests, per client IP and site
};

struct SrvConf {
  ngx_str_t public_origin_text;  // as configured, for messages
  core::Origin* public_origin;   // normalized; nullptr when unset
};

struct LocConf {
  ngx_flag_t api;
  ngx_flag_t status;
  StaticAsset* widget;
  StaticAsset* frame;
};

enum class GuardState { kChecking, kLimiting, kLimitDone, kPassed };

// Per-request state, owned by the request pool.
struct RequestCtx {
  ~RequestCtx() {
    if (pending != nullptr && runtime != nullptr) runtime->CancelLimit(pending);
  }

  std::shared_ptr<const core::Registry> registry;  // keeps `site` valid across async steps
  const core::Site* site = nullptr;
  ngx_str_t site_key{0, nullptr};
  core::CorsDecision cors;
  bool cors_set = false;
  GuardState state = GuardState::kChecking;
  core::ApiRoute route = core::ApiRoute::kUnknown;
  std::optional<std::string_view> guest_token;  // core::BearerToken of Authorization, if any
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
