// ngx_http_edgechat_module: the edge of edgechat inside nginx. This file is the nginx glue only:
// directives, configuration merging and phase handlers. Decisions live in core/ (plain C++).
#include <fstream>
#include <iterator>
#include <string>

#include "core/http_shapes.hpp"
#include "core/origin.hpp"
#include "ngx_edgechat_glue.hpp"

extern "C" {
extern ngx_module_t ngx_http_edgechat_module;
}

namespace edgechat::ngx {
namespace {

constexpr std::size_t kMaxWidgetBytes = 1024 * 1024;

// The loader script, read once at configuration time; its memory lives in the cycle's pool.
struct WidgetAsset {
  ngx_str_t body;
  ngx_str_t etag;
};

struct SrvConf {
  ngx_str_t public_origin;  // normalized; empty when unset
};

struct LocConf {
  ngx_flag_t api;
  WidgetAsset* widget;
};

LocConf* LocConfOf(ngx_http_request_t* r) {
  return static_cast<LocConf*>(ngx_http_get_module_loc_conf(r, ngx_http_edgechat_module));
}

char* ConfError() {
  return static_cast<char*>(NGX_CONF_ERROR);
}

// ---------------------------------------------------------------------------------------------
// Directives

char* SetPublicOrigin(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* scf = static_cast<SrvConf*>(conf);
  if (scf->public_origin.data != nullptr) return const_cast<char*>("is duplicate");
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
    scf->public_origin = PoolString(cf->pool, origin->ToString());
    if (scf->public_origin.data == nullptr) return ConfError();
    return NGX_CONF_OK;
  } catch (...) {
    return ConfError();
  }
}

ngx_int_t WidgetHandler(ngx_http_request_t* r);

char* SetWidget(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  auto* lcf = static_cast<LocConf*>(conf);
  if (lcf->widget != nullptr) return const_cast<char*>("is duplicate");
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  ngx_str_t path = args[1];
  if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) return ConfError();
  try {
    std::string file_name(View(path));
    std::ifstream in(file_name, std::ios::binary);
    if (!in) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "%V: cannot open widget file \"%V\"",
                         &cmd->name, &path);
      return ConfError();
    }
    std::string body;
    body.reserve(4096);
    char chunk[4096];
    while (in.read(chunk, sizeof(chunk)) || in.gcount() > 0) {
      body.append(chunk, static_cast<std::size_t>(in.gcount()));
      if (body.size() > kMaxWidgetBytes) break;
    }
    if (in.bad() || body.size() > kMaxWidgetBytes) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                         "%V: cannot read widget file \"%V\" (unreadable or over 1 MiB)",
                         &cmd->name, &path);
      return ConfError();
    }
    if (body.empty()) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: widget file \"%V\" is empty", &cmd->name,
                         &path);
      return ConfError();
    }
    auto* asset = static_cast<WidgetAsset*>(ngx_pcalloc(cf->pool, sizeof(WidgetAsset)));
    if (asset == nullptr) return ConfError();
    asset->body = PoolString(cf->pool, body);
    asset->etag = PoolString(cf->pool, core::StrongEtag(body));
    if (asset->body.data == nullptr || asset->etag.data == nullptr) return ConfError();
    lcf->widget = asset;
  } catch (...) {
    return ConfError();
  }

  auto* clcf = static_cast<ngx_http_core_loc_conf_t*>(
      ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module));
  clcf->handler = WidgetHandler;
  return NGX_CONF_OK;
}

char* SetApi(ngx_conf_t*, ngx_command_t*, void* conf) {
  auto* lcf = static_cast<LocConf*>(conf);
  if (lcf->api != NGX_CONF_UNSET) return const_cast<char*>("is duplicate");
  lcf->api = 1;
  return NGX_CONF_OK;
}

ngx_command_t kCommands[] = {
    {ngx_string("edgechat_public_origin"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_CONF_TAKE1,
     SetPublicOrigin, NGX_HTTP_SRV_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_widget"), NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1, SetWidget,
     NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("edgechat_api"), NGX_HTTP_LOC_CONF | NGX_CONF_NOARGS, SetApi,
     NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    ngx_null_command};

// ---------------------------------------------------------------------------------------------
// Configuration objects

void* CreateSrvConf(ngx_conf_t* cf) {
  // ngx_pcalloc leaves public_origin empty, meaning "unset".
  return ngx_pcalloc(cf->pool, sizeof(SrvConf));
}

char* MergeSrvConf(ngx_conf_t*, void* parent, void* child) {
  auto* prev = static_cast<SrvConf*>(parent);
  auto* conf = static_cast<SrvConf*>(child);
  if (conf->public_origin.data == nullptr) conf->public_origin = prev->public_origin;
  return NGX_CONF_OK;
}

void* CreateLocConf(ngx_conf_t* cf) {
  auto* conf = static_cast<LocConf*>(ngx_pcalloc(cf->pool, sizeof(LocConf)));
  if (conf == nullptr) return nullptr;
  conf->api = NGX_CONF_UNSET;
  conf->widget = nullptr;
  return conf;
}

char* MergeLocConf(ngx_conf_t*, void* parent, void* child) {
  auto* prev = static_cast<LocConf*>(parent);
  auto* conf = static_cast<LocConf*>(child);
  ngx_conf_merge_value(conf->api, prev->api, 0);
  return NGX_CONF_OK;
}

// ---------------------------------------------------------------------------------------------
// Handlers

ngx_int_t WidgetHandler(ngx_http_request_t* r) {
  LocConf* lcf = LocConfOf(r);
  if (lcf->widget == nullptr) return NGX_DECLINED;
  if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
    if (!AddHeader(r, ngx_str_t ngx_string("Allow"), ngx_str_t ngx_string("GET, HEAD"))) {
      return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    return SendJsonError(r, NGX_HTTP_NOT_ALLOWED, "method_not_allowed",
                         "widget.js accepts GET and HEAD only.");
  }
  const WidgetAsset& asset = *lcf->widget;
  static ngx_str_t cache_control_key = ngx_string("Cache-Control");
  static ngx_str_t cache_control = ngx_string("public, max-age=300");
  static ngx_str_t etag_key = ngx_string("ETag");
  if (!AddHeader(r, cache_control_key, cache_control)) return NGX_HTTP_INTERNAL_SERVER_ERROR;

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

  static ngx_str_t type = ngx_string("application/javascript");
  static ngx_str_t charset = ngx_string("utf-8");
  return SendStaticBody(r, NGX_HTTP_OK, type, charset, asset.body);
}

// Runs in the rewrite phase, ahead of the location's own `return`/`rewrite` (our handler is
// registered after ngx_http_rewrite_module's, and nginx runs the last registered first), so a
// location that also uses `return` cannot skip the check.
ngx_int_t ApiGuardHandler(ngx_http_request_t* r) {
  LocConf* lcf = LocConfOf(r);
  if (!lcf->api || r != r->main) return NGX_DECLINED;
  if (r->method == NGX_HTTP_OPTIONS) return NGX_DECLINED;
  try {
    ngx_table_elt_t* key = FindRequestHeader(r, "Site-Key");
    if (key == nullptr || key->value.len == 0) {
      return SendJsonError(r, NGX_HTTP_UNAUTHORIZED, "missing_site_key",
                           "A Site-Key header is required.");
    }
    if (!core::IsValidSiteKey(View(key->value))) {
      return SendJsonError(r, NGX_HTTP_UNAUTHORIZED, "unknown_site_key",
                           "The Site-Key header does not name a known site.");
    }
    return NGX_DECLINED;
  } catch (...) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "edgechat: unexpected exception");
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
}

ngx_int_t PostConfiguration(ngx_conf_t* cf) {
  auto* cmcf = static_cast<ngx_http_core_main_conf_t*>(
      ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module));
  auto* handler = static_cast<ngx_http_handler_pt*>(
      ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers));
  if (handler == nullptr) return NGX_ERROR;
  *handler = ApiGuardHandler;
  return NGX_OK;
}

ngx_http_module_t kModuleContext = {
    nullptr,            // preconfiguration
    PostConfiguration,  // postconfiguration
    nullptr,            // create main configuration
    nullptr,            // init main configuration
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
                                         nullptr,                         // init process
                                         nullptr,                         // init thread
                                         nullptr,                         // exit thread
                                         nullptr,                         // exit process
                                         nullptr,                         // exit master
                                         NGX_MODULE_V1_PADDING};
