#include "core/route_limits.hpp"

namespace edgechat::core {

LimitKind LimitFor(shared::ApiRoute route, std::string_view method) {
  switch (route) {
    case shared::ApiRoute::kMessages:
      if (method == "POST") return LimitKind::kMessage;
      if (method == "GET") return LimitKind::kHistory;
      break;
    case shared::ApiRoute::kGuests:
      if (method == "POST") return LimitKind::kGuestCreation;
      break;
    case shared::ApiRoute::kReaction:
      if (method == "PUT") return LimitKind::kReaction;
      break;
    case shared::ApiRoute::kEventTicket:
      if (method == "POST") return LimitKind::kTicket;
      break;
    case shared::ApiRoute::kTyping:
      if (method == "POST") return LimitKind::kTyping;
      break;
    case shared::ApiRoute::kRead:
      if (method == "POST") return LimitKind::kRead;
      break;
    case shared::ApiRoute::kConfig:
    case shared::ApiRoute::kEvents:
    case shared::ApiRoute::kUnknown:
      break;
  }
  return LimitKind::kNone;
}

std::string_view LimitKeyTag(LimitKind kind) {
  switch (kind) {
    case LimitKind::kMessage:
      return "m";
    case LimitKind::kGuestCreation:
      return "g";
    case LimitKind::kReaction:
      return "x";
    case LimitKind::kTicket:
      return "t";
    case LimitKind::kHistory:
      return "h";
    case LimitKind::kTyping:
      return "y";
    case LimitKind::kRead:
      return "s";  // "seen": "r" is the request limit's
    case LimitKind::kNone:
      break;
  }
  return "";
}

bool LimitPerGuest(LimitKind kind) {
  return kind == LimitKind::kMessage || kind == LimitKind::kReaction ||
         kind == LimitKind::kTicket || kind == LimitKind::kHistory || kind == LimitKind::kTyping ||
         kind == LimitKind::kRead;
}

}  // namespace edgechat::core
