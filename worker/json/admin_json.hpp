// JSON shapes of the admin API and of edgechatctl's --json output (docs/panel.md, docs/cli.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "store/admin_repo.hpp"
#include "store/audit_repo.hpp"
#include "store/conversation_repo.hpp"
#include "store/models.hpp"
#include "store/outbox_repo.hpp"
#include "store/secret_key_repo.hpp"
#include "store/site_repo.hpp"
#include "store/webhook_repo.hpp"

namespace edgechat::worker {

nlohmann::json AdminSiteJson(const Site& site);
nlohmann::json SecretKeyJson(const SecretKeyInfo& key);
nlohmann::json AdminInfoJson(const AdminInfo& admin);
// An admin's mail preferences: {username, email, locale, newConversation, unansweredMinutes}.
nlohmann::json MailPreferencesJson(const MailPreferences& prefs);
// A webhook endpoint (docs/api.md, Webhooks); the secret only when `with_secret` (creation,
// rotation, and the secret route).
nlohmann::json WebhookEndpointJson(const WebhookEndpoint& e, bool with_secret);
nlohmann::json WebhookDeliveryJson(const WebhookDelivery& d);
nlohmann::json AuditEntryJson(const AuditEntry& entry);
nlohmann::json ConversationSummaryJson(const ConversationSummary& c);
// A conversation's visitor context (docs/admin-api.md), null when none was captured.
nlohmann::json VisitorContextJson(const std::optional<StoredVisitorContext>& stored);
// A message with the counts of likes and dislikes (one guest per conversation: 0 or 1 each).
nlohmann::json AdminMessageJson(const Message& m);

}  // namespace edgechat::worker
