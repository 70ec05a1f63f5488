// The external API (/api/v1/external/...) as plain request -> response functions over a
// ChatStore. Called on the blocking pool: store calls may wait on MySQL.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/ids.hpp"
#include "http/types.hpp"
#include "store/chat_store.hpp"

namespace edgechat::worker {

inline constexpr unsigned kGuestTtlDays = 180;

class ExternalApi {
 public:
  ExternalApi(ChatStore& store, RandomFill random) : store_(store), random_(std::move(random)) {}

  // Answers any request under /api/v1/external/; std::nullopt if the path is not ours.
  std::optional<HttpResponse> Handle(const HttpRequest& request);

  HttpResponse GetConfig(const Site& site);
  HttpResponse CreateGuest(const Site& site);
  HttpResponse GetMessages(const Site& site, const Guest& guest);
  HttpResponse PostMessage(const Site& site, const Guest& guest, const HttpRequest& request);

  // Resolves the site from Site-Key / X-Edgechat-Site-Key, or an error response.
  Result<Site> ResolveSite(const HttpRequest& request, HttpResponse& error);
  // Resolves the guest from `Authorization: Bearer`, or an error response.
  Result<Guest> ResolveGuest(const Site& site, const HttpRequest& request, HttpResponse& error);

 private:
  ChatStore& store_;
  RandomFill random_;
};

// The response for a store error: 503 with Retry-After for an unreachable database, else 500.
HttpResponse StoreErrorResponse(const Error& error);

// The bearer token of an Authorization header, if it has that form.
std::optional<std::string> BearerToken(const std::optional<std::string>& authorization);

// Parses a POST /messages body: {"text": string, "clientId": string|null|absent}.
struct MessageInput {
  std::string text;  // trimmed and validated
  std::optional<std::string> client_id;
};
Result<MessageInput> ParseMessageInput(const std::string& body);

}  // namespace edgechat::worker
