#include "api/external_api.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/text.hpp"
#include "json/json_shapes.hpp"
#include "log/log.hpp"
#include "shared/api_routes.hpp"
#include "shared/guest_token.hpp"
#include "shared/site_defaults.hpp"

namespace edgechat::worker {

using nlohmann::json;

namespace {

// Long enough to open an EventSource right after asking, short enough that a ticket in a URL
// (and so in access logs) is worthless by the time anyone reads it.
constexpr unsigned kStreamTicketTtlSeconds = 30;

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The "context" object of a guest message: each known field a string or null.
Result<VisitorContext> ParseVisitorContextJson(const json& j) {
  const Error bad{ErrorKind::kInvalidInput, "invalid_context",
                  "\"context\" must be an object of strings (pageUrl, pageTitle, referrer, "
                  "language, timeZone, browser)."};
  if (!j.is_object()) return bad;
  VisitorContext raw;
  const std::pair<const char*, std::string*> fields[] = {
      {"pageUrl", &raw.page_url},  {"pageTitle", &raw.page_title}, {"referrer", &raw.referrer},
      {"language", &raw.language}, {"timeZone", &raw.time_zone},   {"browser", &raw.browser}};
  for (const auto& [name, target] : fields) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_string()) return bad;
    *target = it->get<std::string>();
  }
  return NormalizeVisitorContext(std::move(raw));
}

}  // namespace

Result<MessageInput> ParseMessageInput(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{ErrorKind::kInvalidInput, "invalid_json", "The body must be a JSON object."};
  }
  auto text = j.find("text");
  if (text == j.end() || !text->is_string()) {
    return Error{ErrorKind::kInvalidInput, "invalid_text", "\"text\" must be a string."};
  }
  auto valid = ValidateMessageText(text->get_ref<const std::string&>());
  if (!valid) return valid.error();
  MessageInput input{std::move(valid).value(), std::nullopt, std::nullopt};
  auto client_id = j.find("clientId");
  if (client_id != j.end() && !client_id->is_null()) {
    if (!client_id->is_string() || !IsValidClientId(client_id->get_ref<const std::string&>())) {
      return Error{ErrorKind::kInvalidInput, "invalid_client_id",
                   "\"clientId\" must be 1 to 64 characters of letters, digits, . _ : or -."};
    }
    input.client_id = client_id->get<std::string>();
  }
  auto context = j.find("context");
  if (context != j.end() && !context->is_null()) {
    auto parsed = ParseVisitorContextJson(*context);
    if (!parsed) return parsed.error();
    input.context = std::move(parsed).value();
  }
  return input;
}

std::optional<std::uint64_t> ReactionRouteId(std::string_view route) {
  constexpr std::string_view kHead = "messages/";
  constexpr std::string_view kTail = "/reaction";
  if (!route.starts_with(kHead) || !route.ends_with(kTail)) return std::nullopt;
  return ParseId(route.substr(kHead.size(), route.size() - kHead.size() - kTail.size()));
}

Result<std::optional<std::string>> ParseReactionInput(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{ErrorKind::kInvalidInput, "invalid_json", "The body must be a JSON object."};
  }
  auto value = j.find("value");
  if (value == j.end()) {
    return Error{ErrorKind::kInvalidInput, "invalid_reaction",
                 "\"value\" must be \"like\", \"dislike\" or null."};
  }
  if (value->is_null()) return std::optional<std::string>();
  if (value->is_string() && (*value == "like" || *value == "dislike")) {
    return std::optional<std::string>(value->get<std::string>());
  }
  return Error{ErrorKind::kInvalidInput, "invalid_reaction",
               "\"value\" must be \"like\", \"dislike\" or null."};
}

Result<std::optional<std::uint64_t>> ParseLastEventId(const std::optional<std::string>& header) {
  if (!header || header->empty()) return std::optional<std::uint64_t>();
  if (header->size() > 19)
    return Error{ErrorKind::kInvalidInput, "invalid_last_event_id",
                 "Last-Event-ID is not an event id."};
  std::uint64_t id = 0;
  for (char c : *header) {
    if (c < '0' || c > '9') {
      return Error{ErrorKind::kInvalidInput, "invalid_last_event_id",
                   "Last-Event-ID is not an event id."};
    }
    id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return std::optional<std::uint64_t>(id);
}

namespace {

// The site key of a request: the edge validates Site-Key and passes X-Edgechat-Site-Key; direct
// callers send Site-Key.
Result<std::string> SiteKeyOf(const HttpRequest& request) {
  std::optional<std::string> key = request.Header("x-edgechat-site-key");
  if (!key || key->empty()) key = request.Header("site-key");
  if (!key || key->empty()) {
    return Error{ErrorKind::kUnauthorized, "missing_site_key", "The Site-Key header is required."};
  }
  if (!shared::IsValidSiteKey(*key)) {
    return Error{ErrorKind::kUnauthorized, "unknown_site_key", "Unknown site key."};
  }
  return std::move(*key);
}

}  // namespace

Result<Site> ExternalApi::ResolveSite(const HttpRequest& request) {
  auto key = SiteKeyOf(request);
  if (!key) return key.error();
  auto site = store_.FindSiteByKey(*key);
  if (!site) return site.error();
  if (!site->has_value()) {
    return Error{ErrorKind::kUnauthorized, "unknown_site_key", "Unknown site key."};
  }
  return std::move(site).value().value();
}

Result<SiteGuest> ExternalApi::ResolveGuestBy(const HttpRequest& request,
                                              const std::optional<std::string>& credential,
                                              const CredentialLookup& lookup, Error refusal) {
  auto key = SiteKeyOf(request);
  if (!key) return key.error();
  if (credential && shared::LooksLikeGuestToken(*credential)) {
    auto found = lookup(*key, Sha256Hex(*credential));
    if (!found) return found.error();
    if (found->has_value()) return std::move(**found);
  }
  // No match: the site alone says which error the caller gets (unknown key before bad credential).
  auto site = ResolveSite(request);
  if (!site) return site.error();
  return refusal;
}

Result<SiteGuest> ExternalApi::ResolveSiteAndGuest(const HttpRequest& request) {
  // The store matches the guest within the site of this key: a token never crosses sites. The
  // header is read with the edge's grammar, so every token found here was limited as its guest.
  std::optional<std::string> authorization = request.Header("authorization");
  std::optional<std::string> token;
  if (authorization) {
    if (auto parsed = shared::BearerToken(*authorization)) token = std::string(*parsed);
  }
  return ResolveGuestBy(
      request, token,
      [this](std::string_view key, const std::string& hash) {
        return store_.FindSiteAndGuest(key, hash);
      },
      Error{ErrorKind::kUnauthorized, "invalid_token", "The guest token is invalid or expired."});
}

Result<SiteGuest> ExternalApi::RedeemTicket(const HttpRequest& request) {
  return ResolveGuestBy(
      request, request.Query("ticket"),
      [this](std::string_view key, const std::string& hash) {
        return store_.RedeemStreamTicket(key, hash);
      },
      Error{ErrorKind::kUnauthorized, "invalid_ticket",
            "The stream ticket is invalid, already used or expired; ask for a new one."});
}

HttpResponse ExternalApi::GetConfig(const Site& site) {
  return JsonResponse(200, Dump(SiteConfigJson(site)));
}

HttpResponse ExternalApi::CreateGuest(const Site& site) {
  NewGuest guest{NewGuestId(random_), NewGuestToken(random_), ""};
  auto expires =
      store_.CreateGuest(site.id, guest.public_id, Sha256Hex(guest.token), kGuestTtlDays);
  if (!expires) return ErrorResponseFor(expires.error());
  guest.expires_at = *expires;
  return JsonResponse(201, Dump(NewGuestJson(guest)));
}

namespace {

Result<VerifiedIdentity> VerifyIdentity(IdentityVerifier* verifier, const Site& site,
                                        const std::string& token) {
  if (verifier == nullptr) {
    return Error{ErrorKind::kUnauthorized, "identity_unavailable",
                 "Verified identity is not set up on this server (identity.key_file)."};
  }
  return verifier->Verify(site.id, token);
}

}  // namespace

HttpResponse ExternalApi::SignInGuest(const Site& site, const HttpRequest& request) {
  auto verified = VerifyIdentity(identity_, site, request.Header(kIdentityHeader).value_or(""));
  if (!verified) return ErrorResponseFor(verified.error());
  VerifiedGuestInput input;
  input.site_id = site.id;
  input.user_id = verified->claims.user_id;
  input.name = verified->claims.name;
  input.email = verified->claims.email;
  input.new_public_id = NewGuestId(random_);
  std::string device_token = NewGuestToken(random_);
  input.device_token_hash = Sha256Hex(device_token);
  input.ttl_days = kGuestTtlDays;
  // The device's anonymous guest, when it sends its token: merged into the user's. A token that
  // matches nothing (expired, another site's) merges nothing and is no error.
  if (auto authorization = request.Header("authorization")) {
    if (auto bearer = shared::BearerToken(*authorization);
        bearer && shared::LooksLikeGuestToken(*bearer)) {
      auto found = store_.FindGuest(site.id, Sha256Hex(std::string(*bearer)));
      if (!found) return ErrorResponseFor(found.error());
      if (found->has_value() && !(*found)->external_user_id) input.merge_guest_id = (*found)->id;
    }
  }
  auto signed_in = store_.SignInGuest(input);
  if (!signed_in) return ErrorResponseFor(signed_in.error());
  NewGuest guest{signed_in->guest.public_id, device_token, signed_in->guest.expires_at};
  json body = NewGuestJson(guest);
  json user{{"userId", input.user_id}};
  if (input.name) user["name"] = *input.name;
  if (input.email) user["email"] = *input.email;
  body["verified"] = user;
  body["merged"] = signed_in->merged;
  return JsonResponse(signed_in->created ? 201 : 200, Dump(body));
}

Status ExternalApi::CheckGuestIdentity(const Site& site, const Guest& guest,
                                       const HttpRequest& request) {
  if (!guest.external_user_id) return Ok{};
  auto token = request.Header(kIdentityHeader);
  if (!token || token->empty()) {
    return Error{ErrorKind::kUnauthorized, "identity_required",
                 "This guest is a verified user: every call needs a fresh Edgechat-Identity "
                 "token of that user."};
  }
  EC_TRY(verified, VerifyIdentity(identity_, site, *token));
  if (verified.claims.user_id != *guest.external_user_id) {
    return Error{ErrorKind::kUnauthorized, "identity_user_mismatch",
                 "The identity token is another user's than this guest's."};
  }
  return Ok{};
}

Result<HistoryPage> ParseHistoryPage(const HttpRequest& request) {
  HistoryPage page;
  page.limit = kHistoryPageDefault;
  if (auto limit = request.Query("limit")) {
    auto n = ParseId(*limit);
    if (!n || *n > kHistoryPageMax) {
      return Error{
          ErrorKind::kInvalidInput, "invalid_limit",
          "limit must be a whole number from 1 to " + std::to_string(kHistoryPageMax) + "."};
    }
    page.limit = static_cast<unsigned>(*n);
  }
  if (auto before = request.Query("before")) {
    page.before = ParseId(*before);
    if (!page.before)
      return Error{ErrorKind::kInvalidInput, "invalid_before", "before must be a message id."};
  }
  return page;
}

HttpResponse ExternalApi::GetMessages(const Site&, const Guest& guest, const HttpRequest& request) {
  auto page = ParseHistoryPage(request);
  if (!page) return ErrorResponseFor(page.error());
  // The last event id is read first: events after it may repeat messages of the history (the
  // client keys messages by id), but none can fall between the two reads.
  auto last_event = store_.LastEventId(guest.id);
  if (!last_event) return ErrorResponseFor(last_event.error());
  auto history = store_.LoadHistory(guest, *page);
  if (!history) return ErrorResponseFor(history.error());
  json body = HistoryJson(*history);
  body["lastEventId"] = *last_event;
  return JsonResponse(200, Dump(body));
}

HttpResponse ExternalApi::PutReaction(const Guest& guest, std::uint64_t message_id,
                                      const HttpRequest& request) {
  auto value = ParseReactionInput(request.body);
  if (!value) return ErrorResponseFor(value.error());
  auto change = store_.SetReaction(guest, message_id, *value);
  if (!change) return ErrorResponseFor(change.error());
  if (change->event) events_.Publish(*change->event);
  return JsonResponse(
      200, Dump(json{{"messageId", change->message_id},
                     {"reaction", change->reaction ? json(*change->reaction) : json(nullptr)}}));
}

HttpResponse ExternalApi::CreateStreamTicket(const Guest& guest) {
  // A ticket has the shape and strength of a guest token; only its hash is stored.
  std::string ticket = NewGuestToken(random_);
  auto created = store_.CreateStreamTicket(guest.id, Sha256Hex(ticket), kStreamTicketTtlSeconds);
  if (!created) return ErrorResponseFor(created.error());
  return JsonResponse(201, Dump(json{{"ticket", ticket}, {"expiresIn", kStreamTicketTtlSeconds}}));
}

HttpResponse ExternalApi::GetEvents(const Guest& guest, const HttpRequest& request) {
  // A new EventSource cannot send Last-Event-ID: it may come as a query parameter instead.
  auto header = request.Header("last-event-id");
  auto last = ParseLastEventId(header && !header->empty() ? header : request.Query("lastEventId"));
  if (!last) return ErrorResponseFor(last.error());
  if (!streams_) return ErrorResponse(404, "not_found", "No such route.");
  auto stream = streams_(guest, *last);
  if (!stream) {
    // The guest's own streams are the limit: it can retry once one of them has closed.
    HttpResponse refused = ErrorResponseFor(stream.error());
    refused.headers.emplace_back("Retry-After", "10");
    return refused;
  }
  HttpResponse r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", "text/event-stream; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Accel-Buffering", "no");
  r.stream = std::move(stream).value();
  return r;
}

HttpResponse ExternalApi::PostMessage(const Site& site, const Guest& guest,
                                      const HttpRequest& request) {
  if (site.locked) {
    std::string message = site.locked_message.empty() ? std::string(shared::kDefaultLockedMessage)
                                                      : site.locked_message;
    return ErrorResponse(403, "site_locked", message);
  }
  auto input = ParseMessageInput(request.body);
  if (!input) return ErrorResponseFor(input.error());
  auto posted = store_.PostGuestMessage(site, guest, input->text, input->client_id);
  if (!posted) return ErrorResponseFor(posted.error());
  // The context is advisory: the message is stored and acknowledged even if this write fails.
  if (input->context && !input->context->empty()) {
    auto saved = store_.SaveVisitorContext(guest, *input->context);
    if (!saved) LogWarn("api", "visitor context not stored: " + saved.error().message);
  }
  // In id order: the reopening status event comes first.
  if (posted->reopened) events_.Publish(*posted->reopened);
  if (posted->event) events_.Publish(*posted->event);
  return JsonResponse(posted->created ? 201 : 200,
                      Dump(json{{"message", MessageJson(posted->message)}}));
}

HttpResponse ExternalApi::PostTyping(const Site& site, const Guest& guest,
                                     const HttpRequest& request) {
  if (!request.body.empty()) {
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.empty()) {
      return ErrorResponse(400, "invalid_json", "The body must be empty or {}.");
    }
  }
  // Nothing to announce before the first message (no conversation yet) or while locked.
  if (typing_ != nullptr && !site.locked && guest.conversation_id != 0) {
    typing_->PublishTyping(
        TypingNotice{guest.conversation_id, guest.id, TypingNotice::From::kGuest});
  }
  HttpResponse r;
  r.status = 204;
  return r;
}

Result<std::uint64_t> ParseReadInput(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{ErrorKind::kInvalidInput, "invalid_json", "The body must be a JSON object."};
  }
  Error bad{ErrorKind::kInvalidInput, "invalid_message_id",
            "\"upToMessageId\" must be the id of a message (a whole number from 1)."};
  for (const auto& [key, value] : j.items()) {
    if (key != "upToMessageId") {
      return Error{ErrorKind::kInvalidInput, "invalid_json",
                   "The body has only \"upToMessageId\"."};
    }
  }
  auto id = j.find("upToMessageId");
  if (id == j.end() || !id->is_number_integer()) return bad;
  if (id->is_number_unsigned()) {
    auto n = id->get<std::uint64_t>();
    if (n == 0) return bad;
    return n;
  }
  auto n = id->get<std::int64_t>();
  if (n < 1) return bad;
  return static_cast<std::uint64_t>(n);
}

HttpResponse ExternalApi::PostRead(const Guest& guest, const HttpRequest& request) {
  auto up_to = ParseReadInput(request.body);
  if (!up_to) return ErrorResponseFor(up_to.error());
  auto read = store_.MarkGuestRead(guest, *up_to);
  if (!read) return ErrorResponseFor(read.error());
  if (read->event) events_.Publish(*read->event);
  HttpResponse r;
  r.status = 204;
  return r;
}

std::optional<HttpResponse> ExternalApi::Handle(const HttpRequest& request) {
  std::string path = request.Path();
  if (!path.starts_with(shared::kExternalApiPrefix)) return std::nullopt;
  const std::string& method = request.method;

  auto method_not_allowed = [](const char* allow) {
    HttpResponse r = ErrorResponse(405, "method_not_allowed", "Method not allowed.");
    r.headers.emplace_back("Allow", allow);
    return r;
  };
  // The edge's route table; a reaction's message id must also be a row id here.
  shared::ApiRoute route = shared::ClassifyApiRoute(path);
  std::optional<std::uint64_t> reaction_id;
  if (route == shared::ApiRoute::kReaction) {
    reaction_id = ReactionRouteId(std::string_view(path).substr(shared::kExternalApiPrefix.size()));
    if (!reaction_id) route = shared::ApiRoute::kUnknown;
  }
  // The worker serves no preflight or HEAD (the edge answers those): its methods are its own.
  switch (route) {
    case shared::ApiRoute::kUnknown:
      return ErrorResponse(404, "not_found", "No such route.");
    case shared::ApiRoute::kConfig:
    case shared::ApiRoute::kEvents:
      if (method != "GET") return method_not_allowed("GET");
      break;
    case shared::ApiRoute::kGuests:
    case shared::ApiRoute::kEventTicket:
    case shared::ApiRoute::kTyping:
    case shared::ApiRoute::kRead:
      if (method != "POST") return method_not_allowed("POST");
      break;
    case shared::ApiRoute::kReaction:
      if (method != "PUT") return method_not_allowed("PUT");
      break;
    case shared::ApiRoute::kMessages:
      if (method != "GET" && method != "POST") return method_not_allowed("GET, POST");
      break;
  }

  if (route == shared::ApiRoute::kConfig || route == shared::ApiRoute::kGuests) {
    auto site = ResolveSite(request);
    if (!site) return ErrorResponseFor(site.error());
    if (route == shared::ApiRoute::kConfig) return GetConfig(*site);
    if (request.Header(kIdentityHeader)) return SignInGuest(*site, request);
    return CreateGuest(*site);
  }
  // Every other route acts for a guest: site and guest come from one store lookup, or for an
  // EventSource (no headers) from a stream ticket.
  bool by_ticket = route == shared::ApiRoute::kEvents && !request.Header("authorization") &&
                   request.Query("ticket");
  auto found = by_ticket ? RedeemTicket(request) : ResolveSiteAndGuest(request);
  if (!found) return ErrorResponseFor(found.error());
  const Site& site = found->site;
  const Guest& guest = found->guest;
  // A stream ticket was asked for with the identity checked; an EventSource cannot send it.
  if (!by_ticket) {
    if (auto claimed = CheckGuestIdentity(site, guest, request); !claimed) {
      return ErrorResponseFor(claimed.error());
    }
  }
  if (reaction_id) return PutReaction(guest, *reaction_id, request);
  if (route == shared::ApiRoute::kEvents) return GetEvents(guest, request);
  if (route == shared::ApiRoute::kEventTicket) return CreateStreamTicket(guest);
  if (route == shared::ApiRoute::kTyping) return PostTyping(site, guest, request);
  if (route == shared::ApiRoute::kRead) return PostRead(guest, request);
  if (method == "GET") return GetMessages(site, guest, request);
  return PostMessage(site, guest, request);
}

}  // namespace edgechat::worker
