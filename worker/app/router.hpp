// The worker's top-level routes: health, readiness, metrics and the external API.
#pragma once

#include <functional>

#include "api/external_api.hpp"
#include "http/types.hpp"

namespace edgechat::worker {

class Router {
 public:
  using Probe = std::function<bool()>;
  using MetricsText = std::function<std::string()>;

  Router(ExternalApi& external, Probe ready, MetricsText metrics)
      : external_(external), ready_(std::move(ready)), metrics_(std::move(metrics)) {}

  HttpResponse Handle(const HttpRequest& request);

 private:
  ExternalApi& external_;
  Probe ready_;
  MetricsText metrics_;
};

}  // namespace edgechat::worker
