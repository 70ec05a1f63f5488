#include "app/metrics.hpp"

#include <sstream>

namespace edgechat::worker {

std::string MetricsText(const ServerCounters& c, const PoolStats& pool, bool redis_ok,
                        unsigned long long rejected_notices, unsigned long long own_notices) {
  std::ostringstream out;
  auto metric = [&](const char* name, const char* type, const char* help, auto value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
        << name << " " << value << "\n";
  };
  metric("edgechat_http_requests_total", "counter", "HTTP requests handled.", c.requests.load());
  metric("edgechat_http_responses_5xx_total", "counter", "Responses with a 5xx status.",
         c.responses_5xx.load());
  metric("edgechat_http_responses_busy_total", "counter",
         "503 busy: requests that waited longer than db.queue_deadline_ms for the pool.",
         c.responses_busy.load());
  metric("edgechat_http_open_connections", "gauge", "Open client connections.",
         c.open_connections.load());
  metric("edgechat_sse_open_streams", "gauge", "Open event streams.", c.open_streams.load());
  metric("edgechat_sse_refused_total", "counter",
         "Event streams refused with 503 because events.max_streams were open.",
         c.streams_refused.load());
  out << "# HELP edgechat_http_request_duration_seconds Time to answer a request.\n"
      << "# TYPE edgechat_http_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < std::size(ServerCounters::kBuckets); ++i) {
    out << "edgechat_http_request_duration_seconds_bucket{le=\"" << ServerCounters::kBuckets[i]
        << "\"} " << c.latency_buckets[i].load() << "\n";
  }
  out << "edgechat_http_request_duration_seconds_bucket{le=\"+Inf\"} " << c.latency_count.load()
      << "\n"
      << "edgechat_http_request_duration_seconds_sum "
      << static_cast<double>(c.latency_sum_us.load()) / 1e6 << "\n"
      << "edgechat_http_request_duration_seconds_count " << c.latency_count.load() << "\n";
  metric("edgechat_db_pool_size", "gauge", "Configured database connections.", pool.size);
  metric("edgechat_db_pool_open", "gauge", "Open database connections.", pool.open);
  metric("edgechat_db_pool_in_use", "gauge", "Database connections in use.", pool.in_use);
  metric("edgechat_db_errors_total", "counter", "Database errors.", pool.errors);
  metric("edgechat_redis_up", "gauge", "1 if the last Redis operation succeeded.",
         redis_ok ? 1 : 0);
  metric("edgechat_redis_notices_rejected_total", "counter",
         "Notices from Redis dropped as forged or malformed.", rejected_notices);
  metric("edgechat_redis_notices_own_total", "counter",
         "This worker's own notices handed back by Redis, skipped (delivered already).",
         own_notices);
  return out.str();
}

}  // namespace edgechat::worker
