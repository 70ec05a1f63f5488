// The events table: rows written in the transaction of the change they describe (a message, a
// reaction, a status), read back by streams that resume or catch up. Retention: event_retention.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "store/event_notice.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

// Inserts an event row; the caller holds the conversation row lock (SELECT ... FOR UPDATE) so
// ids grow in commit order within the conversation. Returns the filled notice.
EventNotice InsertEvent(DbConnection& c, std::uint64_t conversation_id, std::uint64_t guest_id,
                        const std::string& type, const std::string& data);

// As InsertEvent, for a caller that already read the conversation's newest event id
// (`prev_id`) under the same row lock: one statement fewer.
EventNotice InsertEventAfter(DbConnection& c, std::uint64_t conversation_id, std::uint64_t guest_id,
                             const std::string& type, const std::string& data,
                             std::uint64_t prev_id);

// Events of every conversation with id > after_id, oldest first (the admin stream).
Result<std::vector<EventNotice>> EventsOfAllAfter(ConnectionPool& pool, std::uint64_t after_id,
                                                  unsigned limit);
Result<std::uint64_t> LastEventIdOfAll(ConnectionPool& pool);

// What a guest's event stream reads: all the event hub needs of the store (ChatStore has it).
class GuestEventLog {
 public:
  virtual ~GuestEventLog() = default;
  // Events of the guest's conversation with id > after_id, oldest first, at most `limit`.
  virtual Result<std::vector<EventNotice>> EventsAfter(std::uint64_t guest_id,
                                                       std::uint64_t after_id, unsigned limit) = 0;
  // The id of the newest event of the guest's conversation (0 if none).
  virtual Result<std::uint64_t> LastEventId(std::uint64_t guest_id) = 0;
  // The same for many guests at once: {guest id, newest event id} for each guest that has a
  // conversation with events, in no particular order. The event hub's catch-up check of every
  // idle stream. The default asks LastEventId per guest; the MySQL store batches.
  struct NewestEvent {
    std::uint64_t guest_id = 0;
    std::uint64_t event_id = 0;
  };
  virtual Result<std::vector<NewestEvent>> NewestEventIds(std::span<const std::uint64_t> guests) {
    std::vector<NewestEvent> out;
    for (std::uint64_t guest : guests) {
      auto last = LastEventId(guest);
      if (!last) return last.error();
      if (*last != 0) out.push_back(NewestEvent{guest, *last});
    }
    return out;
  }
};

// The guest event log on MySQL; EventsAfter reads the retention watermark in the same statement.
class MysqlGuestEventLog : public GuestEventLog {
 public:
  explicit MysqlGuestEventLog(ConnectionPool& pool) : pool_(pool) {}
  Result<std::vector<EventNotice>> EventsAfter(std::uint64_t guest_id, std::uint64_t after_id,
                                               unsigned limit) override;
  Result<std::uint64_t> LastEventId(std::uint64_t guest_id) override;
  Result<std::vector<NewestEvent>> NewestEventIds(std::span<const std::uint64_t> guests) override;

 private:
  ConnectionPool& pool_;
};

// What the admin stream reads: the events of every conversation.
class AllEventsLog {
 public:
  virtual ~AllEventsLog() = default;
  virtual Result<std::vector<EventNotice>> EventsAfter(std::uint64_t after_id, unsigned limit) = 0;
  virtual Result<std::uint64_t> LastEventId() = 0;
};

class MysqlAllEventsLog : public AllEventsLog {
 public:
  explicit MysqlAllEventsLog(ConnectionPool& pool) : pool_(pool) {}
  Result<std::vector<EventNotice>> EventsAfter(std::uint64_t after_id, unsigned limit) override {
    return EventsOfAllAfter(pool_, after_id, limit);
  }
  Result<std::uint64_t> LastEventId() override { return LastEventIdOfAll(pool_); }

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
