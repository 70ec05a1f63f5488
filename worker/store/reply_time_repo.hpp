// First-response samples for the expected reply time (service/reply_time.hpp): per conversation
// whose first visitor message is at or after `since`, that message's time and the first agent
// message after it (none while unanswered). Reads conversations through
// ix_conversations_site_last_message (sql/011_office_hours.sql), their messages through
// ix_messages_conversation.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "shared/result.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

struct ReplySample {
  std::uint64_t site_id = 0;
  std::int64_t asked_ms = 0;                // Unix ms of the first visitor message
  std::optional<std::int64_t> answered_ms;  // of the first agent message after it
};

class ReplySampleSource {
 public:
  virtual ~ReplySampleSource() = default;
  // One site's samples, or (site_id none) every site's.
  virtual Result<std::vector<ReplySample>> Samples(std::optional<std::uint64_t> site_id,
                                                   std::int64_t since_unix_s) = 0;
};

class MysqlReplySampleSource : public ReplySampleSource {
 public:
  explicit MysqlReplySampleSource(ConnectionPool& pool) : pool_(pool) {}
  Result<std::vector<ReplySample>> Samples(std::optional<std::uint64_t> site_id,
                                           std::int64_t since_unix_s) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
