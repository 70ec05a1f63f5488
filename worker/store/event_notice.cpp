#include "store/event_notice.hpp"

#include <nlohmann/json.hpp>

namespace edgechat::worker {

using nlohmann::json;

std::string EncodeNotice(const EventNotice& n, std::string_view sender) {
  json notice = {{"id", n.id},
                 {"conversationId", n.conversation_id},
                 {"guestId", n.guest_id},
                 {"type", n.type},
                 {"data", n.data},
                 {"prevId", n.prev_id}};
  if (!sender.empty()) notice["sender"] = sender;
  return notice.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string FormatSse(const EventNotice& n) {
  return "id: " + std::to_string(n.id) + "\nevent: " + n.type + "\ndata: " + n.data + "\n\n";
}

std::string EncodeTypingNotice(const TypingNotice& n, std::string_view sender) {
  json notice = {{"type", "typing"},
                 {"conversationId", n.conversation_id},
                 {"guestId", n.guest_id},
                 {"from", n.from == TypingNotice::From::kAgent ? "agent" : "guest"}};
  if (!sender.empty()) notice["sender"] = sender;
  return notice.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string FormatTypingSse(const TypingNotice& n) {
  json data = n.from == TypingNotice::From::kAgent
                  ? json{{"from", "agent"}}
                  : json{{"conversationId", n.conversation_id}, {"from", "guest"}};
  return "event: typing\ndata: " + data.dump(-1, ' ', false, json::error_handler_t::replace) +
         "\n\n";
}

}  // namespace edgechat::worker
