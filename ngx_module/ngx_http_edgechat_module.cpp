// ngx_http_edgechat_module: the edge of edgechat inside nginx. This file holds the directives,
// configuration objects, process lifecycle and the module definition; the API guard is in
// ngx_edgechat_api.cpp, the content handlers in ngx_edgechat_assets.cpp. Decisions (origins, CORS,
// routes, limiter math, registry) live in core/, plain C++ with its own unit tests.
#include <fstream>
#include <string>

#include "ngx_edgechat_conf.hpp"
#include "shared/http_shapes.hpp"

namespace edgechat::ngx {
namespace {

constexpr std::size_t kMaxAssetBytes = 1024 * 1024;
constexpr std::size_t kDefaultZoneSize = 1024 * 1024;
constexpr ngx_int_t kMaxLimitLease = 65536;

char* ConfError() {
  return static_cast<char*>(NGX_CONF_ERROR);
}
char* ConfMessage(const char* text) {
  return const_cast<char*>(text);
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

char* SetRedisUser(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* mcf = static_cast<MainConf*>(conf);
  if (mcf->redis_user_set) return ConfMessage("is duplicate");
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  try {
    if (Status valid = shared::CheckRedisUser(View(args[1])); !valid) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: invalid user \"%V\": %s", &cmd->name, &args[1],
                         valid.error().message.c_str());
      return ConfError();
    }
    mcf->settings->redis_credentials.user = std::string(View(args[1]));
    mcf->redis_user_set = 1;
    return NGX_CONF_OK;
  } catch (...) {
    return ConfError();
  }
}

// Read now, by the master (which may be root): the password never sits in nginx.conf, and its
// file can stay unreadable to the worker processes' user.
char* SetRedisPasswordFile(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* mcf = static_cast<MainConf*>(conf);
  if (mcf->settings->redis_credentials.enabled()) return ConfMessage("is duplicate");
  ngx_str_t path = static_cast<ngx_str_t*>(cf->args->elts)[1];
  if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) return ConfError();
  try {
    Result<std::string> secret = shared::ReadSecretFile(std::string(View(path)));
    if (!secret) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: password file \"%V\": %s", &cmd->name, &path,
                         secret.error().message.c_str());
      return ConfError();
    }
    mcf->settings->redis_credentials.password = std::move(secret).value();
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
    Result<shared::Origin> origin = shared::ParseAllowedOrigin(View(args[1]));
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
    scf->public_origin = PoolNew<shared::Origin>(cf->pool, std::move(origin).value());
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
    asset->etag = PoolString(cf->pool, shared::StrongEtag(body));
    if (asset->body.data == nullptr || asset->etag.data == nullptr) return nullptr;
    return asset;
  } catch (...) {
    return nullptr;
  }
}

// The ConfiguredLimit a *_limit command sets: its offset in MainConf.
ConfiguredLimit* LimitOf(void* conf, const ngx_command_t* cmd) {
  return reinterpret_cast<ConfiguredLimit*>(static_cast<char*>(conf) + cmd->offset);
}

// Every *_limit directive: "RATE [burst=N]" or "off". The command's offset names the
// ConfiguredLimit it sets; its post, the LimitDefault used when it is absent (see InitMainConf).
char* SetLimit(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ConfiguredLimit* limit = LimitOf(conf, cmd);
  if (limit->set) return ConfMessage("is duplicate");
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  limit->set = 1;
  if (cf->args->nelts == 2 && View(args[1]) == "off") {
    limit->enabled = 0;
    return NGX_CONF_OK;
  }
  std::string_view burst = cf->args->nelts == 3 ? View(args[2]) : std::string_view();
  Result<core::GcraParams> parsed = core::ParseRateLimit(View(args[1]), burst);
  if (!parsed) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: %s, or off", &cmd->name,
                       parsed.error().message.c_str());
    return ConfError();
  }
  limit->enabled = 1;
  limit->params = parsed.value();
  return NGX_CONF_OK;
}

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

// "edgechat_status" answers JSON; "edgechat_status prometheus", Prometheus text.
char* SetStatus(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* lcf = static_cast<LocConf*>(conf);
  if (lcf->status) return ConfMessage("is duplicate");
  lcf->status = kStatusJson;
  if (cf->args->nelts == 2) {
    auto* args = static_cast<ngx_str_t*>(cf->args->elts);
    if (View(args[1]) != "prometheus") {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: unknown format \"%V\" (only \"prometheus\")",
                         &cmd->name, &args[1]);
      return ConfError();
    }
    lcf->status = kStatusPrometheus;
  }
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
    {ngx_string("edgechat_redis_user"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1, SetRedisUser,
     NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_redis_password_file"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     SetRedisPasswordFile, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_redis_timeout"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_msec_slot, NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, redis_timeout), nullptr},
    {ngx_string("edgechat_limit_lease"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1, ngx_conf_set_num_slot,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, limit_lease), nullptr},
    {ngx_string("edgechat_registry_cache"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1, SetRegistryCache,
     NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_limit_zone"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1, SetLimitZone,
     NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_request_limit"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12, SetLimit,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, request_limit), nullptr},
    {ngx_string("edgechat_guest_limit"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12, SetLimit,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, guest_limit),
     const_cast<LimitDefault*>(&kGuestLimitDefault)},
    {ngx_string("edgechat_reaction_limit"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12, SetLimit,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, reaction_limit),
     const_cast<LimitDefault*>(&kReactionLimitDefault)},
    {ngx_string("edgechat_ticket_limit"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12, SetLimit,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, ticket_limit),
     const_cast<LimitDefault*>(&kTicketLimitDefault)},
    {ngx_string("edgechat_history_limit"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12, SetLimit,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, history_limit),
     const_cast<LimitDefault*>(&kHistoryLimitDefault)},
    {ngx_string("edgechat_typing_limit"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12, SetLimit,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, typing_limit),
     const_cast<LimitDefault*>(&kTypingLimitDefault)},
    {ngx_string("edgechat_read_limit"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12, SetLimit,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, read_limit),
     const_cast<LimitDefault*>(&kReadLimitDefault)},
    {ngx_string("edgechat_server_limit"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12, SetLimit,
     NGX_HTTP_MAIN_CONF_OFFSET, offsetof(MainConf, server_limit),
     const_cast<LimitDefault*>(&kServerLimitDefault)},
    {ngx_string("edgechat_public_origin"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_CONF_TAKE1,
     SetPublicOrigin, NGX_HTTP_SRV_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_widget"), NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1, SetWidget,
     NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_frame"), NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1, SetFrame,
     NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_api"), NGX_HTTP_LOC_CONF | NGX_CONF_NOARGS, SetApi,
     NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_status"), NGX_HTTP_LOC_CONF | NGX_CONF_NOARGS | NGX_CONF_TAKE1, SetStatus,
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
  conf->redis_user_set = 0;
  conf->limit_lease = NGX_CONF_UNSET;
  conf->zone_configured = 0;
  return conf;
}

char* InitMainConf(ngx_conf_t* cf, void* conf) {
  auto* mcf = static_cast<MainConf*>(conf);
  ngx_conf_init_msec_value(mcf->redis_timeout, 250);
  mcf->settings->redis_timeout = mcf->redis_timeout;
  const shared::RedisCredentials& credentials = mcf->settings->redis_credentials;
  if (mcf->redis_user_set && !credentials.enabled()) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "edgechat_redis_user needs \"edgechat_redis_password_file\" (the user's "
                       "password)");
    return ConfError();
  }
  if (credentials.enabled() && !mcf->settings->redis) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "edgechat_redis_password_file is set but \"edgechat_redis\" is not");
    return ConfError();
  }
  ngx_conf_init_value(mcf->limit_lease, static_cast<ngx_int_t>(core::LeasePolicy{}.max_lease));
  if (mcf->limit_lease < 1 || mcf->limit_lease > kMaxLimitLease) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "edgechat_limit_lease must be between 1 and %i",
                       kMaxLimitLease);
    return ConfError();
  }
  mcf->settings->lease_policy.max_lease = static_cast<std::uint32_t>(mcf->limit_lease);
  for (ngx_command_t* cmd = kCommands; cmd->name.len != 0; cmd++) {
    if (cmd->set != SetLimit) continue;
    ConfiguredLimit* limit = LimitOf(mcf, cmd);
    if (limit->set) continue;
    const auto* fallback = static_cast<const LimitDefault*>(cmd->post);
    limit->enabled = fallback != nullptr;
    if (fallback != nullptr) {
      limit->params = core::GcraFor(fallback->requests, fallback->window_seconds, fallback->burst);
    }
  }
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
  // The cache manager and loader run init_process too; they serve no requests, so they get no
  // Redis connection, registry poller or cache file writes.
  if (ngx_process == NGX_PROCESS_HELPER) return NGX_OK;
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
