// Read receipts' shared step: each side's read marker of a conversation (the team's in
// conversation_reads, the visitor's in conversation_guest_reads) moves only forward, and a `read`
// event is stored when the move passed a message of the other side.
#pragma once

#include <cstdint>
#include <optional>

#include "store/event_notice.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

enum class Reader { kTeam, kVisitor };

struct ReadMarkerMove {
  std::uint64_t before = 0;  // the marker before this read
  bool moved = false;        // false: message_id was not past it, nothing changed
};

// Inside the caller's transaction, under the conversation's row lock.
ReadMarkerMove AdvanceReadMarker(DbConnection& c, Reader reader, std::uint64_t conversation_id,
                                 std::uint64_t message_id);

// The `read` event of `reader` up to `message_id`, stored only if a message of the other side
// lies in (move.before, message_id]; the caller holds the row lock and has moved the marker.
std::optional<EventNotice> InsertReadEventIfPassed(DbConnection& c, Reader reader,
                                                   std::uint64_t conversation_id,
                                                   std::uint64_t guest_id, std::uint64_t before,
                                                   std::uint64_t message_id);

}  // namespace edgechat::worker
