#include "service/conversation_service.hpp"

#include "common/text.hpp"

namespace edgechat::worker {

Result<std::vector<ConversationSummary>> ConversationService::List(
    const ConversationFilter& filter) {
  if (filter.source && *filter.source != "main" && *filter.source != "external") {
    return Error{ErrorKind::kInvalidInput, "invalid_filter", "source must be main or external"};
  }
  if (filter.status && *filter.status != "open" && *filter.status != "resolved") {
    return Error{ErrorKind::kInvalidInput, "invalid_filter", "status must be open or resolved"};
  }
  return conversations_.List(filter);
}

Result<std::map<std::uint64_t, std::uint64_t>> ConversationService::UnreadCounts(
    const std::vector<std::uint64_t>& ids) {
  return conversations_.UnreadCounts(ids);
}

Result<ConversationDetail> ConversationService::Show(std::uint64_t id) {
  return conversations_.Show(id);
}

Status ConversationService::MarkRead(std::uint64_t id, std::uint64_t message_id) {
  EC_TRY(receipt, conversations_.MarkRead(id, message_id, true));
  if (receipt) events_.Publish(*receipt);
  return Ok{};
}

Result<std::string> ConversationService::ValidReply(const std::string& text,
                                                    const std::optional<std::string>& client_id) {
  auto valid = ValidateMessageText(text);
  if (!valid) return valid.error();
  if (client_id && !IsValidClientId(*client_id)) {
    return Error{ErrorKind::kInvalidInput, "invalid_text",
                 "clientId must be 1 to 64 characters of letters, digits, . _ : or -"};
  }
  return valid;
}

Result<AgentReply> ConversationService::Announce(std::uint64_t id, Result<AgentReply> reply,
                                                 bool mark_read) {
  if (!reply) return reply.error();
  if (reply->event) events_.Publish(*reply->event);
  if (mark_read) {
    // No receipt event: the reply itself tells the visitor their messages were read.
    auto marked = conversations_.MarkRead(id, reply->message.id, false);
    if (!marked) return marked.error();
  }
  return reply;
}

Result<AgentReply> ConversationService::Reply(std::uint64_t id, const ReplyInput& input) {
  EC_TRY(text, ValidReply(input.text, input.client_id));
  return Announce(id, conversations_.Reply(id, input.author, text, input.client_id), true);
}

Result<AgentReply> ConversationService::Post(std::uint64_t id, const std::string& author,
                                             const std::string& text,
                                             const std::optional<std::string>& client_id) {
  EC_TRY(valid, ValidReply(text, client_id));
  return Announce(id, conversations_.Post(id, author, valid, client_id), author == "agent");
}

Result<bool> ConversationService::SetStatus(std::uint64_t id, const std::string& status) {
  if (status != "open" && status != "resolved") {
    return Error{ErrorKind::kInvalidInput, "invalid_filter", "status must be open or resolved"};
  }
  auto event = conversations_.SetStatus(id, status);
  if (!event) return event.error();
  if (*event) events_.Publish(**event);
  return event->has_value();
}

}  // namespace edgechat::worker
