#include "store/event_repo.hpp"

#include <algorithm>
#include <string>

#include "store/mysql_util.hpp"
#include "store/webhook_repo.hpp"

namespace edgechat::worker {

namespace {

// An event row (id, conversation_id, type, payload) as a notice of `guest_id`'s conversation.
EventNotice EventFromRow(sql::ResultSet& rs, std::uint64_t guest_id) {
  return EventNotice{rs.getUInt64("id"), rs.getUInt64("conversation_id"), guest_id,
                     rs.getString("type"), rs.getString("payload")};
}

}  // namespace

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
  EventNotice notice{rs->getUInt64("id"), conversation_id, guest_id, type, data, prev_id};
  // Webhook deliveries of the event, in its own transaction (store/webhook_repo.hpp).
  EnqueueWebhooksForEvent(c, notice);
  return notice;
}

Result<std::vector<EventNotice>> EventsOfAllAfter(ConnectionPool& pool, std::uint64_t after_id,
                                                  unsigned limit) {
  using Rows = std::vector<EventNotice>;
  return WithConnection<Rows>(pool, [&](DbConnection& c) -> Result<Rows> {
    auto stmt = Prepare(c,
                        "SELECT id, conversation_id, type, payload FROM events WHERE id > ? "
                        "ORDER BY id LIMIT ?");
    stmt->setUInt64(1, after_id);
    stmt->setUInt(2, limit);
    auto rs = Query(*stmt);
    Rows rows;
    while (rs->next()) rows.push_back(EventFromRow(*rs, 0));
    return rows;
  });
}

Result<std::uint64_t> LastEventIdOfAll(ConnectionPool& pool) {
  return WithConnection<std::uint64_t>(pool, [&](DbConnection& c) -> Result<std::uint64_t> {
    auto rs = Query(*Prepare(c, "SELECT COALESCE(MAX(id), 0) AS id FROM events"));
    rs->next();
    return static_cast<std::uint64_t>(rs->getUInt64("id"));
  });
}

Result<std::vector<EventNotice>> MysqlGuestEventLog::EventsAfter(std::uint64_t guest_id,
                                                                 std::uint64_t after_id,
                                                                 unsigned limit) {
  using Events = std::vector<EventNotice>;
  return WithConnection<Events>(pool_, [&](DbConnection& c) -> Result<Events> {
    // The retention watermark comes in the same statement, so both are read from one snapshot:
    // an event deleted before it is never missing without the watermark showing it.
    auto stmt =
        Prepare(c,
                "SELECT e.id, e.conversation_id, e.type, e.payload, "
                "(SELECT pruned_through FROM event_retention WHERE id = 1) "
                "AS pruned_through FROM events e JOIN conversations c ON c.id = e.conversation_id "
                "WHERE c.guest_id = ? AND e.id > ? ORDER BY e.id LIMIT ?");
    stmt->setUInt64(1, guest_id);
    stmt->setUInt64(2, after_id);
    stmt->setUInt(3, limit);
    auto rs = Query(*stmt);
    Events events;
    std::uint64_t pruned_through = 0;
    while (rs->next()) {
      events.push_back(EventFromRow(*rs, guest_id));
      if (!rs->isNull("pruned_through")) pruned_through = rs->getUInt64("pruned_through");
    }
    // No row: nothing after after_id is left, and pruning never deletes a conversation's newest
    // event, so every deleted one was older than an event the client has seen. Otherwise events
    // after after_id may have been deleted: the client must reload the history, then continue
    // after the conversation's newest event, which `reset` carries as its id.
    if (after_id == 0 || events.empty() || after_id >= pruned_through) return events;
    auto newest = Prepare(c,
                          "SELECT COALESCE(MAX(e.id), 0) AS id FROM events e "
                          "JOIN conversations c ON c.id = e.conversation_id WHERE c.guest_id = ?");
    newest->setUInt64(1, guest_id);
    auto nrs = Query(*newest);
    std::uint64_t newest_id = events.back().id;
    if (nrs->next() && nrs->getUInt64("id") > newest_id) newest_id = nrs->getUInt64("id");
    return Events{EventNotice{newest_id, events.front().conversation_id, guest_id, "reset",
                              R"({"reason":"expired"})"}};
  });
}

Result<std::uint64_t> MysqlGuestEventLog::LastEventId(std::uint64_t guest_id) {
  return WithConnection<std::uint64_t>(pool_, [&](DbConnection& c) -> Result<std::uint64_t> {
    auto stmt = Prepare(c,
                        "SELECT COALESCE(MAX(e.id), 0) AS id FROM events e "
                        "JOIN conversations c ON c.id = e.conversation_id WHERE c.guest_id = ?");
    stmt->setUInt64(1, guest_id);
    auto rs = Query(*stmt);
    rs->next();
    return static_cast<std::uint64_t>(rs->getUInt64("id"));
  });
}

Result<std::vector<GuestEventLog::NewestEvent>> MysqlGuestEventLog::NewestEventIds(
    std::span<const std::uint64_t> guests) {
  using Rows = std::vector<NewestEvent>;
  if (guests.empty()) return Rows();
  // A fixed number of placeholders, the last id repeated to fill them, so one cached statement
  // serves every batch. Per guest: its conversation by the unique guest key, then the newest event
  // from the end of (conversation_id, id): two index dives, no scan.
  constexpr std::size_t kBatch = 128;
  std::string query =
      "SELECT c.guest_id, (SELECT MAX(e.id) FROM events e WHERE e.conversation_id = c.id) "
      "AS newest FROM conversations c WHERE c.guest_id IN (?";
  for (std::size_t i = 1; i < kBatch; ++i) query += ",?";
  query += ")";
  return WithConnection<Rows>(pool_, [&](DbConnection& c) -> Result<Rows> {
    Rows rows;
    auto* stmt = Prepare(c, query);
    for (std::size_t first = 0; first < guests.size(); first += kBatch) {
      auto batch = guests.subspan(first, std::min(kBatch, guests.size() - first));
      for (std::size_t i = 0; i < kBatch; ++i) {
        stmt->setUInt64(static_cast<unsigned>(i + 1), batch[std::min(i, batch.size() - 1)]);
      }
      auto rs = Query(*stmt);
      while (rs->next()) {
        if (rs->isNull("newest")) continue;
        rows.push_back(NewestEvent{rs->getUInt64("guest_id"), rs->getUInt64("newest")});
      }
    }
    return rows;
  });
}

}  // namespace edgechat::worker
