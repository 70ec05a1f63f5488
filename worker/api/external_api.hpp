// The external API (/api/v1/external/...) as plain request -> response functions over a
// ChatStore. Called on the blocking pool: store calls may wait on MySQL.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/ids.hpp"
#include "http/stream.hpp"
#include "http/types.hpp"
#include "service/identity_token.hpp"
#include "store/chat_store.hpp"
#include "store/event_publisher.hpp"

namespace edgechat::worker {

inline constexpr unsigned kGuestTtlDays = 180;

// Opens the event stream of a guest, resuming after `last_event_id` when given, or refuses it:
// Error{kLimited, "too_many_streams"} when the guest holds as many as allowed (429).
using StreamFactory = std::function<Result<std::shared_ptr<StreamSource>>(
    const Guest& guest, std::optional<std::uint64_t> last_event_id)>;

class ExternalApi {
 public:
  // `typing`: where a guest's typing goes (never stored); null drops it. `identity`: checks
  // identity tokens (docs/api.md, "Verified identity"); null refuses them (identity_unavailable).
  ExternalApi(ChatStore& store, RandomFill random, EventPublisher& events, StreamFactory streams,
              TypingPublisher* typing = nullptr, IdentityVerifier* identity = nullptr)
      : store_(store),
        random_(std::move(random)),
        events_(events),
        streams_(std::move(streams)),
        typing_(typing),
        identity_(identity) {}

  // Answers any request under /api/v1/external/; std::nullopt if the path is not ours.
  std::optional<HttpResponse> Handle(const HttpRequest& request);

  HttpResponse GetConfig(const Site& site);
  HttpResponse CreateGuest(const Site& site);
  // POST guests with an Edgechat-Identity header: the guest of (site, userId), found or made,
  // with a new token for this device; the anonymous guest of the request's Authorization (if
  // any, of this site) is merged into it.
  HttpResponse SignInGuest(const Site& site, const HttpRequest& request);
  // A verified guest's every call carries a valid identity token of the same user:
  // identity_required without one, identity_user_mismatch for another user's, or the
  // verifier's own identity_* error. Anonymous guests pass.
  Status CheckGuestIdentity(const Site& site, const Guest& guest, const HttpRequest& request);
  HttpResponse GetMessages(const Site& site, const Guest& guest, const HttpRequest& request);
  HttpResponse PostMessage(const Site& site, const Guest& guest, const HttpRequest& request);
  HttpResponse PutReaction(const Guest& guest, std::uint64_t message_id,
                           const HttpRequest& request);
  HttpResponse GetEvents(const Guest& guest, const HttpRequest& request);
  HttpResponse CreateStreamTicket(const Guest& guest);
  // POST typing (no body or {}): 204; announced when the guest has a conversation and the site
  // is not locked.
  HttpResponse PostTyping(const Site& site, const Guest& guest, const HttpRequest& request);
  // POST read {"upToMessageId": N}: 204; the guest's read marker moves forward (never back) and
  // a stored "read" event tells the team when it passed a reply. 404 message_not_found for a
  // message outside the guest's own conversation.
  HttpResponse PostRead(const Guest& guest, const HttpRequest& request);

  // Resolves the site from Site-Key / X-Edgechat-Site-Key: a missing or unknown key is an
  // Error{kUnauthorized} whose message the caller may see.
  Result<Site> ResolveSite(const HttpRequest& request);
  // Resolves the site and its guest (from `Authorization: Bearer`) in one store lookup when key
  // and token are good; a bad key is reported before a bad token.
  Result<SiteGuest> ResolveSiteAndGuest(const HttpRequest& request);
  // For GET events without Authorization: the site and guest of a `ticket` query parameter,
  // redeemed (single-use).
  Result<SiteGuest> RedeemTicket(const HttpRequest& request);
  // Both of the above: the site and guest a credential (a guest token, a stream ticket) stands
  // for. `lookup` gets the key and the credential's SHA-256 when the credential has a token's
  // shape; without a match, an unknown key is reported first, else `refusal`.
  using CredentialLookup = std::function<Result<std::optional<SiteGuest>>(
      std::string_view key, const std::string& credential_hash)>;
  Result<SiteGuest> ResolveGuestBy(const HttpRequest& request,
                                   const std::optional<std::string>& credential,
                                   const CredentialLookup& lookup, Error refusal);

 private:
  ChatStore& store_;
  RandomFill random_;
  EventPublisher& events_;
  StreamFactory streams_;
  TypingPublisher* typing_;
  IdentityVerifier* identity_;
};

// The header that carries an identity token (shared with the edge's CORS list).
inline constexpr char kIdentityHeader[] = "edgechat-identity";

// "messages/123/reaction" -> 123; std::nullopt for anything else.
std::optional<std::uint64_t> ReactionRouteId(std::string_view route);

// PUT .../reaction body: {"value": "like" | "dislike" | null}.
Result<std::optional<std::string>> ParseReactionInput(const std::string& body);

// GET /messages pages: `limit` messages (default kHistoryPageDefault, at most kHistoryPageMax),
// the newest ones, or the newest ones older than message `before`. Error{kInvalidInput,
// "invalid_limit"} or Error{kInvalidInput, "invalid_before"} for a value that is not a whole number
// in range.
inline constexpr unsigned kHistoryPageDefault = 50;
inline constexpr unsigned kHistoryPageMax = 200;
Result<HistoryPage> ParseHistoryPage(const HttpRequest& request);

// A Last-Event-ID header value: decimal digits only.
Result<std::optional<std::uint64_t>> ParseLastEventId(const std::optional<std::string>& header);

// Parses a POST read body: {"upToMessageId": a whole number from 1}, nothing else.
// Error{kInvalidInput, "invalid_json"} or Error{kInvalidInput, "invalid_message_id"}.
Result<std::uint64_t> ParseReadInput(const std::string& body);

// Parses a POST /messages body: {"text": string, "clientId": string|null|absent}.
struct MessageInput {
  std::string text;  // trimmed and validated
  std::optional<std::string> client_id;
  // The visitor's context (guest messages only; NormalizeVisitorContext applied). Absent or null:
  // none. Not an object, or a known field neither a string nor null: Error{kInvalidInput,
  // "invalid_context"}; unknown fields are ignored.
  std::optional<VisitorContext> context;
};
Result<MessageInput> ParseMessageInput(const std::string& body);

}  // namespace edgechat::worker
