#include "service/webhook_service.hpp"

#include <algorithm>

#include "common/webhook_signature.hpp"
#include "shared/webhook_url.hpp"

namespace edgechat::worker {

Status CheckWebhookFields(const WebhookEndpointFields& fields) {
  auto url = shared::ParseWebhookUrl(fields.url, fields.allow_private);
  if (!url) return url.error();
  if (fields.events.empty()) {
    return Error{ErrorKind::kInvalidInput, "invalid_events", "choose at least one event type"};
  }
  for (const auto& e : fields.events) {
    if (!IsWebhookEventType(e)) {
      std::string known;
      for (const auto& t : WebhookEventTypes()) known += (known.empty() ? "" : ", ") + t;
      return Error{ErrorKind::kInvalidInput, "invalid_events",
                   "unknown event type \"" + e + "\" (known: " + known + ")"};
    }
  }
  return Ok{};
}

namespace {

WebhookEndpointFields Apply(WebhookEndpointFields fields, const WebhookChange& change) {
  if (change.url) fields.url = *change.url;
  if (change.events) {
    fields.events.clear();
    for (const auto& e : *change.events) {
      if (std::find(fields.events.begin(), fields.events.end(), e) == fields.events.end())
        fields.events.push_back(e);
    }
  }
  if (change.enabled) fields.enabled = *change.enabled;
  if (change.allow_private) fields.allow_private = *change.allow_private;
  return fields;
}

}  // namespace

Result<std::vector<WebhookEndpoint>> WebhookService::List(const std::string& site_key) {
  return repo_.List(site_key);
}

Result<WebhookEndpoint> WebhookService::Get(const std::string& site_key, std::uint64_t id) {
  return repo_.Get(site_key, id);
}

Result<WebhookEndpoint> WebhookService::Create(const std::string& site_key,
                                               const WebhookChange& change, const Actor& actor) {
  if (!change.url) return Error{ErrorKind::kInvalidInput, "invalid_url", "give the url"};
  if (!change.events) {
    return Error{ErrorKind::kInvalidInput, "invalid_events", "choose at least one event type"};
  }
  WebhookEndpointFields fields = Apply(WebhookEndpointFields{}, change);
  if (auto ok = CheckWebhookFields(fields); !ok) return ok.error();
  EC_TRY(existing, repo_.List(site_key));
  if (existing.size() >= kMaxWebhooksPerSite) {
    return Error{ErrorKind::kInvalidInput, "too_many_webhooks",
                 "a site has at most " + std::to_string(kMaxWebhooksPerSite) + " endpoints"};
  }
  return repo_.Create(site_key, fields, NewWebhookSecret(random_), actor);
}

Result<WebhookEndpoint> WebhookService::Update(const std::string& site_key, std::uint64_t id,
                                               const WebhookChange& change, const Actor& actor) {
  EC_TRY(current, repo_.Get(site_key, id));
  WebhookEndpointFields fields = Apply(current.fields, change);
  if (auto ok = CheckWebhookFields(fields); !ok) return ok.error();
  return repo_.Update(site_key, id, fields, actor);
}

Status WebhookService::Remove(const std::string& site_key, std::uint64_t id, const Actor& actor) {
  return repo_.Remove(site_key, id, actor);
}

Result<WebhookEndpoint> WebhookService::RotateSecret(const std::string& site_key, std::uint64_t id,
                                                     const Actor& actor) {
  return repo_.SetSecret(site_key, id, NewWebhookSecret(random_), actor);
}

Result<std::vector<WebhookDelivery>> WebhookService::Deliveries(
    const std::string& site_key, std::optional<std::uint64_t> endpoint_id, unsigned limit) {
  return repo_.Deliveries(site_key, endpoint_id, std::clamp(limit, 1u, kMaxDeliveriesListed));
}

Result<WebhookDelivery> WebhookService::Resend(const std::string& site_key,
                                               std::uint64_t delivery_row, const Actor& actor) {
  return repo_.Resend(site_key, delivery_row, actor);
}

}  // namespace edgechat::worker
