// The server API (/api/v1/server/..., docs/server-api.md) for sites' own servers: a thin front
// over SecretKeyAuth and ServerService (worker/service/): the route table of
// shared/server_api.hpp, JSON to service input, results to the admin API's JSON shapes. The edge
// has already refused unknown keys, browsers and callers over their limit; the key is verified
// here again on every call. Called on the blocking pool.
#pragma once

#include <optional>

#include "http/types.hpp"
#include "service/secret_key_auth.hpp"
#include "service/server_service.hpp"

namespace edgechat::worker {

class ServerApi {
 public:
  ServerApi(SecretKeyAuth& auth, ConversationRepo& conversations, AttributeRepo& attributes,
            EventPublisher& events)
      : auth_(auth), service_(conversations, attributes, events) {}

  // Answers any request under /api/v1/server/; std::nullopt if the path is not ours.
  std::optional<HttpResponse> Handle(const HttpRequest& request);

 private:
  Result<HttpResponse> Route(const HttpRequest& request);

  SecretKeyAuth& auth_;
  ServerService service_;
};

}  // namespace edgechat::worker
