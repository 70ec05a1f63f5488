#include "store/events.hpp"

#include <nlohmann/json.hpp>

#include "store/mysql_util.hpp"

namespace edgechat::worker {

using nlohmann::json;

std::string EncodeNotice(const EventNotice& n, std::string_view sender) {
  json notice = {{"id", n.id},
                 {"conversationId", n.conversation_id},
                 {"guestId", n.guest_id},
                 {"type", n.type},
                 {"data", n.data},
                 {"prevId", n.prev_id}};
  if (!sender.empty()) notice["sender"] = sender;
  return notice.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string FormatSse(const EventNotice& n) {
  return "id: " + std::to_string(n.id) + "\nevent: " + n.type + "\ndata: " + n.data + "\n\n";
}

EventNotice InsertEvent(DbConnection& c, std::uint64_t conversation_id, std::uint64_t guest_id,
                        const std::string& type, const std::string& data) {
  // The caller holds the conversation's row lock, so no other event of it can commit in between.
  auto prev = Prepare(c, "SELECT COALESCE(MAX(id), 0) AS id FROM events WHERE conversation_id = ?");
  prev->setUInt64(1, conversation_id);
  std::uint64_t prev_id = 0;
  {
    auto prs = Query(*prev);
    if (prs->next()) prev_id = prs->getUInt64("id");
  }
  return InsertEventAfter(c, conversation_id, guest_id, type, data, prev_id);
}

EventNotice InsertEventAfter(DbConnection& c, std::uint64_t conversation_id, std::uint64_t guest_id,
                             const std::string& type, const std::string& data,
                             std::uint64_t prev_id) {
  auto insert = Prepare(c, "INSERT INTO events (conversation_id, type, payload) VALUES (?, ?, ?)");
  insert->setUInt64(1, conversation_id);
  insert->setString(2, type);
  insert->setString(3, data);
  insert->executeUpdate();
  // Connector/C++ 1.1 does not expose the statement's insert id: ask the session.
  auto id = Prepare(c, "SELECT LAST_INSERT_ID() AS id");
  auto rs = Query(*id);
  rs->next();
  return EventNotice{rs->getUInt64("id"), conversation_id, guest_id, type, data, prev_id};
}

}  // namespace edgechat::worker
