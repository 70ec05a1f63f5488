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
  return conversations_.MarkRead(id, message_id);
}

Result<AgentReply> ConversationService::Reply(std::uint64_t id, const ReplyInput& input) {
  auto text = ValidateMessageText(input.text);
  if (!text) return text.error();
  if (input.client_id && !IsValidClientId(*input.client_id)) {
    return Error{ErrorKind::kInvalidInput, "invalid_text",
                 "clientId must be 1 to 64 characters of letters, digits, . _ : or -"};
  }
  auto reply = conversations_.Reply(id, input.author, *text, input.client_id);
  if (!reply) return reply.error();
  if (reply->event) events_.Publish(*reply->event);
  auto marked = conversations_.MarkRead(id, reply->message.id);
  if (!marked) return marked.error();
  return reply;
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
