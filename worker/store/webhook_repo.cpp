#include "store/webhook_repo.hpp"

#include <algorithm>

#include "store/mysql_util.hpp"
#include "store/outbox_repo.hpp"

namespace edgechat::worker {

using nlohmann::json;

const std::vector<std::string>& WebhookEventTypes() {
  static const std::vector<std::string>* types = new std::vector<std::string>{
      "conversation.created", "conversation.resolved", "conversation.reopened",
      "message.created",      "reaction.changed",      "visitor.identified"};
  return *types;
}

bool IsWebhookEventType(std::string_view type) {
  const auto& types = WebhookEventTypes();
  return std::find(types.begin(), types.end(), type) != types.end();
}

std::string WebhookTypeOfEvent(std::string_view event_type, const json& data) {
  if (event_type == "message") return "message.created";
  if (event_type == "reaction") return "reaction.changed";
  if (event_type == "status" && data.is_object() && data.contains("status") &&
      data["status"].is_string()) {
    const auto& status = data["status"].get_ref<const std::string&>();
    if (status == "resolved") return "conversation.resolved";
    if (status == "open") return "conversation.reopened";
  }
  return "";
}

std::string WebhookOrderingKey(std::uint64_t endpoint_id, std::uint64_t conversation_id) {
  return "ep" + std::to_string(endpoint_id) + ":c" + std::to_string(conversation_id);
}

namespace {

// "a,b" -> {"a","b"}; empty parts dropped.
std::vector<std::string> SplitEvents(const std::string& csv) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= csv.size()) {
    std::size_t comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    if (comma > start) out.push_back(csv.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string JoinEvents(const std::vector<std::string>& events) {
  std::string out;
  for (const auto& e : events) {
    if (!out.empty()) out += ',';
    out += e;
  }
  return out;
}

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

unsigned EnqueueWebhookEvent(DbConnection& c, std::uint64_t conversation_id, std::string_view type,
                             const std::string& event_key, const json& data) {
  // One indexed read per announced event: the site's enabled endpoints (most sites have none).
  auto stmt = Prepare(c,
                      "SELECT w.id, w.events, s.site_key, UTC_TIMESTAMP(6) AS now "
                      "FROM conversations c JOIN sites s ON s.id = c.site_id "
                      "JOIN webhook_endpoints w ON w.site_id = c.site_id AND w.enabled = 1 "
                      "WHERE c.id = ? ORDER BY w.id");
  stmt->setUInt64(1, conversation_id);
  struct Target {
    std::uint64_t id;
    std::string site_key;
    std::string now;
  };
  std::vector<Target> targets;
  {
    auto rs = Query(*stmt);
    while (rs->next()) {
      auto events = SplitEvents(rs->getString("events"));
      if (std::find(events.begin(), events.end(), type) == events.end()) continue;
      targets.push_back(Target{rs->getUInt64("id"), rs->getString("site_key"),
                               MysqlUtcToIso(std::string(rs->getString("now")))});
    }
  }
  if (targets.empty()) return 0;
  auto insert = Prepare(c,
                        "INSERT IGNORE INTO outbox (channel, idempotency_key, payload, "
                        "ordering_key, endpoint_id, event_type) VALUES (?, ?, ?, ?, ?, ?)");
  unsigned queued = 0;
  for (const auto& t : targets) {
    json body = {{"id", "evt_" + event_key},
                 {"type", std::string(type)},
                 {"createdAt", t.now},
                 {"siteId", t.site_key},
                 {"data", data}};
    insert->setString(1, kWebhookChannel);
    insert->setString(2, "whd_" + std::to_string(t.id) + "_" + event_key);
    insert->setString(3, Dump(body));
    insert->setString(4, WebhookOrderingKey(t.id, conversation_id));
    insert->setUInt64(5, t.id);
    insert->setString(6, std::string(type));
    if (insert->executeUpdate() > 0) ++queued;
  }
  return queued;
}

void EnqueueWebhooksForEvent(DbConnection& c, const EventNotice& event) {
  // Cheap test first: most event types are not announced at all.
  if (event.type != "message" && event.type != "reaction" && event.type != "status") return;
  json data = json::parse(event.data, nullptr, false);
  if (!data.is_object()) return;
  std::string type = WebhookTypeOfEvent(event.type, data);
  if (type.empty()) return;
  data["conversationId"] = event.conversation_id;
  EnqueueWebhookEvent(c, event.conversation_id, type, std::to_string(event.id), data);
}

namespace {

constexpr const char* kEndpointSelect =
    "SELECT w.id, s.site_key, w.url, w.events, w.enabled, w.allow_private, w.secret, "
    "w.secret_sealed, w.created_at, w.updated_at, w.secret_rotated_at "
    "FROM webhook_endpoints w JOIN sites s ON s.id = w.site_id ";

Result<WebhookEndpoint> EndpointFromRow(sql::ResultSet& rs, const SecretBox* box) {
  WebhookEndpoint e;
  e.id = rs.getUInt64("id");
  e.site_key = rs.getString("site_key");
  e.fields.url = rs.getString("url");
  e.fields.events = SplitEvents(rs.getString("events"));
  e.fields.enabled = rs.getInt("enabled") != 0;
  e.fields.allow_private = rs.getInt("allow_private") != 0;
  e.secret_sealed = rs.getInt("secret_sealed") != 0;
  std::string stored = rs.getString("secret");
  if (e.secret_sealed) {
    if (box == nullptr) {
      return Error{ErrorKind::kUnavailable, "secret_sealed",
                   "the endpoint's secret is sealed under identity.key_file, which is not "
                   "configured here"};
    }
    EC_TRY_ASSIGN(e.secret, box->OpenHex(stored));
  } else {
    e.secret = std::move(stored);
  }
  e.created_at = MysqlUtcToIso(std::string(rs.getString("created_at")));
  e.updated_at = MysqlUtcToIso(std::string(rs.getString("updated_at")));
  e.secret_rotated_at = OptionalIso(rs, "secret_rotated_at");
  return e;
}

Result<std::uint64_t> SiteIdOf(DbConnection& c, const std::string& site_key) {
  auto stmt = Prepare(c, "SELECT id FROM sites WHERE site_key = ?");
  stmt->setString(1, site_key);
  auto rs = Query(*stmt);
  if (!rs->next()) return Error{ErrorKind::kNotFound, "not_found", "No such site."};
  return static_cast<std::uint64_t>(rs->getUInt64("id"));
}

Result<WebhookEndpoint> ReadEndpoint(DbConnection& c, const std::string& site_key, std::uint64_t id,
                                     const SecretBox* box) {
  auto stmt = Prepare(c, std::string(kEndpointSelect) + "WHERE s.site_key = ? AND w.id = ?");
  stmt->setString(1, site_key);
  stmt->setUInt64(2, id);
  auto rs = Query(*stmt);
  if (!rs->next()) {
    return Error{ErrorKind::kNotFound, "webhook_not_found", "No such webhook endpoint."};
  }
  return EndpointFromRow(*rs, box);
}

json AuditOf(const WebhookEndpointFields& f) {
  return json{{"url", f.url},
              {"events", f.events},
              {"enabled", f.enabled},
              {"allowPrivate", f.allow_private}};
}

constexpr const char* kDeliverySelect =
    "SELECT o.id, o.idempotency_key, o.endpoint_id, o.event_type, o.attempts, o.last_error, "
    "o.last_status, o.created_at, o.last_attempt_at, o.next_attempt_at, o.delivered_at, "
    "o.failed_at, (o.lease_until IS NOT NULL AND o.lease_until >= UTC_TIMESTAMP(6)) AS leased "
    "FROM outbox o JOIN webhook_endpoints w ON w.id = o.endpoint_id "
    "JOIN sites s ON s.id = w.site_id WHERE o.channel = 'webhook' AND s.site_key = ? ";

WebhookDelivery DeliveryFromRow(sql::ResultSet& rs) {
  WebhookDelivery d;
  d.id = rs.getUInt64("id");
  d.delivery_id = rs.getString("idempotency_key");
  d.endpoint_id = rs.getUInt64("endpoint_id");
  d.event_type = rs.getString("event_type");
  d.attempts = rs.getUInt("attempts");
  d.last_error = OptionalString(rs, "last_error");
  if (!rs.isNull("last_status")) d.last_status = rs.getInt("last_status");
  d.created_at = MysqlUtcToIso(std::string(rs.getString("created_at")));
  d.last_attempt_at = OptionalIso(rs, "last_attempt_at");
  d.delivered_at = OptionalIso(rs, "delivered_at");
  d.failed_at = OptionalIso(rs, "failed_at");
  if (d.delivered_at) {
    d.status = "delivered";
  } else if (d.failed_at) {
    d.status = "failed";
  } else {
    d.next_attempt_at = OptionalIso(rs, "next_attempt_at");
    d.status = rs.getInt("leased") != 0 ? "sending" : d.attempts > 0 ? "retrying" : "pending";
  }
  return d;
}

}  // namespace

Result<std::vector<WebhookEndpoint>> MysqlWebhookRepo::List(const std::string& site_key) {
  using Rows = std::vector<WebhookEndpoint>;
  return WithConnection<Rows>(pool_, [&](DbConnection& c) -> Result<Rows> {
    EC_TRY(site_id, SiteIdOf(c, site_key));
    (void)site_id;
    auto stmt = Prepare(c, std::string(kEndpointSelect) + "WHERE s.site_key = ? ORDER BY w.id");
    stmt->setString(1, site_key);
    auto rs = Query(*stmt);
    Rows rows;
    while (rs->next()) {
      EC_TRY(e, EndpointFromRow(*rs, box_));
      rows.push_back(std::move(e));
    }
    return rows;
  });
}

Result<WebhookEndpoint> MysqlWebhookRepo::Get(const std::string& site_key, std::uint64_t id) {
  return WithConnection<WebhookEndpoint>(
      pool_, [&](DbConnection& c) { return ReadEndpoint(c, site_key, id, box_); });
}

Result<WebhookEndpoint> MysqlWebhookRepo::Create(const std::string& site_key,
                                                 const WebhookEndpointFields& fields,
                                                 const std::string& secret, const Actor& actor) {
  return WithTransaction<WebhookEndpoint>(pool_, [&](DbConnection& c) -> Result<WebhookEndpoint> {
    EC_TRY(site_id, SiteIdOf(c, site_key));
    auto insert = Prepare(c,
                          "INSERT INTO webhook_endpoints (site_id, url, events, enabled, "
                          "allow_private, secret, secret_sealed) VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert->setUInt64(1, site_id);
    insert->setString(2, fields.url);
    insert->setString(3, JoinEvents(fields.events));
    insert->setInt(4, fields.enabled ? 1 : 0);
    insert->setInt(5, fields.allow_private ? 1 : 0);
    insert->setString(6, box_ != nullptr ? box_->SealHex(secret) : secret);
    insert->setInt(7, box_ != nullptr ? 1 : 0);
    insert->executeUpdate();
    auto id = Query(*Prepare(c, "SELECT LAST_INSERT_ID() AS id"));
    id->next();
    std::uint64_t endpoint_id = id->getUInt64("id");
    json detail = AuditOf(fields);
    detail["id"] = endpoint_id;
    AppendAudit(c, actor, "webhook.add", site_key, AuditDetail(detail));
    return ReadEndpoint(c, site_key, endpoint_id, box_);
  });
}

Result<WebhookEndpoint> MysqlWebhookRepo::Update(const std::string& site_key, std::uint64_t id,
                                                 const WebhookEndpointFields& fields,
                                                 const Actor& actor) {
  return WithTransaction<WebhookEndpoint>(pool_, [&](DbConnection& c) -> Result<WebhookEndpoint> {
    EC_TRY(before, ReadEndpoint(c, site_key, id, box_));
    (void)before;
    auto update = Prepare(c,
                          "UPDATE webhook_endpoints SET url = ?, events = ?, enabled = ?, "
                          "allow_private = ? WHERE id = ?");
    update->setString(1, fields.url);
    update->setString(2, JoinEvents(fields.events));
    update->setInt(3, fields.enabled ? 1 : 0);
    update->setInt(4, fields.allow_private ? 1 : 0);
    update->setUInt64(5, id);
    update->executeUpdate();
    json detail = AuditOf(fields);
    detail["id"] = id;
    AppendAudit(c, actor, "webhook.update", site_key, AuditDetail(detail));
    return ReadEndpoint(c, site_key, id, box_);
  });
}

Status MysqlWebhookRepo::Remove(const std::string& site_key, std::uint64_t id, const Actor& actor) {
  return WithTransaction<Ok>(pool_, [&](DbConnection& c) -> Status {
    EC_TRY(site_id, SiteIdOf(c, site_key));
    auto remove = Prepare(c, "DELETE FROM webhook_endpoints WHERE id = ? AND site_id = ?");
    remove->setUInt64(1, id);
    remove->setUInt64(2, site_id);
    if (remove->executeUpdate() == 0) {
      return Error{ErrorKind::kNotFound, "webhook_not_found", "No such webhook endpoint."};
    }
    auto give_up = Prepare(c,
                           "UPDATE outbox SET failed_at = UTC_TIMESTAMP(6), lease_until = NULL, "
                           "last_error = 'endpoint removed' WHERE channel = 'webhook' "
                           "AND endpoint_id = ? AND delivered_at IS NULL AND failed_at IS NULL");
    give_up->setUInt64(1, id);
    give_up->executeUpdate();
    AppendAudit(c, actor, "webhook.remove", site_key, AuditDetail(json{{"id", id}}));
    return Ok{};
  });
}

Result<WebhookEndpoint> MysqlWebhookRepo::SetSecret(const std::string& site_key, std::uint64_t id,
                                                    const std::string& secret, const Actor& actor) {
  return WithTransaction<WebhookEndpoint>(pool_, [&](DbConnection& c) -> Result<WebhookEndpoint> {
    EC_TRY(before, ReadEndpoint(c, site_key, id, box_));
    (void)before;
    auto update = Prepare(c,
                          "UPDATE webhook_endpoints SET secret = ?, secret_sealed = ?, "
                          "secret_rotated_at = UTC_TIMESTAMP(6) WHERE id = ?");
    update->setString(1, box_ != nullptr ? box_->SealHex(secret) : secret);
    update->setInt(2, box_ != nullptr ? 1 : 0);
    update->setUInt64(3, id);
    update->executeUpdate();
    AppendAudit(c, actor, "webhook.rotate_secret", site_key, AuditDetail(json{{"id", id}}));
    return ReadEndpoint(c, site_key, id, box_);
  });
}

Result<std::vector<WebhookDelivery>> MysqlWebhookRepo::Deliveries(
    const std::string& site_key, std::optional<std::uint64_t> endpoint_id, unsigned limit) {
  using Rows = std::vector<WebhookDelivery>;
  return WithConnection<Rows>(pool_, [&](DbConnection& c) -> Result<Rows> {
    EC_TRY(site_id, SiteIdOf(c, site_key));
    (void)site_id;
    auto stmt = Prepare(c, std::string(kDeliverySelect) +
                               "AND (? = 0 OR o.endpoint_id = ?) ORDER BY o.id DESC LIMIT ?");
    stmt->setString(1, site_key);
    stmt->setUInt64(2, endpoint_id.value_or(0));
    stmt->setUInt64(3, endpoint_id.value_or(0));
    stmt->setUInt(4, limit);
    auto rs = Query(*stmt);
    Rows rows;
    while (rs->next()) rows.push_back(DeliveryFromRow(*rs));
    return rows;
  });
}

Result<WebhookDelivery> MysqlWebhookRepo::Resend(const std::string& site_key,
                                                 std::uint64_t delivery_row, const Actor& actor) {
  return WithTransaction<WebhookDelivery>(pool_, [&](DbConnection& c) -> Result<WebhookDelivery> {
    auto find = Prepare(c, std::string(kDeliverySelect) + "AND o.id = ? FOR UPDATE");
    find->setString(1, site_key);
    find->setUInt64(2, delivery_row);
    {
      auto rs = Query(*find);
      if (!rs->next()) {
        return Error{ErrorKind::kNotFound, "delivery_not_found", "No such webhook delivery."};
      }
      if (rs->getInt("leased") != 0) {
        return Error{ErrorKind::kConflict, "delivery_in_progress",
                     "This delivery is being sent right now; try again in a moment."};
      }
    }
    auto resend = Prepare(c,
                          "UPDATE outbox SET attempts = 0, delivered_at = NULL, failed_at = NULL, "
                          "lease_until = NULL, claimed_by = NULL, "
                          "next_attempt_at = UTC_TIMESTAMP(6), resent_at = UTC_TIMESTAMP(6) "
                          "WHERE id = ?");
    resend->setUInt64(1, delivery_row);
    resend->executeUpdate();
    AppendAudit(c, actor, "webhook.resend", site_key,
                AuditDetail(json{{"delivery", delivery_row}}));
    auto rs = Query(*find);
    rs->next();
    return DeliveryFromRow(*rs);
  });
}

Result<std::optional<WebhookTarget>> MysqlWebhookTargets::Find(std::uint64_t outbox_id) {
  using Out = std::optional<WebhookTarget>;
  return WithConnection<Out>(pool_, [&](DbConnection& c) -> Result<Out> {
    auto stmt = Prepare(c,
                        "SELECT o.idempotency_key, o.event_type, w.id, w.url, w.enabled, "
                        "w.allow_private, w.secret, w.secret_sealed FROM outbox o "
                        "JOIN webhook_endpoints w ON w.id = o.endpoint_id WHERE o.id = ?");
    stmt->setUInt64(1, outbox_id);
    auto rs = Query(*stmt);
    if (!rs->next()) return Out();
    WebhookTarget t;
    t.delivery_id = rs->getString("idempotency_key");
    t.event_type = rs->getString("event_type");
    t.endpoint_id = rs->getUInt64("id");
    t.url = rs->getString("url");
    t.enabled = rs->getInt("enabled") != 0;
    t.allow_private = rs->getInt("allow_private") != 0;
    std::string stored = rs->getString("secret");
    if (rs->getInt("secret_sealed") != 0) {
      if (box_ == nullptr) {
        return Error{ErrorKind::kUnavailable, "secret_sealed",
                     "the endpoint's secret is sealed and identity.key_file is not configured"};
      }
      EC_TRY_ASSIGN(t.secret, box_->OpenHex(stored));
    } else {
      t.secret = std::move(stored);
    }
    return Out(std::move(t));
  });
}

Status MysqlWebhookTargets::RecordAttempt(std::uint64_t outbox_id, std::optional<int> http_status) {
  return WithConnection<Ok>(pool_, [&](DbConnection& c) -> Status {
    auto stmt = Prepare(c,
                        "UPDATE outbox SET last_status = ?, last_attempt_at = UTC_TIMESTAMP(6) "
                        "WHERE id = ?");
    if (http_status) {
      stmt->setInt(1, *http_status);
    } else {
      stmt->setNull(1, sql::DataType::INTEGER);
    }
    stmt->setUInt64(2, outbox_id);
    stmt->executeUpdate();
    return Ok{};
  });
}

}  // namespace edgechat::worker
