// The external API's route table, read by the edge and the worker: which path is which route and
// which methods the edge lets through to it (the edge's limits per route are
// ngx_module/core/route_limits.hpp). Paths are the URI without the query.
#pragma once

#include <string>
#include <string_view>

namespace edgechat::shared {

inline constexpr std::string_view kExternalApiPrefix = "/api/v1/external/";

enum class ApiRoute {
  kUnknown,
  kConfig,
  kGuests,
  kMessages,
  kReaction,
  kEvents,
  kEventTicket,  // events/ticket: a single-use ticket for clients that can only use EventSource
  kTyping,       // typing: the guest is typing (ephemeral, never stored)
  kRead,         // read: the guest has read the conversation up to a message (a receipt)
};

ApiRoute ClassifyApiRoute(std::string_view path);

// Whether the route may take the site key from a `key` query parameter when the Site-Key header
// is absent: only the event stream, which an EventSource (no headers) opens with a stream ticket.
bool SiteKeyMayComeFromQuery(ApiRoute route);

// Whether the route acts for a guest, known by the bearer token (or, for the event stream, by a
// stream ticket): messages, reactions, the event stream, stream tickets, typing and read
// receipts.
bool RouteActsForGuest(ApiRoute route);

// The value of an Allow header for the route (OPTIONS included: preflights are answered).
std::string_view AllowedMethods(ApiRoute route);
bool MethodAllowed(ApiRoute route, std::string_view method);

// The client address a per-IP limit keys on: IPv4 as is, IPv6 by its /64 prefix (one subscriber
// usually holds a whole /64 and could otherwise rotate addresses past the limit), IPv4-mapped IPv6
// as IPv4. Unparseable input (a unix socket client) is returned unchanged.
std::string LimiterAddress(std::string_view address);

// True for "application/json" with optional parameters (case-insensitive).
bool IsJsonContentType(std::string_view content_type);

}  // namespace edgechat::shared
