#include "store/mysql_chat_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <string>

#include "api/json_shapes.hpp"
#include "common/text.hpp"
#include "store/event_repo.hpp"
#include "store/mysql_util.hpp"
#include "store/site_repo.hpp"

namespace edgechat::worker {

std::string MysqlUtcNowPlusDays(unsigned days) {
  std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S.000000", &tm);
  return buf;
}

std::string MysqlUtcNowMicros() {
  using namespace std::chrono;
  auto now = time_point_cast<microseconds>(system_clock::now());
  std::time_t t = system_clock::to_time_t(time_point_cast<seconds>(now));
  auto micros = (now.time_since_epoch() % seconds(1)).count();
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(micros));
  return buf;
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

Result<std::optional<Site>> MysqlChatStore::FindSiteByKey(std::string_view key) {
  return WithConnection<std::optional<Site>>(pool_, [&](DbConnection& c) {
    auto stmt = Prepare(
        c, (std::string("SELECT ") + kSiteColumns + " FROM sites WHERE site_key = ?").c_str());
    stmt->setString(1, std::string(key));
    auto rs = Query(*stmt);
    if (!rs->next()) return Result<std::optional<Site>>(std::optional<Site>());
    return Result<std::optional<Site>>(std::optional<Site>(SiteFromRow(*rs)));
  });
}

Result<std::string> MysqlChatStore::CreateGuest(std::uint64_t site_id, const std::string& public_id,
                                                const std::string& token_hash, unsigned ttl_days) {
  std::string expires = MysqlUtcNowPlusDays(ttl_days);
  return WithConnection<std::string>(pool_, [&](DbConnection& c) {
    auto stmt = Prepare(c,
                        "INSERT INTO guests (public_id, site_id, token_hash, expires_at) "
                        "VALUES (?, ?, ?, ?)");
    stmt->setString(1, public_id);
    stmt->setUInt64(2, site_id);
    stmt->setString(3, token_hash);
    stmt->setDateTime(4, expires);
    stmt->executeUpdate();
    return Result<std::string>(MysqlUtcToIso(expires));
  });
}

Result<std::optional<Guest>> MysqlChatStore::FindGuest(std::uint64_t site_id,
                                                       const std::string& token_hash) {
  return WithConnection<std::optional<Guest>>(pool_, [&](DbConnection& c) {
    auto stmt = Prepare(c,
                        "SELECT id, public_id, site_id, expires_at FROM guests "
                        "WHERE token_hash = ? AND site_id = ? AND expires_at > UTC_TIMESTAMP(6)");
    stmt->setString(1, token_hash);
    stmt->setUInt64(2, site_id);
    auto rs = Query(*stmt);
    if (!rs->next()) return Result<std::optional<Guest>>(std::optional<Guest>());
    Guest g;
    g.id = rs->getUInt64("id");
    g.public_id = rs->getString("public_id");
    g.site_id = rs->getUInt64("site_id");
    g.expires_at = MysqlUtcToIso(std::string(rs->getString("expires_at")));
    return Result<std::optional<Guest>>(std::optional<Guest>(std::move(g)));
  });
}

namespace {

// Columns of a site (s), its guest (g) and the guest's conversation (c), read by SiteGuestFromRow.
std::string SiteGuestColumns() {
  return std::string(kSiteColumnsOfS) +
         ", g.id AS guest_id, g.public_id AS guest_public_id, "
         "g.expires_at AS guest_expires_at, c.id AS conversation_id ";
}

SiteGuest SiteGuestFromRow(sql::ResultSet& rs) {
  SiteGuest found{SiteFromRow(rs), Guest{}};
  found.guest.id = rs.getUInt64("guest_id");
  found.guest.public_id = rs.getString("guest_public_id");
  found.guest.site_id = found.site.id;
  found.guest.expires_at = MysqlUtcToIso(std::string(rs.getString("guest_expires_at")));
  if (!rs.isNull("conversation_id")) found.guest.conversation_id = rs.getUInt64("conversation_id");
  return found;
}

}  // namespace

Result<std::optional<SiteGuest>> MysqlChatStore::FindSiteAndGuest(std::string_view site_key,
                                                                  const std::string& token_hash) {
  using Found = std::optional<SiteGuest>;
  return WithConnection<Found>(pool_, [&](DbConnection& c) {
    // The guest must belong to the site of this key: a token never crosses sites.
    auto stmt = Prepare(c, "SELECT " + SiteGuestColumns() +
                               "FROM sites s JOIN guests g ON g.site_id = s.id "
                               "LEFT JOIN conversations c ON c.guest_id = g.id "
                               "WHERE s.site_key = ? AND g.token_hash = ? "
                               "AND g.expires_at > UTC_TIMESTAMP(6)");
    stmt->setString(1, std::string(site_key));
    stmt->setString(2, token_hash);
    auto rs = Query(*stmt);
    if (!rs->next()) return Result<Found>(Found());
    return Result<Found>(Found(SiteGuestFromRow(*rs)));
  });
}

Status MysqlChatStore::CreateStreamTicket(std::uint64_t guest_id, const std::string& ticket_hash,
                                          unsigned ttl_seconds) {
  return WithConnection<Ok>(pool_, [&](DbConnection& c) -> Status {
    // Unused tickets would pile up: each new one sweeps a few long-expired ones.
    auto sweep = Prepare(c,
                         "DELETE FROM stream_tickets WHERE expires_at < UTC_TIMESTAMP(6) - "
                         "INTERVAL 1 MINUTE LIMIT 20");
    sweep->executeUpdate();
    auto insert = Prepare(c,
                          "INSERT INTO stream_tickets (ticket_hash, guest_id, expires_at) "
                          "VALUES (?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)");
    insert->setString(1, ticket_hash);
    insert->setUInt64(2, guest_id);
    insert->setUInt(3, ttl_seconds);
    insert->executeUpdate();
    return Ok{};
  });
}

Result<std::optional<SiteGuest>> MysqlChatStore::RedeemStreamTicket(
    std::string_view site_key, const std::string& ticket_hash) {
  using Found = std::optional<SiteGuest>;
  return WithTransaction<Found>(pool_, [&](DbConnection& c) -> Result<Found> {
    // The row lock makes the ticket single-use: a concurrent redeem waits, then finds it gone.
    auto stmt = Prepare(c, "SELECT " + SiteGuestColumns() +
                               "FROM stream_tickets t JOIN guests g ON g.id = t.guest_id "
                               "JOIN sites s ON s.id = g.site_id "
                               "LEFT JOIN conversations c ON c.guest_id = g.id "
                               "WHERE t.ticket_hash = ? AND s.site_key = ? "
                               "AND t.expires_at > UTC_TIMESTAMP(6) "
                               "AND g.expires_at > UTC_TIMESTAMP(6) FOR UPDATE");
    stmt->setString(1, ticket_hash);
    stmt->setString(2, std::string(site_key));
    auto rs = Query(*stmt);
    if (!rs->next()) return Found();
    SiteGuest found = SiteGuestFromRow(*rs);
    auto del = Prepare(c, "DELETE FROM stream_tickets WHERE ticket_hash = ?");
    del->setString(1, ticket_hash);
    del->executeUpdate();
    return Found(std::move(found));
  });
}

Result<History> MysqlChatStore::LoadHistory(const Guest& guest, const HistoryPage& page) {
  return WithConnection<History>(pool_, [&](DbConnection& c) {
    History history;
    auto conv = Prepare(c, "SELECT id, status FROM conversations WHERE guest_id = ?");
    conv->setUInt64(1, guest.id);
    auto crs = Query(*conv);
    if (!crs->next()) return Result<History>(std::move(history));
    history.conversation_id = crs->getUInt64("id");
    history.status = OptionalString(*crs, "status");
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

Result<PostedMessage> MysqlChatStore::PostGuestMessage(
    const Site& site, const Guest& guest, const std::string& text,
    const std::optional<std::string>& client_id) {
  std::uint64_t conversation_of_retry = 0;
  auto posted =
      WithTransaction<PostedMessage>(pool_, [&](DbConnection& c) -> Result<PostedMessage> {
        std::string created_at = MysqlUtcNowMicros();
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
        if (!conversation_id) {
          try {
            auto insert = Prepare(c,
                                  "INSERT INTO conversations (site_id, guest_id, source) "
                                  "VALUES (?, ?, ?)");
            insert->setUInt64(1, site.id);
            insert->setUInt64(2, guest.id);
            insert->setString(3, site.is_main ? "main" : "external");
            insert->executeUpdate();
          } catch (const sql::SQLException& e) {
            // A concurrent first message created it: use that one.
            if (!IsDuplicateKey(e)) throw;
          }
          conversation_id = LockConversationOfGuest(c, guest.id);
          if (!conversation_id) return Error{"db_error", "conversation vanished while creating it"};
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
          return Error{std::string(kDuplicateClientId), "clientId already stored"};
        }
        // One round trip for the new message's id, the conversation's newest event and its status.
        // The read comes after the lock, so it sees every event committed before ours (see
        // InsertEvent) and a status no one else can change until we commit.
        auto ids =
            Prepare(c,
                    "SELECT LAST_INSERT_ID() AS message_id, COALESCE(MAX(id), 0) AS prev_id, "
                    "(SELECT status FROM conversations WHERE id = ?) AS status "
                    "FROM events WHERE conversation_id = ?");
        ids->setUInt64(1, *conversation_id);
        ids->setUInt64(2, *conversation_id);
        std::uint64_t prev_event_id = 0;
        bool reopens = false;
        {
          auto rs = Query(*ids);
          if (!rs->next()) return Error{"db_error", "no insert id for the message"};
          message.id = rs->getUInt64("message_id");
          prev_event_id = rs->getUInt64("prev_id");
          reopens = OptionalString(*rs, "status") == std::optional<std::string>("resolved");
        }
        if (message.id == 0) return Error{"db_error", "no insert id for the message"};
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
        EventNotice event = InsertEventAfter(
            c, *conversation_id, guest.id, "message",
            MessageJson(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            prev_event_id);
        return PostedMessage{std::move(message), true, std::move(event), std::move(reopened)};
      });
  if (posted.ok() || posted.error().code != kDuplicateClientId) return posted;
  // A retry: the earlier message is committed (its transaction held the conversation lock).
  return WithConnection<PostedMessage>(pool_, [&](DbConnection& c) -> Result<PostedMessage> {
    auto earlier = FindMessageByClientId(c, conversation_of_retry, "guest", *client_id);
    if (!earlier) return Error{"db_error", "duplicate clientId but no such message"};
    return PostedMessage{std::move(*earlier), false, std::nullopt};
  });
}

Result<ReactionChange> MysqlChatStore::SetReaction(const Guest& guest, std::uint64_t message_id,
                                                   const std::optional<std::string>& value) {
  return WithTransaction<ReactionChange>(pool_, [&](DbConnection& c) -> Result<ReactionChange> {
    std::optional<std::uint64_t> conversation_id = LockConversationOfGuest(c, guest.id);
    if (!conversation_id) return Error{"message_not_found", "No such message."};
    auto find = Prepare(c, "SELECT author FROM messages WHERE id = ? AND conversation_id = ?");
    find->setUInt64(1, message_id);
    find->setUInt64(2, *conversation_id);
    auto rs = Query(*find);
    if (!rs->next()) return Error{"message_not_found", "No such message."};
    if (std::string(rs->getString("author")) != "agent") {
      return Error{"not_reactable", "Only replies from the team can be liked or disliked."};
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

Result<std::vector<EventNotice>> MysqlChatStore::EventsAfter(std::uint64_t guest_id,
                                                             std::uint64_t after_id,
                                                             unsigned limit) {
  return events_.EventsAfter(guest_id, after_id, limit);
}

Result<std::uint64_t> MysqlChatStore::LastEventId(std::uint64_t guest_id) {
  return events_.LastEventId(guest_id);
}

Result<std::vector<MysqlChatStore::NewestEvent>> MysqlChatStore::NewestEventIds(
    std::span<const std::uint64_t> guests) {
  return events_.NewestEventIds(guests);
}

}  // namespace edgechat::worker
