#include "json/admin_json.hpp"

#include "json/json_shapes.hpp"

namespace edgechat::worker {

using nlohmann::json;

namespace {
json Opt(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}
}  // namespace

json AdminSiteJson(const Site& s) {
  json site = SiteSettingsJson(s);
  site.erase("secretKeyHashes");  // the registry's, not the panel's
  site["id"] = s.id;
  site["createdAt"] = s.created_at;
  return site;
}

json SecretKeyJson(const SecretKeyInfo& k) {
  return json{{"id", k.id},
              {"siteKey", k.site_key},
              {"prefix", k.prefix},
              {"label", k.label},
              {"createdAt", k.created_at},
              {"lastUsedAt", Opt(k.last_used_at)},
              {"revokedAt", Opt(k.revoked_at)},
              {"canSignIdentities", k.can_sign_identities}};
}

json AdminInfoJson(const AdminInfo& a) {
  return json{{"id", a.id},
              {"username", a.username},
              {"displayName", a.display_name},
              {"createdAt", a.created_at},
              {"disabled", a.disabled}};
}

json AuditEntryJson(const AuditEntry& e) {
  json detail = json::parse(e.detail, nullptr, false);
  if (detail.is_discarded()) detail = e.detail;
  return json{{"id", e.id},         {"actor", e.actor}, {"action", e.action},
              {"target", e.target}, {"detail", detail}, {"createdAt", e.created_at}};
}

json ConversationSummaryJson(const ConversationSummary& c) {
  return json{{"id", c.id},
              {"siteKey", c.site_key},
              {"siteName", c.site_name},
              {"source", c.source},
              {"sourceLabel", SourceLabel(c.source)},
              {"status", c.status},
              {"guestId", Opt(c.guest_id)},
              {"createdAt", c.created_at},
              {"updatedAt", c.updated_at},
              {"lastMessageAt", Opt(c.last_message_at)},
              {"messageCount", c.message_count},
              {"lastMessage", Opt(c.last_message)},
              {"visitorName", Opt(c.visitor_name)}};
}

json VisitorContextJson(const std::optional<StoredVisitorContext>& stored) {
  if (!stored) return nullptr;
  const VisitorContext& c = stored->context;
  return json{{"pageUrl", c.page_url},          {"pageTitle", c.page_title},
              {"referrer", c.referrer},         {"language", c.language},
              {"timeZone", c.time_zone},        {"browser", c.browser},
              {"updatedAt", stored->updated_at}};
}

json AdminMessageJson(const Message& m) {
  json j = MessageJson(m);
  j["likes"] = m.reaction == std::optional<std::string>("like") ? 1 : 0;
  j["dislikes"] = m.reaction == std::optional<std::string>("dislike") ? 1 : 0;
  return j;
}

nlohmann::json MailPreferencesJson(const MailPreferences& prefs) {
  return {{"username", prefs.username},
          {"email", prefs.email},
          {"locale", prefs.locale},
          {"newConversation", prefs.new_conversation},
          {"unansweredMinutes", prefs.unanswered_minutes}};
}

namespace {
template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
}  // namespace

nlohmann::json WebhookEndpointJson(const WebhookEndpoint& e, bool with_secret) {
  nlohmann::json out = {{"id", e.id},
                        {"siteKey", e.site_key},
                        {"url", e.fields.url},
                        {"events", e.fields.events},
                        {"enabled", e.fields.enabled},
                        {"allowPrivate", e.fields.allow_private},
                        {"secretSealed", e.secret_sealed},
                        {"createdAt", e.created_at},
                        {"updatedAt", e.updated_at},
                        {"secretRotatedAt", OrNull(e.secret_rotated_at)}};
  if (with_secret) out["secret"] = e.secret;
  return out;
}

nlohmann::json WebhookDeliveryJson(const WebhookDelivery& d) {
  return {{"id", d.id},
          {"deliveryId", d.delivery_id},
          {"endpointId", d.endpoint_id},
          {"type", d.event_type},
          {"status", d.status},
          {"attempts", d.attempts},
          {"lastError", OrNull(d.last_error)},
          {"lastStatus", OrNull(d.last_status)},
          {"createdAt", d.created_at},
          {"lastAttemptAt", OrNull(d.last_attempt_at)},
          {"nextAttemptAt", OrNull(d.next_attempt_at)},
          {"deliveredAt", OrNull(d.delivered_at)},
          {"failedAt", OrNull(d.failed_at)}};
}

}  // namespace edgechat::worker
