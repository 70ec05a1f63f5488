#include "store/outbox_repo.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "store/mysql_util.hpp"

namespace edgechat::worker {

bool EnqueueOutbox(DbConnection& c, const std::string& channel, const std::string& key,
                   const std::string& payload) {
  auto insert = Prepare(c,
                        "INSERT IGNORE INTO outbox (channel, idempotency_key, payload) "
                        "VALUES (?, ?, ?)");
  insert->setString(1, channel);
  insert->setString(2, key);
  insert->setString(3, payload);
  return insert->executeUpdate() > 0;
}

namespace {

// The columns PreferencesFromRow reads (admins a, admin_mail_preferences p).
constexpr const char* kPreferenceColumns =
    "a.id AS admin_id, a.username, p.email, p.locale, p.notify_new_conversation, "
    "p.unanswered_minutes";

MailPreferences PreferencesFromRow(sql::ResultSet& rs) {
  MailPreferences p;
  p.admin_id = rs.getUInt64("admin_id");
  p.username = rs.getString("username");
  if (!rs.isNull("email")) {
    p.email = rs.getString("email");
    p.locale = rs.getString("locale");
    p.new_conversation = rs.getInt("notify_new_conversation") != 0;
    p.unanswered_minutes = rs.getUInt("unanswered_minutes");
  }
  return p;
}

}  // namespace

std::vector<MailPreferences> NewConversationRecipients(DbConnection& c) {
  auto stmt = Prepare(c, std::string("SELECT ") + kPreferenceColumns +
                             " FROM admin_mail_preferences p JOIN admins a ON a.id = p.admin_id "
                             "WHERE a.disabled_at IS NULL AND p.email <> '' "
                             "AND p.notify_new_conversation = 1 ORDER BY a.id");
  auto rs = Query(*stmt);
  std::vector<MailPreferences> out;
  while (rs->next()) out.push_back(PreferencesFromRow(*rs));
  return out;
}

Result<MailPreferences> MysqlMailPreferencesRepo::Get(const std::string& username) {
  return WithConnection<MailPreferences>(pool_, [&](DbConnection& c) -> Result<MailPreferences> {
    auto stmt =
        Prepare(c, std::string("SELECT ") + kPreferenceColumns +
                       " FROM admins a LEFT JOIN admin_mail_preferences p ON p.admin_id = a.id "
                       "WHERE a.username = ?");
    stmt->setString(1, username);
    auto rs = Query(*stmt);
    if (!rs->next()) return Error{ErrorKind::kNotFound, "not_found", "no admin " + username};
    return PreferencesFromRow(*rs);
  });
}

Status MysqlMailPreferencesRepo::Put(const MailPreferences& p) {
  return WithConnection<Ok>(pool_, [&](DbConnection& c) -> Status {
    auto stmt = Prepare(c,
                        "INSERT INTO admin_mail_preferences (admin_id, email, locale, "
                        "notify_new_conversation, unanswered_minutes) VALUES (?, ?, ?, ?, ?) "
                        "ON DUPLICATE KEY UPDATE email = VALUES(email), locale = VALUES(locale), "
                        "notify_new_conversation = VALUES(notify_new_conversation), "
                        "unanswered_minutes = VALUES(unanswered_minutes)");
    stmt->setUInt64(1, p.admin_id);
    stmt->setString(2, p.email);
    stmt->setString(3, p.locale);
    stmt->setInt(4, p.new_conversation ? 1 : 0);
    stmt->setUInt(5, p.unanswered_minutes);
    stmt->executeUpdate();
    return Ok{};
  });
}

Result<std::vector<OutboxItem>> MysqlOutbox::Claim(const std::string& channel,
                                                   const std::string& owner, unsigned limit,
                                                   std::chrono::milliseconds lease) {
  using Items = std::vector<OutboxItem>;
  return WithTransaction<Items>(pool_, [&](DbConnection& c) -> Result<Items> {
    auto select = Prepare(c,
                          "SELECT o.id, o.channel, o.idempotency_key, o.payload, o.attempts, "
                          "TIMESTAMPDIFF(MICROSECOND, COALESCE(o.resent_at, o.created_at), "
                          "UTC_TIMESTAMP(6)) AS age_us FROM outbox o "
                          "WHERE o.channel = ? AND o.delivered_at IS NULL AND o.failed_at IS NULL "
                          "AND o.next_attempt_at <= UTC_TIMESTAMP(6) "
                          "AND (o.lease_until IS NULL OR o.lease_until < UTC_TIMESTAMP(6)) "
                          // In order per key: the subquery is a plain (non-locking) read, so a
                          // row another sender holds still counts as pending.
                          "AND (o.ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM outbox p "
                          "WHERE p.channel = o.channel AND p.ordering_key = o.ordering_key "
                          "AND p.id < o.id AND p.delivered_at IS NULL AND p.failed_at IS NULL)) "
                          "ORDER BY o.id LIMIT ? FOR UPDATE SKIP LOCKED");
    select->setString(1, channel);
    select->setUInt(2, limit);
    Items items;
    {
      auto rs = Query(*select);
      while (rs->next()) {
        OutboxItem item;
        item.id = rs->getUInt64("id");
        item.channel = rs->getString("channel");
        item.idempotency_key = rs->getString("idempotency_key");
        item.payload = rs->getString("payload");
        item.attempts = rs->getUInt("attempts") + 1;
        item.age =
            std::chrono::milliseconds(std::max<std::int64_t>(0, rs->getInt64("age_us")) / 1000);
        items.push_back(std::move(item));
      }
    }
    auto claim = Prepare(c,
                         "UPDATE outbox SET claimed_by = ?, attempts = attempts + 1, "
                         "lease_until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHERE id = ?");
    for (const auto& item : items) {
      claim->setString(1, owner);
      claim->setInt64(2, static_cast<std::int64_t>(lease.count()) * 1000);
      claim->setUInt64(3, item.id);
      claim->executeUpdate();
    }
    return items;
  });
}

Status MysqlOutbox::MarkDelivered(std::uint64_t id) {
  return WithConnection<Ok>(pool_, [&](DbConnection& c) -> Status {
    auto stmt = Prepare(c,
                        "UPDATE outbox SET delivered_at = UTC_TIMESTAMP(6), lease_until = NULL, "
                        "last_error = NULL WHERE id = ?");
    stmt->setUInt64(1, id);
    stmt->executeUpdate();
    return Ok{};
  });
}

Status MysqlOutbox::MarkFailed(std::uint64_t id, const std::string& error,
                               std::chrono::milliseconds retry_in, bool give_up) {
  return WithConnection<Ok>(pool_, [&](DbConnection& c) -> Status {
    auto stmt = Prepare(c,
                        "UPDATE outbox SET last_error = LEFT(?, 500), lease_until = NULL, "
                        "next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, "
                        "failed_at = IF(?, UTC_TIMESTAMP(6), NULL) WHERE id = ? "
                        "AND delivered_at IS NULL");
    stmt->setString(1, error);
    stmt->setInt64(2, static_cast<std::int64_t>(retry_in.count()) * 1000);
    stmt->setInt(3, give_up ? 1 : 0);
    stmt->setUInt64(4, id);
    stmt->executeUpdate();
    return Ok{};
  });
}

Result<unsigned> MysqlOutbox::EnqueueUnanswered(const std::string& panel_url) {
  return WithTransaction<unsigned>(pool_, [&](DbConnection& c) -> Result<unsigned> {
    // The newest message of each open conversation, when a guest's and old enough for an admin.
    auto stmt = Prepare(
        c,
        "SELECT m.id AS message_id, m.conversation_id, m.body, s.name AS site_name, "
        "p.admin_id, p.email, p.locale, p.unanswered_minutes FROM conversations c "
        "JOIN sites s ON s.id = c.site_id "
        "JOIN messages m ON m.id = (SELECT MAX(id) FROM messages WHERE conversation_id = c.id) "
        "JOIN admin_mail_preferences p ON p.unanswered_minutes > 0 AND p.email <> '' "
        "JOIN admins a ON a.id = p.admin_id AND a.disabled_at IS NULL "
        // The range on last_message_at (ix_conversations_last_message; an agent's reply moves
        // it too) keeps the scan to conversations quiet for a minute (the least N) to two days.
        "WHERE c.last_message_at <= UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE "
        "AND c.last_message_at > UTC_TIMESTAMP(6) - INTERVAL 2 DAY "
        "AND c.status = 'open' AND m.author = 'guest' "
        "AND m.created_at <= UTC_TIMESTAMP(6) - INTERVAL p.unanswered_minutes MINUTE "
        "AND m.created_at > UTC_TIMESTAMP(6) - INTERVAL 2 DAY "
        "ORDER BY m.id LIMIT 500");
    auto rs = Query(*stmt);
    unsigned added = 0;
    while (rs->next()) {
      nlohmann::json payload = {{"kind", "unanswered"},
                                {"to", std::string(rs->getString("email"))},
                                {"locale", std::string(rs->getString("locale"))},
                                {"siteName", std::string(rs->getString("site_name"))},
                                {"conversationId", rs->getUInt64("conversation_id")},
                                {"text", std::string(rs->getString("body"))},
                                {"minutes", rs->getUInt("unanswered_minutes")},
                                {"panelUrl", panel_url}};
      std::string key = "unanswered:" + std::to_string(rs->getUInt64("message_id")) + ":" +
                        std::to_string(rs->getUInt64("admin_id"));
      if (EnqueueOutbox(c, "mail", key,
                        payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)))
        ++added;
    }
    return added;
  });
}

}  // namespace edgechat::worker
