#include "store/message_repo.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "common/text.hpp"
#include "store/event_repo.hpp"
#include "store/message_payload.hpp"
#include "store/mysql_util.hpp"
#include "store/outbox_repo.hpp"
#include "store/read_marker.hpp"
#include "store/webhook_repo.hpp"

namespace edgechat::worker {

Result<std::vector<MessageListing>> ListRecentMessages(ConnectionPool& pool,
                                                       const std::optional<std::string>& site_key,
                                                       unsigned limit) {
  using Rows = std::vector<MessageListing>;
  return WithConnection<Rows>(pool, [&](DbConnection& c) -> Result<Rows> {
    if (site_key) {
      auto check = Prepare(c, "SELECT id FROM sites WHERE site_key = ?");
      check->setString(1, *site_key);
      auto rs = Query(*check);
      if (!rs->next())
        return Error{ErrorKind::kNotFound, "not_found", "no site with key " + *site_key};
    }
    static constexpr const char* kSelect =
        "SELECT m.id, m.conversation_id, s.site_key, s.name AS site_name, c.source, m.author, "
        "m.body, m.client_id, m.created_at FROM messages m "
        "JOIN conversations c ON c.id = m.conversation_id JOIN sites s ON s.id = c.site_id ";
    sql::PreparedStatement* stmt = nullptr;
    if (site_key) {
      stmt = Prepare(
          c, (std::string(kSelect) + "WHERE s.site_key = ? ORDER BY m.id DESC LIMIT ?").c_str());
      stmt->setString(1, *site_key);
      stmt->setUInt(2, limit);
    } else {
      stmt = Prepare(c, std::string(kSelect) + "ORDER BY m.id DESC LIMIT ?");
      stmt->setUInt(1, limit);
    }
    auto rs = Query(*stmt);
    Rows rows;
    while (rs->next()) {
      MessageListing row;
      row.id = rs->getUInt64("id");
      row.conversation_id = rs->getUInt64("conversation_id");
      row.site_key = rs->getString("site_key");
      row.site_name = rs->getString("site_name");
      row.source = rs->getString("source");
      row.author = rs->getString("author");
      row.text = rs->getString("body");
      row.client_id = OptionalString(*rs, "client_id");
      row.created_at = MysqlUtcToIso(std::string(rs->getString("created_at")));
      rows.push_back(std::move(row));
    }
    return rows;
  });
}

Message MessageFromRow(sql::ResultSet& rs) {
  Message m;
  m.id = rs.getUInt64("id");
  m.conversation_id = rs.getUInt64("conversation_id");
  m.author = rs.getString("author");
  m.text = rs.getString("body");
  m.client_id = OptionalString(rs, "client_id");
  m.created_at = MysqlUtcToIso(std::string(rs.getString("created_at")));
  return m;
}

Result<History> MysqlGuestMessageRepo::LoadHistory(const Guest& guest, const HistoryPage& page) {
  return WithConnection<History>(pool_, [&](DbConnection& c) {
    History history;
    auto conv = Prepare(c,
                        "SELECT c.id, c.status, r.last_read_message_id AS agent_read "
                        "FROM conversations c LEFT JOIN conversation_reads r "
                        "ON r.conversation_id = c.id WHERE c.guest_id = ?");
    conv->setUInt64(1, guest.id);
    auto crs = Query(*conv);
    if (!crs->next()) return Result<History>(std::move(history));
    history.conversation_id = crs->getUInt64("id");
    history.status = OptionalString(*crs, "status");
    if (!crs->isNull("agent_read")) history.agent_read_up_to = crs->getUInt64("agent_read");
    auto stmt = Prepare(c, std::string("SELECT ") + kMessageColumns +
                               ", r.value AS reaction FROM messages m "
                               "LEFT JOIN reactions r ON r.message_id = m.id AND r.guest_id = ? "
                               "WHERE m.conversation_id = ? AND m.id < ? "
                               "ORDER BY m.id DESC LIMIT ?");
    // Newest first along ix_messages_conversation (conversation_id, id); one row more than the
    // page says whether older ones exist.
    stmt->setUInt64(1, guest.id);
    stmt->setUInt64(2, *history.conversation_id);
    stmt->setUInt64(3, page.before.value_or(std::numeric_limits<std::uint64_t>::max()));
    stmt->setUInt(4, page.limit + 1);
    auto rs = Query(*stmt);
    while (rs->next()) {
      if (history.messages.size() == page.limit) {
        history.has_more = true;
        break;
      }
      Message m = MessageFromRow(*rs);
      m.reaction = OptionalString(*rs, "reaction");
      history.messages.push_back(std::move(m));
    }
    std::reverse(history.messages.begin(), history.messages.end());
    return Result<History>(std::move(history));
  });
}

namespace {

std::optional<Message> FindMessageByClientId(DbConnection& c, std::uint64_t conversation_id,
                                             const std::string& author,
                                             const std::string& client_id) {
  auto stmt = Prepare(c, std::string("SELECT ") + kMessageColumns +
                             " FROM messages m WHERE m.conversation_id = ? AND m.author = ? "
                             "AND m.client_id = ?");
  stmt->setUInt64(1, conversation_id);
  stmt->setString(2, author);
  stmt->setString(3, client_id);
  auto rs = Query(*stmt);
  if (!rs->next()) return std::nullopt;
  return MessageFromRow(*rs);
}

std::optional<std::uint64_t> LockConversationOfGuest(DbConnection& c, std::uint64_t guest_id) {
  auto stmt = Prepare(c, "SELECT id FROM conversations WHERE guest_id = ? FOR UPDATE");
  stmt->setUInt64(1, guest_id);
  auto rs = Query(*stmt);
  if (!rs->next()) return std::nullopt;
  return rs->getUInt64("id");
}

}  // namespace

namespace {
constexpr std::string_view kDuplicateClientId = "duplicate_client_id";
}  // namespace

Result<PostedMessage> MysqlGuestMessageRepo::PostGuestMessage(
    const Site& site, const Guest& guest, const std::string& text,
    const std::optional<std::string>& client_id) {
  std::uint64_t conversation_of_retry = 0;
  auto posted = WithTransaction<
      PostedMessage>(pool_, [&](DbConnection& c) -> Result<PostedMessage> {
    std::string created_at = MysqlUtcMicros(clock_());
    std::optional<std::uint64_t> conversation_id;
    bool touched = false;
    if (guest.conversation_id != 0) {
      // Locks the conversation and records the message time in one statement. No row (gone, or
      // unchanged) falls back to the locking read below.
      auto touch = Prepare(c,
                           "UPDATE conversations SET last_message_at = ? "
                           "WHERE id = ? AND guest_id = ?");
      touch->setDateTime(1, created_at);
      touch->setUInt64(2, guest.conversation_id);
      touch->setUInt64(3, guest.id);
      if (touch->executeUpdate() > 0) {
        conversation_id = guest.conversation_id;
        touched = true;
      }
    }
    if (!conversation_id) conversation_id = LockConversationOfGuest(c, guest.id);
    bool created_conversation = false;
    if (!conversation_id) {
      try {
        auto insert = Prepare(c,
                              "INSERT INTO conversations (site_id, guest_id, source) "
                              "VALUES (?, ?, ?)");
        insert->setUInt64(1, site.id);
        insert->setUInt64(2, guest.id);
        insert->setString(3, site.main ? "main" : "external");
        insert->executeUpdate();
        created_conversation = true;
      } catch (const sql::SQLException& e) {
        // A concurrent first message created it: use that one.
        if (!IsDuplicateKey(e)) throw;
      }
      conversation_id = LockConversationOfGuest(c, guest.id);
      if (!conversation_id)
        return Error{ErrorKind::kInternal, "db_error", "conversation vanished while creating it"};
    }
    // The worker stamps the message itself, so the row need not be read back.
    Message message;
    message.conversation_id = *conversation_id;
    message.author = "guest";
    message.text = text;
    message.client_id = client_id;
    auto insert = Prepare(c,
                          "INSERT INTO messages (conversation_id, author, body, client_id, "
                          "created_at) VALUES (?, 'guest', ?, ?, ?)");
    insert->setUInt64(1, *conversation_id);
    insert->setString(2, text);
    if (client_id) {
      insert->setString(3, *client_id);
    } else {
      insert->setNull(3, sql::DataType::VARCHAR);
    }
    insert->setDateTime(4, created_at);
    try {
      insert->executeUpdate();
    } catch (const sql::SQLException& e) {
      // The unique key (conversation, author, clientId) decides retries: a duplicate means this
      // clientId is already stored (committed before we took the conversation lock). Roll back
      // (the conversation may have been touched) and answer with the earlier message.
      if (!client_id || !IsDuplicateKey(e)) throw;
      conversation_of_retry = *conversation_id;
      return Error{ErrorKind::kConflict, std::string(kDuplicateClientId),
                   "clientId already stored"};
    }
    // One round trip for the new message's id, the conversation's newest event and its status.
    // The read comes after the lock, so it sees every event committed before ours (see
    // InsertEvent) and a status no one else can change until we commit.
    auto ids = Prepare(c,
                       "SELECT LAST_INSERT_ID() AS message_id, COALESCE(MAX(id), 0) AS prev_id, "
                       "(SELECT status FROM conversations WHERE id = ?) AS status "
                       "FROM events WHERE conversation_id = ?");
    ids->setUInt64(1, *conversation_id);
    ids->setUInt64(2, *conversation_id);
    std::uint64_t prev_event_id = 0;
    bool reopens = false;
    {
      auto rs = Query(*ids);
      if (!rs->next())
        return Error{ErrorKind::kInternal, "db_error", "no insert id for the message"};
      message.id = rs->getUInt64("message_id");
      prev_event_id = rs->getUInt64("prev_id");
      reopens = OptionalString(*rs, "status") == std::optional<std::string>("resolved");
    }
    if (message.id == 0)
      return Error{ErrorKind::kInternal, "db_error", "no insert id for the message"};
    message.created_at = MysqlUtcToIso(created_at);
    if (!touched || reopens) {
      auto touch = Prepare(c,
                           "UPDATE conversations SET last_message_at = ?, status = 'open' "
                           "WHERE id = ?");
      touch->setDateTime(1, created_at);
      touch->setUInt64(2, *conversation_id);
      touch->executeUpdate();
    }
    // A guest writing to a resolved conversation reopens it: streams and the admin inbox learn
    // it from the same `status` event an agent's reopen writes, stored before the message.
    std::optional<EventNotice> reopened;
    if (reopens) {
      nlohmann::json data = {{"conversationId", *conversation_id}, {"status", "open"}};
      reopened =
          InsertEventAfter(c, *conversation_id, guest.id, "status", data.dump(), prev_event_id);
      prev_event_id = reopened->id;
    }
    if (created_conversation && mail_.enabled) {
      EnqueueNewConversationMails(c, site, *conversation_id, text);
    }
    if (created_conversation) {
      // Before the message's own delivery: the same ordering key, so it is sent first.
      EnqueueWebhookEvent(c, *conversation_id, "conversation.created",
                          "c" + std::to_string(*conversation_id) + "_created",
                          nlohmann::json{{"conversationId", *conversation_id},
                                         {"source", site.main ? "main" : "external"}});
    }
    EventNotice event = InsertEventAfter(
        c, *conversation_id, guest.id, "message",
        MessagePayload(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
        prev_event_id);
    return PostedMessage{std::move(message), true, std::move(event), std::move(reopened)};
  });
  if (posted.ok() || posted.error().code != kDuplicateClientId) return posted;
  // A retry: the earlier message is committed (its transaction held the conversation lock).
  return WithConnection<PostedMessage>(pool_, [&](DbConnection& c) -> Result<PostedMessage> {
    auto earlier = FindMessageByClientId(c, conversation_of_retry, "guest", *client_id);
    if (!earlier)
      return Error{ErrorKind::kInternal, "db_error", "duplicate clientId but no such message"};
    return PostedMessage{std::move(*earlier), false, std::nullopt};
  });
}

void MysqlGuestMessageRepo::EnqueueNewConversationMails(DbConnection& c, const Site& site,
                                                        std::uint64_t conversation_id,
                                                        const std::string& text) {
  // In the message's transaction: the mail exists exactly when the conversation does.
  for (const auto& admin : NewConversationRecipients(c)) {
    nlohmann::json payload = {{"kind", "new_conversation"},
                              {"to", admin.email},
                              {"locale", admin.locale},
                              {"siteName", site.name},
                              {"conversationId", conversation_id},
                              {"text", text},
                              {"panelUrl", mail_.panel_url}};
    EnqueueOutbox(c, "mail",
                  "new_conversation:" + std::to_string(conversation_id) + ":" +
                      std::to_string(admin.admin_id),
                  payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

Result<ReactionChange> MysqlGuestMessageRepo::SetReaction(const Guest& guest,
                                                          std::uint64_t message_id,
                                                          const std::optional<std::string>& value) {
  return WithTransaction<ReactionChange>(pool_, [&](DbConnection& c) -> Result<ReactionChange> {
    std::optional<std::uint64_t> conversation_id = LockConversationOfGuest(c, guest.id);
    if (!conversation_id)
      return Error{ErrorKind::kNotFound, "message_not_found", "No such message."};
    auto find = Prepare(c, "SELECT author FROM messages WHERE id = ? AND conversation_id = ?");
    find->setUInt64(1, message_id);
    find->setUInt64(2, *conversation_id);
    auto rs = Query(*find);
    if (!rs->next()) return Error{ErrorKind::kNotFound, "message_not_found", "No such message."};
    if (std::string(rs->getString("author")) != "agent") {
      return Error{ErrorKind::kConflict, "not_reactable",
                   "Only replies from the team can be liked or disliked."};
    }
    auto current = Prepare(c, "SELECT value FROM reactions WHERE message_id = ? AND guest_id = ?");
    current->setUInt64(1, message_id);
    current->setUInt64(2, guest.id);
    auto crs = Query(*current);
    std::optional<std::string> before;
    if (crs->next()) before = std::string(crs->getString("value"));
    ReactionChange change{message_id, value, std::nullopt};
    if (before == value) return change;  // unchanged: no event
    if (value) {
      auto upsert = Prepare(c,
                            "INSERT INTO reactions (message_id, guest_id, value) VALUES (?, ?, ?) "
                            "ON DUPLICATE KEY UPDATE value = VALUES(value)");
      upsert->setUInt64(1, message_id);
      upsert->setUInt64(2, guest.id);
      upsert->setString(3, *value);
      upsert->executeUpdate();
    } else {
      auto remove = Prepare(c, "DELETE FROM reactions WHERE message_id = ? AND guest_id = ?");
      remove->setUInt64(1, message_id);
      remove->setUInt64(2, guest.id);
      remove->executeUpdate();
    }
    nlohmann::json data = {{"messageId", message_id},
                           {"reaction", value ? nlohmann::json(*value) : nlohmann::json()}};
    change.event = InsertEvent(c, *conversation_id, guest.id, "reaction", data.dump());
    return change;
  });
}

Result<GuestRead> MysqlGuestMessageRepo::MarkGuestRead(const Guest& guest,
                                                       std::uint64_t message_id) {
  return WithTransaction<GuestRead>(pool_, [&](DbConnection& c) -> Result<GuestRead> {
    // Only the guest's own conversation: a message id of any other is unknown here.
    std::optional<std::uint64_t> conversation_id = LockConversationOfGuest(c, guest.id);
    if (!conversation_id)
      return Error{ErrorKind::kNotFound, "message_not_found", "No such message."};
    auto find = Prepare(c, "SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?");
    find->setUInt64(1, message_id);
    find->setUInt64(2, *conversation_id);
    if (!Query(*find)->next())
      return Error{ErrorKind::kNotFound, "message_not_found", "No such message."};
    ReadMarkerMove move = AdvanceReadMarker(c, Reader::kVisitor, *conversation_id, message_id);
    GuestRead read{std::max(move.before, message_id), std::nullopt};
    if (!move.moved) return read;  // only forward: an older receipt changes nothing
    read.event = InsertReadEventIfPassed(c, Reader::kVisitor, *conversation_id, guest.id,
                                         move.before, message_id);
    return read;
  });
}

}  // namespace edgechat::worker
