#include "store/read_marker.hpp"

#include <nlohmann/json.hpp>
#include <string>

#include "store/event_repo.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {
namespace {

const char* MarkerTable(Reader reader) {
  return reader == Reader::kTeam ? "conversation_reads" : "conversation_guest_reads";
}

}  // namespace

ReadMarkerMove AdvanceReadMarker(DbConnection& c, Reader reader, std::uint64_t conversation_id,
                                 std::uint64_t message_id) {
  const std::string table = MarkerTable(reader);
  auto current =
      Prepare(c, "SELECT last_read_message_id FROM " + table + " WHERE conversation_id = ?");
  current->setUInt64(1, conversation_id);
  auto rs = Query(*current);
  ReadMarkerMove move{rs->next() ? rs->getUInt64("last_read_message_id") : 0, false};
  if (message_id <= move.before) return move;  // only forward
  auto upsert = Prepare(c, "INSERT INTO " + table +
                               " (conversation_id, last_read_message_id) VALUES (?, ?) "
                               "ON DUPLICATE KEY UPDATE last_read_message_id = "
                               "VALUES(last_read_message_id)");
  upsert->setUInt64(1, conversation_id);
  upsert->setUInt64(2, message_id);
  upsert->executeUpdate();
  move.moved = true;
  return move;
}

std::optional<EventNotice> InsertReadEventIfPassed(DbConnection& c, Reader reader,
                                                   std::uint64_t conversation_id,
                                                   std::uint64_t guest_id, std::uint64_t before,
                                                   std::uint64_t message_id) {
  // The team's read counts when it passes a visitor's message; the visitor's, a reply (agent or
  // system message).
  const char* other_side = reader == Reader::kTeam ? "author = 'guest'" : "author <> 'guest'";
  auto passed = Prepare(c, std::string("SELECT 1 FROM messages WHERE conversation_id = ? AND ") +
                               other_side + " AND id > ? AND id <= ? LIMIT 1");
  passed->setUInt64(1, conversation_id);
  passed->setUInt64(2, before);
  passed->setUInt64(3, message_id);
  if (!Query(*passed)->next()) return std::nullopt;
  nlohmann::json data = {{"conversationId", conversation_id},
                         {"by", reader == Reader::kTeam ? "agent" : "visitor"},
                         {"upToMessageId", message_id}};
  return InsertEvent(c, conversation_id, guest_id, "read", data.dump());
}

}  // namespace edgechat::worker
