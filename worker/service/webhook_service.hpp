// A site's webhook endpoints (docs/webhooks.md): one set of rules for the admin API and
// edgechatctl. URLs are checked with shared::ParseWebhookUrl (https, or http only with
// allow-private; no credentials, no fragment, at most 2048 bytes; an IP literal the rules
// refuse is refused here already); event types come from WebhookEventTypes(); the signing
// secret ("whsec_...") is made here at creation and on rotation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ids.hpp"
#include "shared/result.hpp"
#include "store/webhook_repo.hpp"

namespace edgechat::worker {

inline constexpr unsigned kMaxWebhooksPerSite = 20;
inline constexpr unsigned kMaxDeliveriesListed = 500;

// Absent fields stay as they are (on creation: url and events are required; enabled defaults
// to true, allow_private to false).
struct WebhookChange {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> events;
  std::optional<bool> enabled;
  std::optional<bool> allow_private;
};

class WebhookService {
 public:
  WebhookService(WebhookRepo& repo, RandomFill random) : repo_(repo), random_(std::move(random)) {}

  Result<std::vector<WebhookEndpoint>> List(const std::string& site_key);
  Result<WebhookEndpoint> Get(const std::string& site_key, std::uint64_t id);
  // Error{kInvalidInput, "invalid_url" | "invalid_events" | "too_many_webhooks"}.
  Result<WebhookEndpoint> Create(const std::string& site_key, const WebhookChange& change,
                                 const Actor& actor);
  Result<WebhookEndpoint> Update(const std::string& site_key, std::uint64_t id,
                                 const WebhookChange& change, const Actor& actor);
  Status Remove(const std::string& site_key, std::uint64_t id, const Actor& actor);
  // A new secret at once: deliveries from now on are signed with it.
  Result<WebhookEndpoint> RotateSecret(const std::string& site_key, std::uint64_t id,
                                       const Actor& actor);
  Result<std::vector<WebhookDelivery>> Deliveries(const std::string& site_key,
                                                  std::optional<std::uint64_t> endpoint_id,
                                                  unsigned limit);
  Result<WebhookDelivery> Resend(const std::string& site_key, std::uint64_t delivery_row,
                                 const Actor& actor);

 private:
  WebhookRepo& repo_;
  RandomFill random_;
};

// The checks alone (unit-tested): the fields an endpoint would have after `change`.
Status CheckWebhookFields(const WebhookEndpointFields& fields);

}  // namespace edgechat::worker
