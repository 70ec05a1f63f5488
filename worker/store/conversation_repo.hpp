// The admin side of conversations (CLI now, admin API later): list, read, reply, resolve.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "store/events.hpp"
#include "store/models.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

struct ConversationFilter {
  std::optional<std::string> site_key;
  std::optional<std::string> source;  // "main" | "external"
  std::optional<std::string> status;  // "open" | "resolved"
  std::optional<std::string> since;   // "YYYY-MM-DD[ HH:MM:SS]" UTC, on last activity
  unsigned limit = 50;
};

struct ConversationSummary {
  std::uint64_t id = 0;
  std::string site_key;
  std::string site_name;
  std::string source;
  std::string status;
  std::optional<std::string> guest_id;  // public guest id
  std::string created_at;
  std::optional<std::string> last_message_at;
  std::uint64_t message_count = 0;
  std::optional<std::string> last_message;  // text of the newest message
};

struct ConversationDetail {
  ConversationSummary summary;
  std::vector<Message> messages;  // reaction: the guest's reaction to each message
};

// "External Source" or "Main site": the label the panel shows.
std::string SourceLabel(const std::string& source);

// Newest activity first. An unknown site key is Error{"not_found"}.
Result<std::vector<ConversationSummary>> ListConversations(ConnectionPool& pool,
                                                           const ConversationFilter& filter);
Result<ConversationDetail> ShowConversation(ConnectionPool& pool, std::uint64_t id);

struct AgentReply {
  Message message;
  bool created = false;
  std::optional<EventNotice> event;
};

// Posts an agent reply (admin optional, by username). clientId makes it idempotent like guest
// messages. An unknown conversation or admin is Error{"not_found"}.
Result<AgentReply> PostAgentReply(ConnectionPool& pool, std::uint64_t conversation_id,
                                  const std::optional<std::string>& admin_username,
                                  const std::string& text,
                                  const std::optional<std::string>& client_id);

// Sets "open" or "resolved"; returns the event when the status changed.
Result<std::optional<EventNotice>> SetConversationStatus(ConnectionPool& pool,
                                                         std::uint64_t conversation_id,
                                                         const std::string& status);

}  // namespace edgechat::worker
