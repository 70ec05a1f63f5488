// Conversation events: stored in the `events` table in the same transaction as the change they
// describe, then announced (locally and through Redis) so event streams wake up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"

namespace edgechat::worker {

class DbConnection;

struct EventNotice {
  std::uint64_t id = 0;  // events.id: the SSE event id
  std::uint64_t conversation_id = 0;
  std::uint64_t guest_id = 0;  // the conversation's guest (0 if none)
  std::string type;            // "message", "reaction", "status"
  std::string data;            // JSON text sent as the SSE data line
  // The id of the conversation's previous event (0 if none). A stream that has sent exactly
  // prev_id can send this notice as is; any other stream reads MySQL instead (no gap possible).
  std::uint64_t prev_id = 0;
};

// Wire form for Redis pub/sub; read back by DecodeRemoteNotice (events/remote_notice.hpp).
// `sender` (a worker's id, see RedisRelay) lets the sender know its own notice when Redis hands it
// back; empty leaves it out (the CLI, which has no streams of its own).
std::string EncodeNotice(const EventNotice& notice, std::string_view sender = {});

// "id: N\nevent: TYPE\ndata: DATA\n\n" (DATA is one line of JSON).
std::string FormatSse(const EventNotice& notice);

// Inserts an event row; the caller holds the conversation row lock (SELECT ... FOR UPDATE) so
// ids grow in commit order within the conversation. Returns the filled notice.
EventNotice InsertEvent(DbConnection& c, std::uint64_t conversation_id, std::uint64_t guest_id,
                        const std::string& type, const std::string& data);

// As InsertEvent, for a caller that already read the conversation's newest event id
// (`prev_id`) under the same row lock: one statement fewer.
EventNotice InsertEventAfter(DbConnection& c, std::uint64_t conversation_id, std::uint64_t guest_id,
                             const std::string& type, const std::string& data,
                             std::uint64_t prev_id);

// Announces committed events. The worker fans out locally and through Redis; the CLI only
// through Redis. Must not block for long: called on request threads.
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  virtual void Publish(const EventNotice& notice) = 0;
};

class NullEventPublisher : public EventPublisher {
 public:
  void Publish(const EventNotice&) override {}
};

}  // namespace edgechat::worker
