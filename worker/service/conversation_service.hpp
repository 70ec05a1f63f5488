// Conversations, for the admin API and edgechatctl alike: filters checked once, agent replies
// validated as guest messages are, every committed event announced once through the injected
// EventPublisher (the worker's hub and Redis, or Redis alone for the CLI).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "store/conversation_repo.hpp"
#include "store/event_publisher.hpp"

namespace edgechat::worker {

struct ReplyInput {
  std::optional<std::string> author;     // the answering admin's username, if any
  std::string text;                      // trimmed, 1..kMaxMessageLength code points
  std::optional<std::string> client_id;  // makes a retry idempotent
};

class ConversationService {
 public:
  ConversationService(ConversationRepo& conversations, EventPublisher& events)
      : conversations_(conversations), events_(events) {}

  // source: main|external, status: open|resolved, else Error{kInvalidInput, "invalid_filter"}.
  Result<std::vector<ConversationSummary>> List(const ConversationFilter& filter);
  Result<std::map<std::uint64_t, std::uint64_t>> UnreadCounts(
      const std::vector<std::uint64_t>& ids);
  Result<ConversationDetail> Show(std::uint64_t id);
  // Everything up to `message_id` is read; a receipt event (see MarkConversationRead) is
  // announced.
  Status MarkRead(std::uint64_t id, std::uint64_t message_id);
  // Posts the reply, announces it, and marks the conversation read up to it (whoever answers
  // has read it).
  Result<AgentReply> Reply(std::uint64_t id, const ReplyInput& input);
  // A message of no admin's (the server API): author "agent" or "system", validated as a reply;
  // an agent's marks the conversation read as Reply does.
  Result<AgentReply> Post(std::uint64_t id, const std::string& author, const std::string& text,
                          const std::optional<std::string>& client_id);
  // "open" or "resolved"; true when the status changed (and was announced).
  Result<bool> SetStatus(std::uint64_t id, const std::string& status);

 private:
  // The trimmed text, or the error a reply's text or clientId gets.
  static Result<std::string> ValidReply(const std::string& text,
                                        const std::optional<std::string>& client_id);
  // Announces a posted message and marks the conversation read up to it.
  Result<AgentReply> Announce(std::uint64_t id, Result<AgentReply> reply, bool mark_read);

  ConversationRepo& conversations_;
  EventPublisher& events_;
};

}  // namespace edgechat::worker
