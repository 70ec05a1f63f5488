// Webhook endpoints (sql/015) and their deliveries, which are rows of the one outbox (channel
// "webhook", store/outbox_repo.hpp). EnqueueWebhooksForEvent runs inside the transaction of the
// event it announces (InsertEventAfter calls it for every event row), so a committed event has
// its deliveries and a rolled-back one none. docs/webhooks.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/secret_box.hpp"
#include "shared/result.hpp"
#include "store/audit_repo.hpp"
#include "store/event_notice.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

inline constexpr const char* kWebhookChannel = "webhook";

// The event types an endpoint may subscribe to, in documentation order. visitor.identified is
// defined (an endpoint may choose it) but not emitted yet.
const std::vector<std::string>& WebhookEventTypes();
bool IsWebhookEventType(std::string_view type);

struct WebhookEndpointFields {
  std::string url;
  std::vector<std::string> events;
  bool enabled = true;
  bool allow_private = false;
};

struct WebhookEndpoint {
  std::uint64_t id = 0;
  std::string site_key;
  WebhookEndpointFields fields;
  std::string secret;  // whsec_...
  bool secret_sealed = false;
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> secret_rotated_at;
};

// One row of the delivery log: an outbox row of channel "webhook".
struct WebhookDelivery {
  std::uint64_t id = 0;     // the outbox row
  std::string delivery_id;  // Edgechat-Delivery, stable across attempts and resends
  std::uint64_t endpoint_id = 0;
  std::string event_type;
  std::string status;  // pending, sending, retrying, delivered, failed
  unsigned attempts = 0;
  std::optional<std::string> last_error;
  std::optional<int> last_status;  // HTTP status of the last attempt
  std::string created_at;
  std::optional<std::string> last_attempt_at;
  std::optional<std::string> next_attempt_at;  // while not delivered or failed
  std::optional<std::string> delivered_at;
  std::optional<std::string> failed_at;
};

// The webhook type of an event row: "message" -> message.created, "status" -> conversation.
// resolved / conversation.reopened, "reaction" -> reaction.changed; "" for events webhooks do not
// announce (read, erased, ...).
std::string WebhookTypeOfEvent(std::string_view event_type, const nlohmann::json& data);

// The ordering key of a delivery: endpoint and conversation.
std::string WebhookOrderingKey(std::uint64_t endpoint_id, std::uint64_t conversation_id);

// Queues one delivery per enabled endpoint of the conversation's site subscribed to `type`,
// inside the caller's transaction. `event_key` makes the event id ("evt_" + event_key) and, with
// the endpoint, the delivery id; `data` is the event's own object. Returns how many were queued.
unsigned EnqueueWebhookEvent(DbConnection& c, std::uint64_t conversation_id, std::string_view type,
                             const std::string& event_key, const nlohmann::json& data);

// The same for an event row just written (InsertEventAfter): nothing for types not announced.
void EnqueueWebhooksForEvent(DbConnection& c, const EventNotice& event);

class WebhookRepo {
 public:
  virtual ~WebhookRepo() = default;
  // kNotFound "not_found" for no such site.
  virtual Result<std::vector<WebhookEndpoint>> List(const std::string& site_key) = 0;
  virtual Result<WebhookEndpoint> Get(const std::string& site_key, std::uint64_t id) = 0;
  virtual Result<WebhookEndpoint> Create(const std::string& site_key,
                                         const WebhookEndpointFields& fields,
                                         const std::string& secret, const Actor& actor) = 0;
  virtual Result<WebhookEndpoint> Update(const std::string& site_key, std::uint64_t id,
                                         const WebhookEndpointFields& fields,
                                         const Actor& actor) = 0;
  // Its pending deliveries are given up ("endpoint removed") in the same transaction.
  virtual Status Remove(const std::string& site_key, std::uint64_t id, const Actor& actor) = 0;
  virtual Result<WebhookEndpoint> SetSecret(const std::string& site_key, std::uint64_t id,
                                            const std::string& secret, const Actor& actor) = 0;
  // Newest first; `endpoint_id` narrows to one endpoint.
  virtual Result<std::vector<WebhookDelivery>> Deliveries(const std::string& site_key,
                                                          std::optional<std::uint64_t> endpoint_id,
                                                          unsigned limit) = 0;
  // Due again now with attempts from zero and a new retry window; same delivery id.
  virtual Result<WebhookDelivery> Resend(const std::string& site_key, std::uint64_t delivery_row,
                                         const Actor& actor) = 0;
};

// `box` (identity.key_file) seals new secrets at rest and opens sealed ones; null stores them
// readable (a sealed one then cannot be read: Error{kUnavailable, "secret_sealed"}).
class MysqlWebhookRepo : public WebhookRepo {
 public:
  MysqlWebhookRepo(ConnectionPool& pool, const SecretBox* box) : pool_(pool), box_(box) {}
  Result<std::vector<WebhookEndpoint>> List(const std::string& site_key) override;
  Result<WebhookEndpoint> Get(const std::string& site_key, std::uint64_t id) override;
  Result<WebhookEndpoint> Create(const std::string& site_key, const WebhookEndpointFields& fields,
                                 const std::string& secret, const Actor& actor) override;
  Result<WebhookEndpoint> Update(const std::string& site_key, std::uint64_t id,
                                 const WebhookEndpointFields& fields, const Actor& actor) override;
  Status Remove(const std::string& site_key, std::uint64_t id, const Actor& actor) override;
  Result<WebhookEndpoint> SetSecret(const std::string& site_key, std::uint64_t id,
                                    const std::string& secret, const Actor& actor) override;
  Result<std::vector<WebhookDelivery>> Deliveries(const std::string& site_key,
                                                  std::optional<std::uint64_t> endpoint_id,
                                                  unsigned limit) override;
  Result<WebhookDelivery> Resend(const std::string& site_key, std::uint64_t delivery_row,
                                 const Actor& actor) override;

 private:
  ConnectionPool& pool_;
  const SecretBox* box_;
};

// What the webhook sender reads and records per delivery (mail/webhook_deliverer).
struct WebhookTarget {
  std::uint64_t endpoint_id = 0;
  std::string url;
  std::string secret;
  bool enabled = false;
  bool allow_private = false;
  std::string delivery_id;
  std::string event_type;
};

class WebhookTargets {
 public:
  virtual ~WebhookTargets() = default;
  // The endpoint of outbox row `outbox_id` as it is now; nullopt when it was removed.
  virtual Result<std::optional<WebhookTarget>> Find(std::uint64_t outbox_id) = 0;
  // The attempt's HTTP status (nullopt: no response) and time, for the delivery log.
  virtual Status RecordAttempt(std::uint64_t outbox_id, std::optional<int> http_status) = 0;
};

class MysqlWebhookTargets : public WebhookTargets {
 public:
  MysqlWebhookTargets(ConnectionPool& pool, const SecretBox* box) : pool_(pool), box_(box) {}
  Result<std::optional<WebhookTarget>> Find(std::uint64_t outbox_id) override;
  Status RecordAttempt(std::uint64_t outbox_id, std::optional<int> http_status) override;

 private:
  ConnectionPool& pool_;
  const SecretBox* box_;
};

}  // namespace edgechat::worker
