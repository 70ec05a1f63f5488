#include "app/router.hpp"

namespace edgechat::worker {

HttpResponse Router::Handle(const HttpRequest& request) {
  std::string path = request.Path();
  if (path == "/healthz") return JsonResponse(200, R"({"status":"ok"})");
  if (path == "/readyz") {
    if (ready_ && ready_()) return JsonResponse(200, R"({"status":"ready"})");
    HttpResponse r = ErrorResponse(503, "not_ready", "The database is not reachable.");
    r.headers.emplace_back("Retry-After", "2");
    return r;
  }
  if (path == "/metrics" && metrics_) {
    HttpResponse r;
    r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4");
    r.body = metrics_();
    return r;
  }
  if (auto response = external_.Handle(request)) return std::move(*response);
  if (admin_) {
    if (auto response = admin_(request)) return std::move(*response);
  }
  if (server_) {
    if (auto response = server_(request)) return std::move(*response);
  }
  return ErrorResponse(404, "not_found", "No such route.");
}

}  // namespace edgechat::worker
