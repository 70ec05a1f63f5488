// ngx_http_edgechat_module: the edge of edgechat inside nginx. This file is the nginx glue only:
// directives, configuration, phase handlers and the header filter. Decisions (origins, CORS,
// routes, limiter math, registry) live in core/, plain C++ with its own unit tests.
#include <openssl/sha.h>

#include <fstream>
#include <memory>
#include <string>

#include "core/api_routes.hpp"
#include "core/cors.hpp"
#include "core/gcra.hpp"
#include "core/http_shapes.hpp"
#include "core/origin.hpp"
#include "core/registry.hpp"
#include "ngx_edgechat_glue.hpp"
#include "ngx_edgechat_runtime.hpp"

extern "C" {
extern ngx_module_t ngx_http_edgechat_module;
}

namespace edgechat::ngx {
namespace {

constexpr std::size_t kMaxAssetBytes = 1024 * 1024;
constexpr std::size_t kDefaultZoneSize = 1024 * 1024;
// Guest creation per client IP and site: a visitor needs one guest per browser; an office behind
// one address gets a generous burst.
constexpr std::uint32_t kGuestsPerWindow = 60;
constexpr std::uint32_t kGuestWindowSeconds = 3600;
constexpr std::uint32_t kGuestBurst = 20;

ngx_http_output_header_filter_pt next_header_filter = nullptr;

// A file read once at configuration time; its memory lives in the cycle's pool.
struct StaticAsset {
  ngx_str_t body;
  ngx_str_t etag;
};

struct MainConf {
  RuntimeSettings* settings;  // filled by the http-level directives
  Runtime* runtime;           // per worker process, created in InitProcess
  ngx_msec_t redis_timeout;
  ngx_flag_t zone_configured;
  ngx_flag_t request_limit_set;    // edgechat_request_limit given
  core::GcraParams request_limit;  // every guarded request, per client IP and site
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
  LimitVerdict verdict;
  Runtime* runtime = nullptr;
  RedisClient::Pending* pending = nullptr;
};

MainConf* MainConfOf(ngx_http_request_t* r) {
  return static_cast<MainConf*>(ngx_http_get_module_main_conf(r, ngx_http_edgechat_module));
}
SrvConf* SrvConfOf(ngx_http_request_t* r) {
  return static_cast<SrvConf*>(ngx_http_get_module_srv_conf(r, ngx_http_edgechat_module));
}
LocConf* LocConfOf(ngx_http_request_t* r) {
  return static_cast<LocConf*>(ngx_http_get_module_loc_conf(r, ngx_http_edgechat_module));
}
RequestCtx* CtxOf(ngx_http_request_t* r) {
  return static_cast<RequestCtx*>(ngx_http_get_module_ctx(r, ngx_http_edgechat_module));
}

char* ConfError() {
  return static_cast<char*>(NGX_CONF_ERROR);
}
char* ConfMessage(const char* text) {
  return const_cast<char*>(text);
}

std::string_view MethodName(ngx_http_request_t* r) {
  return View(r->method_name);
}

// ---------------------------------------------------------------------------------------------
// Directives

char* SetRedis(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* mcf = static_cast<MainConf*>(conf);
  if (mcf->settings->redis) return ConfMessage("is duplicate");
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  try {
    Result<RedisEndpoint> endpoint = ParseRedisEndpoint(View(args[1]));
    if (!endpoint) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: invalid address \"%V\": %s", &cmd->name,
                         &args[1], endpoint.error().message.c_str());
      return ConfError();
    }
    mcf->settings->redis = std::move(endpoint).value();
    return NGX_CONF_OK;
  } catch (...) {
    return ConfError();
  }
}

char* SetRegistryCache(ngx_conf_t* cf, ngx_command_t*, void* conf) {
  auto* mcf = static_cast<MainConf*>(conf);
  if (!mcf->settings->registry_cache_path.empty()) return ConfMessage("is duplicate");
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  ngx_str_t path = args[1];
  if (ngx_conf_full_name(cf->cycle, &path, 0) != NGX_OK) return ConfError();
  try {
    mcf->settings->registry_cache_path = std::string(View(path));
    return NGX_CONF_OK;
  } catch (...) {
    return ConfError();
  }
}

char* SetLimitZone(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* mcf = static_cast<MainConf*>(conf);
  if (mcf->zone_configured) return ConfMessage("is duplicate");
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  ssize_t size = ngx_parse_size(&args[1]);
  if (size == NGX_ERROR || size < static_cast<ssize_t>(8 * ngx_pagesize)) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: invalid size \"%V\" (at least %uzk)", &cmd->name,
                       &args[1], 8 * ngx_pagesize / 1024);
    return ConfError();
  }
  static ngx_str_t name = ngx_string("edgechat_limits");
  mcf->settings->limiter_zone =
      AddLimiterZone(cf, &name, static_cast<size_t>(size), &ngx_http_edgechat_module);
  if (mcf->settings->limiter_zone == nullptr) return ConfError();
  mcf->zone_configured = 1;
  return NGX_CONF_OK;
}

char* SetPublicOrigin(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* scf = static_cast<SrvConf*>(conf);
  if (scf->public_origin != nullptr) return ConfMessage("is duplicate");
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  try {
    Result<core::Origin> origin = core::ParseAllowedOrigin(View(args[1]));
    if (!origin) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: invalid origin \"%V\": %s", &cmd->name,
                         &args[1], origin.error().message.c_str());
      return ConfError();
    }
    if (origin->wildcard) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                         "%V: \"%V\" is a wildcard; give the chat server's exact origin",
                         &cmd->name, &args[1]);
      return ConfError();
    }
    scf->public_origin = PoolNew<core::Origin>(cf->pool, std::move(origin).value());
    if (scf->public_origin == nullptr) return ConfError();
    scf->public_origin_text = args[1];
    return NGX_CONF_OK;
  } catch (...) {
    return ConfError();
  }
}

// Reads a file for edgechat_widget / edgechat_frame; nullptr (after logging) on failure.
StaticAsset* LoadAsset(ngx_conf_t* cf, ngx_command_t* cmd, ngx_str_t path) {
  if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) return nullptr;
  try {
    std::ifstream in(std::string(View(path)), std::ios::binary);
    if (!in) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "%V: cannot open file \"%V\"", &cmd->name,
                         &path);
      return nullptr;
    }
    std::string body;
    char chunk[4096];
    while (in.read(chunk, sizeof(chunk)) || in.gcount() > 0) {
      body.append(chunk, static_cast<std::size_t>(in.gcount()));
      if (body.size() > kMaxAssetBytes) break;
    }
    if (in.bad() || body.size() > kMaxAssetBytes) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: cannot read \"%V\" (unreadable or over 1 MiB)",
                         &cmd->name, &path);
      return nullptr;
    }
    if (body.empty()) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: file \"%V\" is empty", &cmd->name, &path);
      return nullptr;
    }
    auto* asset = static_cast<StaticAsset*>(ngx_pcalloc(cf->pool, sizeof(StaticAsset)));
    if (asset == nullptr) return nullptr;
    asset->body = PoolString(cf->pool, body);
    asset->etag = PoolString(cf->pool, core::StrongEtag(body));
    if (asset->body.data == nullptr || asset->etag.data == nullptr) return nullptr;
    return asset;
  } catch (...) {
    return nullptr;
  }
}

// edgechat_request_limit RATE [burst=N]; RATE is "Nr/s" or "Nr/m".
char* SetRequestLimit(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* mcf = static_cast<MainConf*>(conf);
  if (mcf->request_limit_set) return ConfMessage("is duplicate");
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  std::string_view rate = View(args[1]);
  std::uint32_t window = 0;
  if (rate.ends_with("r/s")) {
    window = 1;
  } else if (rate.ends_with("r/m")) {
    window = 60;
  }
  ngx_int_t count = window ? ngx_atoi(args[1].data, args[1].len - 3) : NGX_ERROR;
  ngx_int_t burst = 0;
  if (cf->args->nelts == 3) {
    std::string_view option = View(args[2]);
    burst = option.starts_with("burst=") ? ngx_atoi(args[2].data + 6, args[2].len - 6) : NGX_ERROR;
  }
  if (count == NGX_ERROR || count < 1 || count > 1000000 || burst == NGX_ERROR || burst > 1000000) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "%V: expected RATE [burst=N] with RATE like 20r/s or 600r/m, got \"%V\"",
                       &cmd->name, &args[1]);
    return ConfError();
  }
  mcf->request_limit =
      core::GcraFor(static_cast<std::uint32_t>(count), window, static_cast<std::uint32_t>(burst));
  mcf->request_limit_set = 1;
  return NGX_CONF_OK;
}

ngx_int_t WidgetHandler(ngx_http_request_t* r);
ngx_int_t FrameHandler(ngx_http_request_t* r);

char* SetContentHandler(ngx_conf_t* cf, ngx_http_handler_pt handler) {
  auto* clcf = static_cast<ngx_http_core_loc_conf_t*>(
      ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module));
  clcf->handler = handler;
  return NGX_CONF_OK;
}

char* SetWidget(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* lcf = static_cast<LocConf*>(conf);
  if (lcf->widget != nullptr) return ConfMessage("is duplicate");
  lcf->widget = LoadAsset(cf, cmd, static_cast<ngx_str_t*>(cf->args->elts)[1]);
  if (lcf->widget == nullptr) return ConfError();
  return SetContentHandler(cf, WidgetHandler);
}

char* SetFrame(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* lcf = static_cast<LocConf*>(conf);
  if (lcf->frame != nullptr) return ConfMessage("is duplicate");
  lcf->frame = LoadAsset(cf, cmd, static_cast<ngx_str_t*>(cf->args->elts)[1]);
  if (lcf->frame == nullptr) return ConfError();
  return SetContentHandler(cf, FrameHandler);
}

ngx_int_t StatusHandler(ngx_http_request_t* r);

char* SetStatus(ngx_conf_t* cf, ngx_command_t*, void* conf) {
  auto* lcf = static_cast<LocConf*>(conf);
  if (lcf->status) return ConfMessage("is duplicate");
  lcf->status = 1;
  return SetContentHandler(cf, StatusHandler);
}

char* SetApi(ngx_conf_t*, ngx_command_t*, void* conf) {
  auto* lcf = static_cast<LocConf*>(conf);
  if (lcf->api != NGX_CONF_UNSET) return ConfMessage("is duplicate");
  lcf->api = 1;
  return NGX_CONF_OK;
}

ngx_command_t kCommands[] = {
    {ngx_string("edgechat_redis"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1, SetRedis,
     NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_redis_timeout"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_msec_slot, NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, redis_timeout), nullptr},
    {ngx_string("edgechat_registry_cache"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1, SetRegistryCache,
     NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_limit_zone"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1, SetLimitZone,
     NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_request_limit"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12, SetRequestLimit,
     NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_public_origin"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_CONF_TAKE1,
     SetPublicOrigin, NGX_HTTP_SRV_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_widget"), NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1, SetWidget,
     NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_frame"), NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1, SetFrame,
     NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_api"), NGX_HTTP_LOC_CONF | NGX_CONF_NOARGS, SetApi,
     NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_status"), NGX_HTTP_LOC_CONF | NGX_CONF_NOARGS, SetStatus,
     NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    ngx_null_command};

// ---------------------------------------------------------------------------------------------
// Configuration objects

void* CreateMainConf(ngx_conf_t* cf) {
  auto* conf = static_cast<MainConf*>(ngx_pcalloc(cf->pool, sizeof(MainConf)));
  if (conf == nullptr) return nullptr;
  conf->settings = PoolNew<RuntimeSettings>(cf->pool);
  if (conf->settings == nullptr) return nullptr;
  conf->runtime = nullptr;
  conf->redis_timeout = NGX_CONF_UNSET_MSEC;
  conf->zone_configured = 0;
  return conf;
}

char* InitMainConf(ngx_conf_t* cf, void* conf) {
  auto* mcf = static_cast<MainConf*>(conf);
  ngx_conf_init_msec_value(mcf->redis_timeout, 250);
  mcf->settings->redis_timeout = mcf->redis_timeout;
  if (mcf->settings->limiter_zone == nullptr) {
    // The fallback limiter is part of the guarantee: give it a small zone by default.
    static ngx_str_t name = ngx_string("edgechat_limits");
    mcf->settings->limiter_zone =
        AddLimiterZone(cf, &name, kDefaultZoneSize, &ngx_http_edgechat_module);
    if (mcf->settings->limiter_zone == nullptr) return ConfError();
  }
  return NGX_CONF_OK;
}

void* CreateSrvConf(ngx_conf_t* cf) {
  return ngx_pcalloc(cf->pool, sizeof(SrvConf));
}

char* MergeSrvConf(ngx_conf_t*, void* parent, void* child) {
  auto* prev = static_cast<SrvConf*>(parent);
  auto* conf = static_cast<SrvConf*>(child);
  if (conf->public_origin == nullptr) {
    conf->public_origin = prev->public_origin;
    conf->public_origin_text = prev->public_origin_text;
  }
  return NGX_CONF_OK;
}

void* CreateLocConf(ngx_conf_t* cf) {
  auto* conf = static_cast<LocConf*>(ngx_pcalloc(cf->pool, sizeof(LocConf)));
  if (conf == nullptr) return nullptr;
  conf->api = NGX_CONF_UNSET;
  return conf;
}

char* MergeLocConf(ngx_conf_t* cf, void* parent, void* child) {
  auto* prev = static_cast<LocConf*>(parent);
  auto* conf = static_cast<LocConf*>(child);
  ngx_conf_merge_value(conf->api, prev->api, 0);
  if (conf->api || conf->frame != nullptr) {
    auto* scf =
        static_cast<SrvConf*>(ngx_http_conf_get_module_srv_conf(cf, ngx_http_edgechat_module));
    if (scf->public_origin == nullptr) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                         "edgechat_api and edgechat_frame need \"edgechat_public_origin\" in the "
                         "server or http block");
      return ConfError();
    }
  }
  return NGX_CONF_OK;
}

// ---------------------------------------------------------------------------------------------
// Responses

ngx_int_t SendStaticWithEtag(ngx_http_request_t* r, const StaticAsset& asset, ngx_str_t type) {
  static ngx_str_t etag_key = ngx_string("ETag");
  auto* etag = static_cast<ngx_table_elt_t*>(ngx_list_push(&r->headers_out.headers));
  if (etag == nullptr) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  *etag = ngx_table_elt_t{};
  etag->hash = 1;
  etag->key = etag_key;
  etag->value = asset.etag;
  r->headers_out.etag = etag;

  ngx_table_elt_t* if_none_match = r->headers_in.if_none_match;
  if (if_none_match != nullptr &&
      core::IfNoneMatchMatches(View(if_none_match->value), View(asset.etag))) {
    ngx_int_t rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) return rc;
    r->headers_out.status = NGX_HTTP_NOT_MODIFIED;
    r->headers_out.content_length_n = -1;
    r->header_only = 1;
    return ngx_http_send_header(r);
  }
  static ngx_str_t charset = ngx_string("utf-8");
  return SendStaticBody(r, NGX_HTTP_OK, type, charset, asset.body);
}

ngx_int_t MethodNotAllowed(ngx_http_request_t* r, std::string_view allow, std::string_view what) {
  if (!AddHeader(r, "Allow", allow)) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  return SendJsonError(r, NGX_HTTP_NOT_ALLOWED, "method_not_allowed", what);
}

ngx_int_t WidgetHandler(ngx_http_request_t* r) {
  LocConf* lcf = LocConfOf(r);
  if (lcf->widget == nullptr) return NGX_DECLINED;
  if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
    return MethodNotAllowed(r, "GET, HEAD", "widget.js accepts GET and HEAD only.");
  }
  if (!AddHeader(r, "Cache-Control", "public, max-age=300") ||
      !AddHeader(r, "X-Content-Type-Options", "nosniff")) {
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  Count(MainConfOf(r)->settings->limiter_zone, Counter::kWidget);
  static ngx_str_t type = ngx_string("application/javascript");
  return SendStaticWithEtag(r, *lcf->widget, type);
}

ngx_int_t FrameHandler(ngx_http_request_t* r) {
  LocConf* lcf = LocConfOf(r);
  if (lcf->frame == nullptr) return NGX_DECLINED;
  if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
    return MethodNotAllowed(r, "GET, HEAD", "The frame accepts GET and HEAD only.");
  }
  try {
    MainConf* mcf = MainConfOf(r);
    std::shared_ptr<const core::Registry> registry =
        mcf->runtime != nullptr ? mcf->runtime->registry() : nullptr;
    ngx_str_t key{0, nullptr};
    const core::Site* site = nullptr;
    if (registry &&
        ngx_http_arg(r, reinterpret_cast<u_char*>(const_cast<char*>("site")), 4, &key) == NGX_OK) {
      site = registry->Find(View(key));
    }
    // The frame document depends on the whitelist, which may change at any time.
    if (!AddHeader(r, "Cache-Control", "no-cache") ||
        !AddHeader(r, "X-Content-Type-Options", "nosniff")) {
      return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    Count(mcf->settings->limiter_zone, site ? Counter::kFrames : Counter::kFramesRefused);
    if (site == nullptr) {
      if (!AddHeader(r, "Content-Security-Policy", core::UnknownSiteFrameCsp())) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
      }
      ngx_uint_t status = registry ? NGX_HTTP_NOT_FOUND : NGX_HTTP_SERVICE_UNAVAILABLE;
      return SendBody(r, status, "text/html", "utf-8",
                      registry ? "<!doctype html><title>Unknown site</title><p>This chat is not "
                                 "available here.</p>\n"
                               : "<!doctype html><title>Starting</title><p>The chat is starting; "
                                 "try again in a moment.</p>\n");
    }
    if (!AddHeader(r, "Content-Security-Policy", site->frame_csp)) {
      return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    static ngx_str_t type = ngx_string("text/html");
    static ngx_str_t charset = ngx_string("utf-8");
    return SendStaticBody(r, NGX_HTTP_OK, type, charset, lcf->frame->body);
  } catch (...) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "edgechat: frame handler failed");
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
}

// Host-wide counters plus this worker process's view of the registry and Redis, as JSON.
ngx_int_t StatusHandler(ngx_http_request_t* r) {
  if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
    return MethodNotAllowed(r, "GET, HEAD", "The status accepts GET and HEAD only.");
  }
  try {
    MainConf* mcf = MainConfOf(r);
    ngx_shm_zone_t* zone = mcf->settings->limiter_zone;
    std::string body = "{\"counters\":{";
    for (int i = 0; i < static_cast<int>(Counter::kCount); i++) {
      auto counter = static_cast<Counter>(i);
      if (i > 0) body += ',';
      body += '"';
      body += CounterName(counter);
      body += "\":" + std::to_string(CounterValue(zone, counter));
    }
    body += "},\"worker\":{\"pid\":" + std::to_string(static_cast<long>(ngx_pid));
    std::shared_ptr<const core::Registry> registry =
        mcf->runtime != nullptr ? mcf->runtime->registry() : nullptr;
    body += ",\"registryRevision\":" + (registry ? std::to_string(registry->revision) : "null");
    body += ",\"sites\":" + std::to_string(registry ? registry->sites.size() : 0);
    bool configured = mcf->runtime != nullptr && mcf->runtime->redis_configured();
    body += ",\"redis\":\"";
    body += !configured                        ? "off"
            : mcf->runtime->limiter_on_redis() ? "connected"
            : mcf->runtime->redis_connected()  ? "connected, limiter on fallback"
                                               : "down";
    body += "\"}}\n";
    if (!AddHeader(r, "Cache-Control", "no-store")) return NGX_HTTP_INTERNAL_SERVER_ERROR;
    return SendBody(r, NGX_HTTP_OK, "application/json", "", body);
  } catch (...) {
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
}

// ---------------------------------------------------------------------------------------------
// The external API guard

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

// The limiter key of a guest: a hash of the bearer token, so Redis never holds tokens.
std::string GuestKeyPart(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; i++) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
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
  bool guests = ctx->route == core::ApiRoute::kGuests;
  std::string_view body = guests ? kGuestMessage : std::string_view(ctx->site->limited_json);
  return SendBody(r, NGX_HTTP_TOO_MANY_REQUESTS, "application/json", "", body);
}

ngx_int_t Pass(ngx_http_request_t* r, RequestCtx* ctx) {
  if (!SetUpstreamSiteKey(r, ctx->site_key)) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  ctx->state = GuardState::kPassed;
  return NGX_DECLINED;
}

ngx_int_t SendConfig(ngx_http_request_t* r, const core::Site& site) {
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
  if (ctx->route == core::ApiRoute::kConfig) {
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
  r->write_event_handler = ngx_http_core_run_phases;
  r->main->count--;  // taken when the request started waiting
  ngx_http_core_run_phases(r);
  ngx_http_run_posted_requests(connection);
}

ngx_int_t StartLimit(ngx_http_request_t* r, RequestCtx* ctx, core::LimitKind kind,
                     const MainConf& mcf) {
  // One hash tag per site keeps a request's keys in one Redis Cluster slot.
  std::string prefix = "edgechat:rl:{" + ctx->site->key + "}:";
  std::string address(View(r->connection->addr_text));
  std::vector<core::LimitKey> keys;
  if (mcf.request_limit_set) {
    keys.push_back({prefix + "r:ip:" + address, mcf.request_limit});
  }
  if (kind == core::LimitKind::kMessage) {
    const core::SiteLimits& limits = ctx->site->limits;
    core::GcraParams params = core::GcraFor(limits.messages, limits.window_seconds, limits.burst);
    keys.push_back({prefix + "m:ip:" + address, params});
    if (ngx_table_elt_t* auth = r->headers_in.authorization) {
      if (auto token = core::BearerToken(View(auth->value))) {
        keys.push_back({prefix + "m:g:" + GuestKeyPart(*token), params});
      }
    }
  } else if (kind == core::LimitKind::kGuestCreation) {
    keys.push_back({prefix + "g:ip:" + address,
                    core::GcraFor(kGuestsPerWindow, kGuestWindowSeconds, kGuestBurst)});
  }

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
  r->write_event_handler = ngx_http_request_empty_handler;
  return NGX_DONE;
}

ngx_int_t Guard(ngx_http_request_t* r, RequestCtx* ctx) {
  SrvConf* scf = SrvConfOf(r);
  core::ApiRoute route = core::ClassifyApiRoute(View(r->uri));
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
  if (route == core::ApiRoute::kUnknown) {
    return Reject(r, NGX_HTTP_NOT_FOUND, "not_found", "No such route.");
  }
  if (r->method == NGX_HTTP_OPTIONS) {
    static const core::OriginSet kNoOrigins;
    ctx->cors = core::DecideCors(*scf->public_origin, origin, true,
                                 ctx->registry ? ctx->registry->any_site_origins : kNoOrigins);
    ctx->cors_set = true;
    if (ctx->cors.denied()) {
      return Reject(r, NGX_HTTP_FORBIDDEN, "origin_not_allowed",
                    "This origin may not use the chat.");
    }
    if (!AddHeader(r, "Allow", core::AllowedMethods(route))) {
      return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    return SendBody(r, NGX_HTTP_NO_CONTENT, "", "", "");
  }
  if (!core::MethodAllowed(route, MethodName(r))) {
    return MethodNotAllowed(r, core::AllowedMethods(route), "This method is not allowed here.");
  }
  if (!ctx->registry) {
    if (!AddHeader(r, "Retry-After", "1")) return NGX_HTTP_INTERNAL_SERVER_ERROR;
    return Reject(r, NGX_HTTP_SERVICE_UNAVAILABLE, "not_ready",
                  "The chat is starting; please retry in a moment.");
  }

  ngx_table_elt_t* key = FindUnique(r, "Site-Key", &duplicate);
  if (duplicate) return Reject(r, NGX_HTTP_BAD_REQUEST, "bad_request", "Repeated Site-Key header.");
  if (key == nullptr || key->value.len == 0) {
    return Reject(r, NGX_HTTP_UNAUTHORIZED, "missing_site_key", "A Site-Key header is required.");
  }
  const core::Site* site =
      core::IsValidSiteKey(View(key->value)) ? ctx->registry->Find(View(key->value)) : nullptr;
  if (site == nullptr) {
    return Reject(r, NGX_HTTP_UNAUTHORIZED, "unknown_site_key",
                  "The Site-Key header does not name a known site.");
  }
  ctx->site = site;
  ctx->site_key = key->value;

  ctx->cors = core::DecideCors(*scf->public_origin, origin, false, site->origins);
  ctx->cors_set = true;
  if (ctx->cors.denied()) {
    return Reject(r, NGX_HTTP_FORBIDDEN, "origin_not_allowed",
                  "This origin is not allowed to use this site's chat.");
  }

  if ((r->method & (NGX_HTTP_POST | NGX_HTTP_PUT)) && r->headers_in.content_length_n != 0) {
    ngx_table_elt_t* type = r->headers_in.content_type;
    if (type == nullptr || !core::IsJsonContentType(View(type->value))) {
      return Reject(r, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Send the body as application/json.");
    }
  }

  if (site->locked && route == core::ApiRoute::kMessages && r->method == NGX_HTTP_POST) {
    return Reject(r, NGX_HTTP_FORBIDDEN, "site_locked",
                  site->locked_message.empty() ? "This chat is closed for new messages."
                                               : std::string_view(site->locked_message));
  }

  core::LimitKind kind = core::LimitFor(route, MethodName(r));
  MainConf* mcf = MainConfOf(r);
  if ((kind != core::LimitKind::kNone || mcf->request_limit_set) && ctx->runtime != nullptr) {
    return StartLimit(r, ctx, kind, *mcf);
  }
  return Admit(r, ctx);
}

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

void CountApiReply(ngx_http_request_t* r) {
  ngx_shm_zone_t* zone = MainConfOf(r)->settings->limiter_zone;
  ngx_uint_t status = r->headers_out.status;
  Count(zone, Counter::kApiRequests);
  if (r->method == NGX_HTTP_OPTIONS) Count(zone, Counter::kApiPreflights);
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
      std::shared_ptr<const core::Registry> registry =
          mcf->runtime != nullptr ? mcf->runtime->registry() : nullptr;
      static const core::OriginSet kNoOrigins;
      bool duplicate = false;
      ngx_table_elt_t* origin = FindUnique(r, "Origin", &duplicate);
      std::optional<std::string_view> value;
      if (origin != nullptr && !duplicate) value = View(origin->value);
      early = core::DecideCors(*SrvConfOf(r)->public_origin, value, false,
                               registry ? registry->any_site_origins : kNoOrigins);
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

// ---------------------------------------------------------------------------------------------
// Variables

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

ngx_int_t PreConfiguration(ngx_conf_t* cf) {
  static ngx_str_t site_key = ngx_string("edgechat_site_key");
  static ngx_str_t site_name = ngx_string("edgechat_site");
  ngx_http_variable_t* var = ngx_http_add_variable(cf, &site_key, NGX_HTTP_VAR_NOCACHEABLE);
  if (var == nullptr) return NGX_ERROR;
  var->get_handler = SiteKeyVariable;
  var = ngx_http_add_variable(cf, &site_name, NGX_HTTP_VAR_NOCACHEABLE);
  if (var == nullptr) return NGX_ERROR;
  var->get_handler = SiteNameVariable;
  return NGX_OK;
}

ngx_int_t PostConfiguration(ngx_conf_t* cf) {
  auto* cmcf = static_cast<ngx_http_core_main_conf_t*>(
      ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module));
  auto* handler = static_cast<ngx_http_handler_pt*>(
      ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers));
  if (handler == nullptr) return NGX_ERROR;
  *handler = ApiGuardHandler;

  next_header_filter = ngx_http_top_header_filter;
  ngx_http_top_header_filter = HeaderFilter;
  return NGX_OK;
}

// ---------------------------------------------------------------------------------------------
// Process lifecycle

ngx_int_t InitProcess(ngx_cycle_t* cycle) {
  auto* mcf =
      static_cast<MainConf*>(ngx_http_cycle_get_module_main_conf(cycle, ngx_http_edgechat_module));
  if (mcf == nullptr) return NGX_OK;  // no http block
  try {
    mcf->runtime = PoolNew<Runtime>(cycle->pool, *mcf->settings, cycle->log);
    if (mcf->runtime == nullptr) return NGX_ERROR;
    mcf->runtime->Start();
    return NGX_OK;
  } catch (...) {
    ngx_log_error(NGX_LOG_EMERG, cycle->log, 0, "edgechat: cannot start");
    return NGX_ERROR;
  }
}

void ExitProcess(ngx_cycle_t* cycle) {
  auto* mcf =
      static_cast<MainConf*>(ngx_http_cycle_get_module_main_conf(cycle, ngx_http_edgechat_module));
  if (mcf != nullptr && mcf->runtime != nullptr) mcf->runtime->Stop();
}

ngx_http_module_t kModuleContext = {
    PreConfiguration,   // preconfiguration
    PostConfiguration,  // postconfiguration
    CreateMainConf,     // create main configuration
    InitMainConf,       // init main configuration
    CreateSrvConf,      // create server configuration
    MergeSrvConf,       // merge server configuration
    CreateLocConf,      // create location configuration
    MergeLocConf,       // merge location configuration
};

}  // namespace
}  // namespace edgechat::ngx

ngx_module_t ngx_http_edgechat_module = {NGX_MODULE_V1,
                                         &edgechat::ngx::kModuleContext,  // module context
                                         edgechat::ngx::kCommands,        // module directives
                                         NGX_HTTP_MODULE,                 // module type
                                         nullptr,                         // init master
                                         nullptr,                         // init module
                                         edgechat::ngx::InitProcess,      // init process
                                         nullptr,                         // init thread
                                         nullptr,                         // exit thread
                                         edgechat::ngx::ExitProcess,      // exit process
                                         nullptr,                         // exit master
                                         NGX_MODULE_V1_PADDING};
