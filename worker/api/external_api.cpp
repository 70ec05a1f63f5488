#include "api/external_api.hpp"

#include <nlohmann/json.hpp>

#include "api/json_shapes.hpp"
#include "common/text.hpp"
#include "log/log.hpp"

namespace edgechat::worker {

using nlohmann::json;

namespace {

constexpr std::string_view kPrefix = "/api/v1/external/";

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

HttpResponse StoreErrorResponse(const Error& error) {
  if (error.code == "db_unavailable") {
    LogWarn("store", error.message);
    HttpResponse r =
        ErrorResponse(503, "unavailable", "The service is temporarily unavailable; retry shortly.");
    r.headers.emplace_back("Retry-After", "2");
    return r;
  }
  LogError("store", error.message);
  return ErrorResponse(500, "internal", "Internal error.");
}

std::optional<std::string> BearerToken(const std::optional<std::string>& authorization) {
  if (!authorization) return std::nullopt;
  std::string_view v = *authorization;
  if (v.size() < 7) return std::nullopt;
  std::string scheme(v.substr(0, 7));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return std::nullopt;
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  return std::string(v);
}

Result<MessageInput> ParseMessageInput(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{"invalid_json", "The body must be a JSON object."};
  }
  auto text = j.find("text");
  if (text == j.end() || !text->is_string()) {
    return Error{"invalid_text", "\"text\" must be a string."};
  }
  auto valid = ValidateMessageText(text->get_ref<const std::string&>());
  if (!valid) return valid.error();
  MessageInput input{std::move(valid).value(), std::nullopt};
  auto client_id = j.find("clientId");
  if (client_id != j.end() && !client_id->is_null()) {
    if (!client_id->is_string() || !IsValidClientId(client_id->get_ref<const std::string&>())) {
      return Error{"invalid_client_id",
                   "\"clientId\" must be 1 to 64 characters of letters, digits, . _ : or -."};
    }
    input.client_id = client_id->get<std::string>();
  }
  return input;
}

Result<Site> ExternalApi::ResolveSite(const HttpRequest& request, HttpResponse& error) {
  // The edge validates Site-Key and passes X-Edgechat-Site-Key; direct callers send Site-Key.
  std::optional<std::string> key = request.Header("x-edgechat-site-key");
  if (!key || key->empty()) key = request.Header("site-key");
  if (!key || key->empty()) {
    error = ErrorResponse(401, "missing_site_key", "The Site-Key header is required.");
    return Error{"missing_site_key", ""};
  }
  if (!LooksLikeSiteKey(*key)) {
    error = ErrorResponse(401, "unknown_site_key", "Unknown site key.");
    return Error{"unknown_site_key", ""};
  }
  auto site = store_.FindSiteByKey(*key);
  if (!site) {
    error = StoreErrorResponse(site.error());
    return site.error();
  }
  if (!site->has_value()) {
    error = ErrorResponse(401, "unknown_site_key", "Unknown site key.");
    return Error{"unknown_site_key", ""};
  }
  return std::move(site).value().value();
}

Result<Guest> ExternalApi::ResolveGuest(const Site& site, const HttpRequest& request,
                                        HttpResponse& error) {
  auto token = BearerToken(request.Header("authorization"));
  if (!token || !LooksLikeGuestToken(*token)) {
    error = ErrorResponse(401, "invalid_token", "A valid guest token is required.");
    return Error{"invalid_token", ""};
  }
  auto guest = store_.FindGuest(site.id, Sha256Hex(*token));
  if (!guest) {
    error = StoreErrorResponse(guest.error());
    return guest.error();
  }
  if (!guest->has_value()) {
    error = ErrorResponse(401, "invalid_token", "The guest token is invalid or expired.");
    return Error{"invalid_token", ""};
  }
  return std::move(guest).value().value();
}

HttpResponse ExternalApi::GetConfig(const Site& site) {
  return JsonResponse(200, Dump(SiteConfigJson(site)));
}

HttpResponse ExternalApi::CreateGuest(const Site& site) {
  NewGuest guest{NewGuestId(random_), NewGuestToken(random_), ""};
  auto expires =
      store_.CreateGuest(site.id, guest.public_id, Sha256Hex(guest.token), kGuestTtlDays);
  if (!expires) return StoreErrorResponse(expires.error());
  guest.expires_at = *expires;
  return JsonResponse(201, Dump(NewGuestJson(guest)));
}

HttpResponse ExternalApi::GetMessages(const Site&, const Guest& guest) {
  auto history = store_.LoadHistory(guest);
  if (!history) return StoreErrorResponse(history.error());
  return JsonResponse(200, Dump(HistoryJson(*history)));
}

HttpResponse ExternalApi::PostMessage(const Site& site, const Guest& guest,
                                      const HttpRequest& request) {
  if (site.locked) {
    std::string message =
        site.locked_message.empty() ? "This chat is not accepting messages." : site.locked_message;
    return ErrorResponse(403, "site_locked", message);
  }
  auto input = ParseMessageInput(request.body);
  if (!input) return ErrorResponse(400, input.error().code, input.error().message);
  auto posted = store_.PostGuestMessage(site, guest, input->text, input->client_id);
  if (!posted) return StoreErrorResponse(posted.error());
  return JsonResponse(posted->created ? 201 : 200,
                      Dump(json{{"message", MessageJson(posted->message)}}));
}

std::optional<HttpResponse> ExternalApi::Handle(const HttpRequest& request) {
  std::string path = request.Path();
  if (!path.starts_with(kPrefix)) return std::nullopt;
  std::string route = path.substr(kPrefix.size());
  const std::string& method = request.method;

  auto method_not_allowed = [](const char* allow) {
    HttpResponse r = ErrorResponse(405, "method_not_allowed", "Method not allowed.");
    r.headers.emplace_back("Allow", allow);
    return r;
  };
  bool known = route == "config" || route == "guests" || route == "messages";
  if (!known) return ErrorResponse(404, "not_found", "No such route.");
  if (route == "config" && method != "GET") return method_not_allowed("GET");
  if (route == "guests" && method != "POST") return method_not_allowed("POST");
  if (route == "messages" && method != "GET" && method != "POST")
    return method_not_allowed("GET, POST");

  HttpResponse error;
  auto site = ResolveSite(request, error);
  if (!site) return error;
  if (route == "config") return GetConfig(*site);
  if (route == "guests") return CreateGuest(*site);
  auto guest = ResolveGuest(*site, request, error);
  if (!guest) return error;
  if (method == "GET") return GetMessages(*site, *guest);
  return PostMessage(*site, *guest, request);
}

}  // namespace edgechat::worker
