// The admin side of conversations (admin API and CLI): list, read, reply, resolve, and the
// inbox's read markers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "store/event_notice.hpp"
#include "store/models.hpp"
#include "store/pool.hpp"
#include "store/visitor_context_repo.hpp"

namespace edgechat::worker {

struct ConversationFilter {
  std::optional<std::string> site_key;
  std::optional<std::string> source;  // "main" | "external"
  std::optional<std::string> status;  // "open" | "resolved"
  std::optional<std::string> since;   // "YYYY-MM-DD[ HH:MM:SS]" UTC, on last activity
  unsigned limit = 50;
  // The server API's listing: changed at or after this MySQL UTC time (any change: a message, a
  // status), newest conversation first by id, the page after `before_id` (its cursor).
  std::optional<std::string> updated_since;
  std::optional<std::uint64_t> before_id;
  bool by_id = false;
};

struct ConversationSummary {
  std::uint64_t id = 0;
  std::string site_key;
  std::string site_name;
  std::string source;
  std::string status;
  std::optional<std::string> guest_id;  // public guest id
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> last_message_at;
  std::uint64_t message_count = 0;
  std::optional<std::string> last_message;  // text of the newest message
  // The visitor as the panel names it (VisitorDisplayName), none once the guest is deleted.
  std::uint64_t guest_number = 0;
  std::optional<std::string> visitor_name;
};

struct ConversationDetail {
  ConversationSummary summary;
  std::vector<Message> messages;  // reaction: the guest's reaction to each message
  // Read receipts: the newest message id the visitor has read (conversation_guest_reads) and the
  // admins' marker (conversation_reads), 0 for none.
  std::uint64_t visitor_read_up_to = 0;
  std::uint64_t agent_read_up_to = 0;
  // The visitor's latest context (sql/018_visitor_context.sql), if a message carried one.
  std::optional<StoredVisitorContext> context;
};

// "External Source" or "Main site": the label the panel shows.
std::string SourceLabel(const std::string& source);

// Newest activity first. An unknown site key is Error{kNotFound, "not_found"}.
Result<std::vector<ConversationSummary>> ListConversations(ConnectionPool& pool,
                                                           const ConversationFilter& filter);
Result<ConversationDetail> ShowConversation(ConnectionPool& pool, std::uint64_t id);

struct AgentReply {
  Message message;
  bool created = false;
  std::optional<EventNotice> event;
};

// Posts an agent reply (admin optional, by username). clientId makes it idempotent like guest
// messages. An unknown conversation or admin is Error{kNotFound, "not_found"}.
Result<AgentReply> PostAgentReply(ConnectionPool& pool, std::uint64_t conversation_id,
                                  const std::optional<std::string>& admin_username,
                                  const std::string& text,
                                  const std::optional<std::string>& client_id);

// Posts a message by the staff side: `author` "agent" (admin optional) or "system" (never an
// admin). clientId makes it idempotent per conversation and author.
Result<AgentReply> PostStaffMessage(ConnectionPool& pool, std::uint64_t conversation_id,
                                    const std::string& author,
                                    const std::optional<std::string>& admin_username,
                                    const std::string& text,
                                    const std::optional<std::string>& client_id);

// A page of a conversation's messages, oldest first, after message `after_id` (0: from the start).
struct MessagePage {
  std::vector<Message> messages;
  bool has_more = false;
};
Result<MessagePage> ConversationMessages(ConnectionPool& pool, std::uint64_t conversation_id,
                                         std::uint64_t after_id, unsigned limit);
// The site key of a conversation; std::nullopt when there is no such conversation.
Result<std::optional<std::string>> ConversationSite(ConnectionPool& pool,
                                                    std::uint64_t conversation_id);

// Sets "open" or "resolved"; returns the event when the status changed.
Result<std::optional<EventNotice>> SetConversationStatus(ConnectionPool& pool,
                                                         std::uint64_t conversation_id,
                                                         const std::string& status);

// Unread guest messages (after the read marker) of each conversation in `ids`.
Result<std::map<std::uint64_t, std::uint64_t>> UnreadCounts(ConnectionPool& pool,
                                                            const std::vector<std::uint64_t>& ids);
// Everything up to `message_id` of the conversation is read.
// The row id of a conversation's guest: std::nullopt when there is no such conversation, 0 when
// its guest was deleted.
Result<std::optional<std::uint64_t>> ConversationGuest(ConnectionPool& pool,
                                                       std::uint64_t conversation_id);
// Moves the admins' read marker forward to `message_id` (never back). When it passes a guest
// message, a "read" event {"conversationId","by":"agent","upToMessageId"} is stored in the same
// transaction and returned: the visitor's receipt. `receipt` false stores no event (a reply
// tells the visitor by itself). Error{kNotFound} for no such conversation.
Result<std::optional<EventNotice>> MarkConversationRead(ConnectionPool& pool,
                                                        std::uint64_t conversation_id,
                                                        std::uint64_t message_id,
                                                        bool receipt = true);

// Conversations as the admin API uses them (a fake in its unit tests).
class ConversationRepo {
 public:
  virtual ~ConversationRepo() = default;
  virtual Result<std::vector<ConversationSummary>> List(const ConversationFilter& filter) = 0;
  virtual Result<ConversationDetail> Show(std::uint64_t id) = 0;
  virtual Result<AgentReply> Reply(std::uint64_t conversation_id,
                                   const std::optional<std::string>& admin_username,
                                   const std::string& text,
                                   const std::optional<std::string>& client_id) = 0;
  virtual Result<std::optional<EventNotice>> SetStatus(std::uint64_t conversation_id,
                                                       const std::string& status) = 0;
  virtual Result<std::map<std::uint64_t, std::uint64_t>> UnreadCounts(
      const std::vector<std::uint64_t>& ids) = 0;
  // See MarkConversationRead.
  virtual Result<std::optional<EventNotice>> MarkRead(std::uint64_t conversation_id,
                                                      std::uint64_t message_id, bool receipt) = 0;
  // See ConversationGuest.
  virtual Result<std::optional<std::uint64_t>> GuestOf(std::uint64_t conversation_id) = 0;

  // For the server API. The defaults are correct but read whole conversations; the MySQL
  // repository answers each with one narrow query.
  // A message by `author` ("agent" or "system"); see PostStaffMessage.
  virtual Result<AgentReply> Post(std::uint64_t conversation_id, const std::string& author,
                                  const std::string& text,
                                  const std::optional<std::string>& client_id);
  // See ConversationSite.
  virtual Result<std::optional<std::string>> SiteOf(std::uint64_t conversation_id);
  // See ConversationMessages.
  virtual Result<MessagePage> Messages(std::uint64_t conversation_id, std::uint64_t after_id,
                                       unsigned limit);
};

class MysqlConversationRepo : public ConversationRepo {
 public:
  explicit MysqlConversationRepo(ConnectionPool& pool) : pool_(pool) {}
  Result<std::vector<ConversationSummary>> List(const ConversationFilter& filter) override {
    return ListConversations(pool_, filter);
  }
  Result<ConversationDetail> Show(std::uint64_t id) override { return ShowConversation(pool_, id); }
  Result<AgentReply> Reply(std::uint64_t conversation_id,
                           const std::optional<std::string>& admin_username,
                           const std::string& text,
                           const std::optional<std::string>& client_id) override {
    return PostAgentReply(pool_, conversation_id, admin_username, text, client_id);
  }
  Result<std::optional<EventNotice>> SetStatus(std::uint64_t conversation_id,
                                               const std::string& status) override {
    return SetConversationStatus(pool_, conversation_id, status);
  }
  Result<std::map<std::uint64_t, std::uint64_t>> UnreadCounts(
      const std::vector<std::uint64_t>& ids) override {
    return worker::UnreadCounts(pool_, ids);
  }
  Result<std::optional<EventNotice>> MarkRead(std::uint64_t conversation_id,
                                              std::uint64_t message_id, bool receipt) override {
    return MarkConversationRead(pool_, conversation_id, message_id, receipt);
  }
  Result<std::optional<std::uint64_t>> GuestOf(std::uint64_t conversation_id) override {
    return ConversationGuest(pool_, conversation_id);
  }
  Result<AgentReply> Post(std::uint64_t conversation_id, const std::string& author,
                          const std::string& text,
                          const std::optional<std::string>& client_id) override {
    return PostStaffMessage(pool_, conversation_id, author, std::nullopt, text, client_id);
  }
  Result<std::optional<std::string>> SiteOf(std::uint64_t conversation_id) override {
    return ConversationSite(pool_, conversation_id);
  }
  Result<MessagePage> Messages(std::uint64_t conversation_id, std::uint64_t after_id,
                               unsigned limit) override {
    return ConversationMessages(pool_, conversation_id, after_id, limit);
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
