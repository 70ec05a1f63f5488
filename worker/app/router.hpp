// The worker's top-level routes: health, readiness, metrics and the external API.
#pragma once

#include <functional>
#include <optional>

#include "api/external_api.hpp"
#include "http/types.hpp"

namespace edgechat::worker {

class Router {
 public:
  using Probe = std::function<bool()>;
  using MetricsText = std::function<std::string()>;
  // Another API mounted beside the external one (the admin API): std::nullopt if not its path.
  using Mount = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

  // `server`: the server API (/api/v1/server/), mounted the same way.
  Router(ExternalApi& external, Probe ready, MetricsText metrics, Mount admin = nullptr,
         Mount server = nullptr)
      : external_(external),
        ready_(std::move(ready)),
        metrics_(std::move(metrics)),
        admin_(std::move(admin)),
        server_(std::move(server)) {}

  HttpResponse Handle(const HttpRequest& request);

 private:
  ExternalApi& external_;
  Probe ready_;
  MetricsText metrics_;
  Mount admin_;
  Mount server_;
};

}  // namespace edgechat::worker
