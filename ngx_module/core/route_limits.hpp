// Which of the edge's limits each external API route is held to. Only the edge limits, so this
// stays beside the limiter (the route table itself is shared/api_routes.hpp).
#pragma once

#include <string_view>

#include "shared/api_routes.hpp"

namespace edgechat::core {

// Which limit a request is held to, besides edgechat_request_limit. Every route that makes the
// worker do work has one: sending (the site's own limit), guest creation, reactions, stream
// tickets, history reads, typing notices and read receipts.
enum class LimitKind {
  kNone,
  kMessage,
  kGuestCreation,
  kReaction,
  kTicket,
  kHistory,
  kTyping,
  kRead,
};
LimitKind LimitFor(shared::ApiRoute route, std::string_view method);

// The limit's part of a limiter key ("m" for messages...): each kind counts on keys of its own.
std::string_view LimitKeyTag(LimitKind kind);
// edgechat_request_limit's part, on every guarded request.
inline constexpr std::string_view kRequestLimitKeyTag = "r";

// Whether the limit also keys on the guest (the bearer token), besides the client IP.
bool LimitPerGuest(LimitKind kind);

}  // namespace edgechat::core
