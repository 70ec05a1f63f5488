#include "store/conversation_repo.hpp"

#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "store/event_repo.hpp"
#include "store/message_payload.hpp"
#include "store/message_repo.hpp"
#include "store/mysql_util.hpp"
#include "store/read_marker.hpp"

namespace edgechat::worker {

namespace {

constexpr const char* kSummarySelect =
    "SELECT c.id, s.site_key, s.name AS site_name, c.source, c.status, g.public_id, "
    "c.created_at, c.updated_at, c.last_message_at, "
    "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count, "
    "(SELECT m.body FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1) "
    "AS last_message, g.id AS guest_number, g.verified_name "
    "FROM conversations c JOIN sites s ON s.id = c.site_id "
    "LEFT JOIN guests g ON g.id = c.guest_id ";

ConversationSummary SummaryFromRow(sql::ResultSet& rs) {
  ConversationSummary s;
  s.id = rs.getUInt64("id");
  s.site_key = rs.getString("site_key");
  s.site_name = rs.getString("site_name");
  s.source = rs.getString("source");
  s.status = rs.getString("status");
  s.guest_id = OptionalString(rs, "public_id");
  s.created_at = MysqlUtcToIso(std::string(rs.getString("created_at")));
  s.updated_at = MysqlUtcToIso(std::string(rs.getString("updated_at")));
  s.last_message_at = OptionalIso(rs, "last_message_at");
  s.message_count = rs.getUInt64("message_count");
  s.last_message = OptionalString(rs, "last_message");
  if (!rs.isNull("guest_number")) {
    s.guest_number = rs.getUInt64("guest_number");
    s.visitor_name = VisitorDisplayName(s.guest_number, OptionalString(rs, "verified_name"));
  }
  return s;
}

struct LockedConversation {
  std::uint64_t guest_id = 0;  // 0 when the guest was deleted
  std::string status;
};

std::optional<LockedConversation> LockConversation(DbConnection& c, std::uint64_t id) {
  auto stmt = Prepare(c, "SELECT guest_id, status FROM conversations WHERE id = ? FOR UPDATE");
  stmt->setUInt64(1, id);
  auto rs = Query(*stmt);
  if (!rs->next()) return std::nullopt;
  LockedConversation out;
  out.guest_id = rs->isNull("guest_id") ? 0 : rs->getUInt64("guest_id");
  out.status = rs->getString("status");
  return out;
}

}  // namespace

std::string SourceLabel(const std::string& source) {
  return source == "main" ? "Main site" : "External Source";
}

Result<std::vector<ConversationSummary>> ListConversations(ConnectionPool& pool,
                                                           const ConversationFilter& f) {
  using Rows = std::vector<ConversationSummary>;
  return WithConnection<Rows>(pool, [&](DbConnection& c) -> Result<Rows> {
    if (f.site_key) {
      auto check = Prepare(c, "SELECT id FROM sites WHERE site_key = ?");
      check->setString(1, *f.site_key);
      if (!Query(*check)->next())
        return Error{ErrorKind::kNotFound, "not_found", "no site with key " + *f.site_key};
    }
    // Optional filters as "(? IS NULL OR column = ?)" keep one prepared statement.
    std::string query = std::string(kSummarySelect) +
                        "WHERE (? IS NULL OR s.site_key = ?) AND (? IS NULL OR c.source = ?) "
                        "AND (? IS NULL OR c.status = ?) "
                        "AND (? IS NULL OR COALESCE(c.last_message_at, c.created_at) >= ?) "
                        "AND (? IS NULL OR c.updated_at >= ?) "
                        "AND (? IS NULL OR c.id < CAST(? AS UNSIGNED)) " +
                        (f.by_id ? "ORDER BY c.id DESC "
                                 : "ORDER BY COALESCE(c.last_message_at, c.created_at) DESC, "
                                   "c.id DESC ") +
                        "LIMIT ?";
    auto stmt = Prepare(c, query.c_str());
    unsigned i = 1;
    const std::optional<std::string> before =
        f.before_id ? std::optional<std::string>(std::to_string(*f.before_id)) : std::nullopt;
    for (const auto* value :
         {&f.site_key, &f.source, &f.status, &f.since, &f.updated_since, &before}) {
      for (int twice = 0; twice < 2; ++twice, ++i) {
        if (*value) {
          stmt->setString(i, **value);
        } else {
          stmt->setNull(i, sql::DataType::VARCHAR);
        }
      }
    }
    stmt->setUInt(i, f.limit);
    auto rs = Query(*stmt);
    Rows rows;
    while (rs->next()) rows.push_back(SummaryFromRow(*rs));
    return rows;
  });
}

Result<ConversationDetail> ShowConversation(ConnectionPool& pool, std::uint64_t id) {
  return WithConnection<ConversationDetail>(
      pool, [&](DbConnection& c) -> Result<ConversationDetail> {
        auto stmt = Prepare(c, std::string(kSummarySelect) + "WHERE c.id = ?");
        stmt->setUInt64(1, id);
        auto rs = Query(*stmt);
        if (!rs->next())
          return Error{ErrorKind::kNotFound, "not_found", "no conversation " + std::to_string(id)};
        ConversationDetail detail;
        detail.summary = SummaryFromRow(*rs);
        auto reads = Prepare(c,
                             "SELECT (SELECT last_read_message_id FROM conversation_guest_reads "
                             "WHERE conversation_id = ?) AS visitor_read, "
                             "(SELECT last_read_message_id FROM conversation_reads "
                             "WHERE conversation_id = ?) AS agent_read");
        reads->setUInt64(1, id);
        reads->setUInt64(2, id);
        auto rrs = Query(*reads);
        if (rrs->next()) {
          if (!rrs->isNull("visitor_read"))
            detail.visitor_read_up_to = rrs->getUInt64("visitor_read");
          if (!rrs->isNull("agent_read")) detail.agent_read_up_to = rrs->getUInt64("agent_read");
        }
        if (detail.summary.guest_number != 0) {
          detail.context = LoadVisitorContext(c, detail.summary.guest_number);
        }
        auto messages = Prepare(c, std::string("SELECT ") + kMessageColumns +
                                       ", r.value AS reaction FROM messages m "
                                       "JOIN conversations c ON c.id = m.conversation_id "
                                       "LEFT JOIN reactions r ON r.message_id = m.id "
                                       "AND r.guest_id = c.guest_id "
                                       "WHERE m.conversation_id = ? ORDER BY m.id");
        messages->setUInt64(1, id);
        auto mrs = Query(*messages);
        while (mrs->next()) {
          Message m = MessageFromRow(*mrs);
          m.reaction = OptionalString(*mrs, "reaction");
          detail.messages.push_back(std::move(m));
        }
        return detail;
      });
}

Result<AgentReply> PostAgentReply(ConnectionPool& pool, std::uint64_t conversation_id,
                                  const std::optional<std::string>& admin_username,
                                  const std::string& text,
                                  const std::optional<std::string>& client_id) {
  return PostStaffMessage(pool, conversation_id, "agent", admin_username, text, client_id);
}

Result<AgentReply> PostStaffMessage(ConnectionPool& pool, std::uint64_t conversation_id,
                                    const std::string& author,
                                    const std::optional<std::string>& admin_username,
                                    const std::string& text,
                                    const std::optional<std::string>& client_id) {
  if (author != "agent" && author != "system") {
    return Error{ErrorKind::kInvalidInput, "invalid_author", "author must be agent or system"};
  }
  return WithTransaction<AgentReply>(pool, [&](DbConnection& c) -> Result<AgentReply> {
    auto conversation = LockConversation(c, conversation_id);
    if (!conversation) {
      return Error{ErrorKind::kNotFound, "not_found",
                   "no conversation " + std::to_string(conversation_id)};
    }
    std::optional<std::uint64_t> admin_id;
    if (admin_username) {
      auto find = Prepare(c, "SELECT id FROM admins WHERE username = ? AND disabled_at IS NULL");
      find->setString(1, *admin_username);
      auto rs = Query(*find);
      if (!rs->next())
        return Error{ErrorKind::kNotFound, "not_found",
                     "no active admin \"" + *admin_username + "\""};
      admin_id = rs->getUInt64("id");
    }
    if (client_id) {
      auto earlier = Prepare(c, std::string("SELECT ") + kMessageColumns +
                                    " FROM messages m WHERE m.conversation_id = ? "
                                    "AND m.author = ? AND m.client_id = ?");
      earlier->setUInt64(1, conversation_id);
      earlier->setString(2, author);
      earlier->setString(3, *client_id);
      auto rs = Query(*earlier);
      if (rs->next()) return AgentReply{MessageFromRow(*rs), false, std::nullopt};
    }
    auto insert = Prepare(c,
                          "INSERT INTO messages (conversation_id, author, admin_id, body, "
                          "client_id) VALUES (?, ?, ?, ?, ?)");
    insert->setUInt64(1, conversation_id);
    insert->setString(2, author);
    if (admin_id && author == "agent") {
      insert->setUInt64(3, *admin_id);
    } else {
      insert->setNull(3, sql::DataType::BIGINT);
    }
    insert->setString(4, text);
    if (client_id) {
      insert->setString(5, *client_id);
    } else {
      insert->setNull(5, sql::DataType::VARCHAR);
    }
    insert->executeUpdate();
    auto read = Prepare(c, std::string("SELECT ") + kMessageColumns +
                               " FROM messages m WHERE m.id = LAST_INSERT_ID()");
    auto rs = Query(*read);
    if (!rs->next()) return Error{ErrorKind::kInternal, "db_error", "inserted message not found"};
    Message message = MessageFromRow(*rs);
    auto touch = Prepare(c, "UPDATE conversations SET last_message_at = ? WHERE id = ?");
    touch->setString(1, std::string(rs->getString("created_at")));
    touch->setUInt64(2, conversation_id);
    touch->executeUpdate();
    EventNotice event = InsertEvent(
        c, conversation_id, conversation->guest_id, "message",
        MessagePayload(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return AgentReply{std::move(message), true, std::move(event)};
  });
}

Result<std::optional<EventNotice>> SetConversationStatus(ConnectionPool& pool,
                                                         std::uint64_t conversation_id,
                                                         const std::string& status) {
  using Out = std::optional<EventNotice>;
  return WithTransaction<Out>(pool, [&](DbConnection& c) -> Result<Out> {
    auto conversation = LockConversation(c, conversation_id);
    if (!conversation) {
      return Error{ErrorKind::kNotFound, "not_found",
                   "no conversation " + std::to_string(conversation_id)};
    }
    if (conversation->status == status) return Out();
    auto update = Prepare(c, "UPDATE conversations SET status = ? WHERE id = ?");
    update->setString(1, status);
    update->setUInt64(2, conversation_id);
    update->executeUpdate();
    nlohmann::json data = {{"conversationId", conversation_id}, {"status", status}};
    return Out(InsertEvent(c, conversation_id, conversation->guest_id, "status", data.dump()));
  });
}

Result<MessagePage> ConversationMessages(ConnectionPool& pool, std::uint64_t conversation_id,
                                         std::uint64_t after_id, unsigned limit) {
  return WithConnection<MessagePage>(pool, [&](DbConnection& c) -> Result<MessagePage> {
    auto messages = Prepare(c, std::string("SELECT ") + kMessageColumns +
                                   ", r.value AS reaction FROM messages m "
                                   "JOIN conversations c ON c.id = m.conversation_id "
                                   "LEFT JOIN reactions r ON r.message_id = m.id "
                                   "AND r.guest_id = c.guest_id "
                                   "WHERE m.conversation_id = ? AND m.id > ? ORDER BY m.id "
                                   "LIMIT ?");
    messages->setUInt64(1, conversation_id);
    messages->setUInt64(2, after_id);
    messages->setUInt(3, limit + 1);  // one more tells whether there is a next page
    auto rs = Query(*messages);
    MessagePage page;
    while (rs->next()) {
      if (page.messages.size() == limit) {
        page.has_more = true;
        break;
      }
      Message m = MessageFromRow(*rs);
      m.reaction = OptionalString(*rs, "reaction");
      page.messages.push_back(std::move(m));
    }
    return page;
  });
}

Result<std::optional<std::string>> ConversationSite(ConnectionPool& pool,
                                                    std::uint64_t conversation_id) {
  using Key = std::optional<std::string>;
  return WithConnection<Key>(pool, [&](DbConnection& c) -> Result<Key> {
    auto stmt = Prepare(c,
                        "SELECT s.site_key FROM conversations c JOIN sites s ON s.id = c.site_id "
                        "WHERE c.id = ?");
    stmt->setUInt64(1, conversation_id);
    auto rs = Query(*stmt);
    if (!rs->next()) return Key{};
    return Key{std::string(rs->getString("site_key"))};
  });
}

// The interface's defaults, over Show and Reply (fakes in unit tests).
Result<AgentReply> ConversationRepo::Post(std::uint64_t conversation_id, const std::string& author,
                                          const std::string& text,
                                          const std::optional<std::string>& client_id) {
  if (author != "agent") {
    return Error{ErrorKind::kInvalidInput, "invalid_author", "this store posts agent replies only"};
  }
  return Reply(conversation_id, std::nullopt, text, client_id);
}

Result<std::optional<std::string>> ConversationRepo::SiteOf(std::uint64_t conversation_id) {
  auto detail = Show(conversation_id);
  if (!detail) {
    if (detail.error().kind == ErrorKind::kNotFound) return std::optional<std::string>();
    return detail.error();
  }
  return std::optional<std::string>(detail->summary.site_key);
}

Result<MessagePage> ConversationRepo::Messages(std::uint64_t conversation_id,
                                               std::uint64_t after_id, unsigned limit) {
  EC_TRY(detail, Show(conversation_id));
  MessagePage page;
  for (Message& m : detail.messages) {
    if (m.id <= after_id) continue;
    if (page.messages.size() == limit) {
      page.has_more = true;
      break;
    }
    page.messages.push_back(std::move(m));
  }
  return page;
}

Result<std::map<std::uint64_t, std::uint64_t>> UnreadCounts(ConnectionPool& pool,
                                                            const std::vector<std::uint64_t>& ids) {
  using Counts = std::map<std::uint64_t, std::uint64_t>;
  return WithConnection<Counts>(pool, [&](DbConnection& c) -> Result<Counts> {
    Counts counts;
    auto stmt = Prepare(c,
                        "SELECT COUNT(*) AS unread FROM messages m "
                        "LEFT JOIN conversation_reads r ON r.conversation_id = m.conversation_id "
                        "WHERE m.conversation_id = ? AND m.author = 'guest' "
                        "AND m.id > COALESCE(r.last_read_message_id, 0)");
    for (auto id : ids) {
      stmt->setUInt64(1, id);
      auto rs = Query(*stmt);
      counts[id] = rs->next() ? rs->getUInt64("unread") : 0;
    }
    return counts;
  });
}

Result<std::optional<std::uint64_t>> ConversationGuest(ConnectionPool& pool,
                                                       std::uint64_t conversation_id) {
  using Guest = std::optional<std::uint64_t>;
  return WithConnection<Guest>(pool, [&](DbConnection& c) -> Result<Guest> {
    auto stmt = Prepare(c, "SELECT guest_id FROM conversations WHERE id = ?");
    stmt->setUInt64(1, conversation_id);
    auto rs = Query(*stmt);
    if (!rs->next()) return Guest{};
    return Guest{rs->isNull("guest_id") ? 0 : rs->getUInt64("guest_id")};
  });
}

Result<std::optional<EventNotice>> MarkConversationRead(ConnectionPool& pool,
                                                        std::uint64_t conversation_id,
                                                        std::uint64_t message_id, bool receipt) {
  using Out = std::optional<EventNotice>;
  return WithTransaction<Out>(pool, [&](DbConnection& c) -> Result<Out> {
    // The row lock orders this read's event among the conversation's others.
    auto conversation = LockConversation(c, conversation_id);
    if (!conversation) {
      return Error{ErrorKind::kNotFound, "not_found",
                   "no conversation " + std::to_string(conversation_id)};
    }
    ReadMarkerMove move = AdvanceReadMarker(c, Reader::kTeam, conversation_id, message_id);
    if (!move.moved || !receipt) return Out();
    return InsertReadEventIfPassed(c, Reader::kTeam, conversation_id, conversation->guest_id,
                                   move.before, message_id);
  });
}

}  // namespace edgechat::worker
