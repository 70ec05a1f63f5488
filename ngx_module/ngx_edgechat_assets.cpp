// widget.js, the frame document and the status: content handlers with their files read at
// configuration time.
#include <cstdint>
#include <string>

#include "core/prometheus.hpp"
#include "ngx_edgechat_conf.hpp"
#include "shared/http_shapes.hpp"

namespace edgechat::ngx {
namespace {

// Sends body (configuration memory) with a strong ETag, or 304 when If-None-Match matches it.
ngx_int_t SendWithEtag(ngx_http_request_t* r, ngx_str_t body, ngx_str_t etag_value,
                       ngx_str_t type) {
  static ngx_str_t etag_key = ngx_string("ETag");
  auto* etag = static_cast<ngx_table_elt_t*>(ngx_list_push(&r->headers_out.headers));
  if (etag == nullptr) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  *etag = ngx_table_elt_t{};
  etag->hash = 1;
  etag->key = etag_key;
  etag->value = etag_value;
  r->headers_out.etag = etag;

  ngx_table_elt_t* if_none_match = r->headers_in.if_none_match;
  if (if_none_match != nullptr &&
      shared::IfNoneMatchMatches(View(if_none_match->value), View(etag_value))) {
    ngx_int_t rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) return rc;
    r->headers_out.status = NGX_HTTP_NOT_MODIFIED;
    r->headers_out.content_length_n = -1;
    r->header_only = 1;
    return ngx_http_send_header(r);
  }
  static ngx_str_t charset = ngx_string("utf-8");
  return SendStaticBody(r, NGX_HTTP_OK, type, charset, body);
}

}  // namespace

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
  return SendWithEtag(r, lcf->widget->body, lcf->widget->etag, type);
}

ngx_int_t FrameHandler(ngx_http_request_t* r) {
  LocConf* lcf = LocConfOf(r);
  if (lcf->frame == nullptr) return NGX_DECLINED;
  if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
    return MethodNotAllowed(r, "GET, HEAD", "The frame accepts GET and HEAD only.");
  }
  try {
    MainConf* mcf = MainConfOf(r);
    std::shared_ptr<const shared::Registry> registry =
        mcf->runtime != nullptr ? mcf->runtime->registry() : nullptr;
    ngx_str_t key{0, nullptr};
    const shared::Site* site = nullptr;
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
      if (!AddHeader(r, "Content-Security-Policy", shared::UnknownSiteFrameCsp())) {
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
    // The reply is the file plus the site's policy: its ETag covers both, so a whitelist change
    // is never answered with 304.
    std::string tag = lcf->frame->etag.len > 0 ? std::string(View(lcf->frame->etag)) : "";
    ngx_str_t etag = PoolString(r->pool, shared::StrongEtag(tag + site->frame_csp));
    if (etag.data == nullptr) return NGX_HTTP_INTERNAL_SERVER_ERROR;
    static ngx_str_t type = ngx_string("text/html");
    return SendWithEtag(r, lcf->frame->body, etag, type);
  } catch (...) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "edgechat: frame handler failed");
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
}

namespace {

// The same data (and more) as Prometheus text: see core/prometheus.hpp.
ngx_int_t SendPrometheus(ngx_http_request_t* r, MainConf* mcf) {
  ngx_shm_zone_t* zone = mcf->settings->limiter_zone;
  auto value = [zone](Counter counter) {
    return static_cast<std::uint64_t>(CounterValue(zone, counter));
  };
  core::EdgeStats stats;
  stats.allowed = value(Counter::kOutcomeAllowed);
  stats.unauthorized = value(Counter::kOutcomeUnauthorized);
  stats.forbidden = value(Counter::kOutcomeForbidden);
  stats.limited = value(Counter::kOutcomeLimited);
  stats.preflight = value(Counter::kApiPreflights);
  stats.other_4xx = value(Counter::kOutcomeOther4xx);
  stats.server_errors = value(Counter::kOutcome5xx);
  stats.other = value(Counter::kOutcomeOther);
  stats.limit_redis = value(Counter::kLimitRedis);
  stats.limit_cached = value(Counter::kLimitCached);
  stats.limit_local = value(Counter::kLimitLocal);
  stats.redis_round_trips = value(Counter::kRedisRoundTrips);
  stats.redis_command_errors = value(Counter::kRedisCommandErrors);
  stats.redis_connection_errors = value(Counter::kRedisConnectionErrors);
  stats.frames = value(Counter::kFrames);
  stats.frames_refused = value(Counter::kFramesRefused);
  stats.widget = value(Counter::kWidget);
  stats.pid = static_cast<long>(ngx_pid);
  Runtime* runtime = mcf->runtime;
  stats.redis_configured = runtime != nullptr && runtime->redis_configured();
  stats.redis_connected = runtime != nullptr && runtime->redis_connected();
  stats.limiter_on_redis = runtime != nullptr && runtime->limiter_on_redis();
  std::shared_ptr<const shared::Registry> registry =
      runtime != nullptr ? runtime->registry() : nullptr;
  if (registry) {
    stats.registry_revision = registry->revision;
    time_t age = ngx_time() - runtime->registry_loaded_at();
    stats.registry_age_seconds = age > 0 ? static_cast<std::int64_t>(age) : 0;
    stats.sites = registry->sites.size();
  }
  if (!AddHeader(r, "Cache-Control", "no-store")) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  return SendBody(r, NGX_HTTP_OK, "text/plain; version=0.0.4", "utf-8",
                  core::EdgeMetricsText(stats));
}

}  // namespace

// Host-wide counters plus this worker process's view of the registry and Redis, as JSON (or, with
// "edgechat_status prometheus", as Prometheus text).
ngx_int_t StatusHandler(ngx_http_request_t* r) {
  if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
    return MethodNotAllowed(r, "GET, HEAD", "The status accepts GET and HEAD only.");
  }
  try {
    MainConf* mcf = MainConfOf(r);
    if (LocConfOf(r)->status == kStatusPrometheus) return SendPrometheus(r, mcf);
    ngx_shm_zone_t* zone = mcf->settings->limiter_zone;
    std::string body = "{\"counters\":{";
    for (int i = 0; i < static_cast<int>(Counter::kJsonCount); i++) {
      auto counter = static_cast<Counter>(i);
      if (i > 0) body += ',';
      body += '"';
      body += CounterName(counter);
      body += "\":" + std::to_string(CounterValue(zone, counter));
    }
    body += "},\"worker\":{\"pid\":" + std::to_string(static_cast<long>(ngx_pid));
    std::shared_ptr<const shared::Registry> registry =
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

}  // namespace edgechat::ngx
