#include "admin/admin_api.hpp"

#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "admin/hours_json.hpp"
#include "api/external_api.hpp"
#include "common/ids.hpp"
#include "common/password.hpp"
#include "common/text.hpp"
#include "json/admin_json.hpp"
#include "service/mail_preferences_service.hpp"
#include "shared/api_routes.hpp"
#include "shared/origin.hpp"
#include "shared/site_defaults.hpp"

namespace edgechat::worker {

using nlohmann::json;

namespace {

constexpr std::string_view kPrefix = "/api/v1/admin/";

HttpResponse Json(int status, const json& body) {
  return JsonResponse(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

// The admin API's errors: the worker's one mapping (ErrorResponseFor), with every refused input
// under the one code the panel knows, "invalid_input" (docs/panel.md).
HttpResponse AdminErrorResponse(const Error& e) {
  if (e.kind == ErrorKind::kInvalidInput && e.code != "invalid_json") {
    return ErrorResponseFor({e.kind, "invalid_input", e.message});
  }
  return ErrorResponseFor(e);
}

HttpResponse ResponseOf(Result<HttpResponse> result) {
  return result ? std::move(result).value() : AdminErrorResponse(result.error());
}

Result<json> ParseBody(const HttpRequest& request) {
  if (request.body.empty()) return json::object();
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{ErrorKind::kInvalidInput, "invalid_json", "The body must be a JSON object."};
  }
  return body;
}

// How long ago the admin last used the panel. A presence beat is the panel refreshing itself, not
// a use: it reports the time since the last input (idleMs), so an open panel left alone still
// reaches admin.session_idle. Anything that is not a well-formed beat counts as a use now; a bad
// beat is refused by the presence route itself.
std::chrono::milliseconds LastUseAgo(const HttpRequest& request, std::string_view route) {
  if (route != "presence" || request.method != "POST") return std::chrono::milliseconds(0);
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object()) return std::chrono::milliseconds(0);
  auto idle = body.find("idleMs");
  if (idle == body.end() || !idle->is_number_integer()) return std::chrono::milliseconds(0);
  std::int64_t ms = idle->get<std::int64_t>();
  if (ms < 0 || ms > 86400LL * 1000) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(ms);
}

std::vector<std::string> Split(std::string_view route) {
  std::vector<std::string> parts;
  while (!route.empty()) {
    auto slash = route.find('/');
    parts.emplace_back(route.substr(0, slash));
    if (slash == std::string_view::npos) break;
    route.remove_prefix(slash + 1);
  }
  return parts;
}

// Type checks only (the services hold the rules): an optional string, integer or boolean.
Result<std::optional<std::string>> StringField(const json& body, const char* name) {
  if (!body.contains(name)) return std::optional<std::string>();
  const json& v = body.at(name);
  if (!v.is_string())
    return Error{ErrorKind::kInvalidInput, "invalid_input",
                 std::string(name) + " must be a string"};
  return std::optional<std::string>(v.get<std::string>());
}

Result<std::optional<std::int64_t>> IntegerField(const json& body, const char* name) {
  if (!body.contains(name)) return std::optional<std::int64_t>();
  const json& v = body.at(name);
  if (!v.is_number_integer()) {
    return Error{ErrorKind::kInvalidInput, "invalid_input",
                 std::string(name) + " must be a whole number"};
  }
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX) {
    return std::optional<std::int64_t>(INT64_MAX);  // out of every range all the same
  }
  return std::optional<std::int64_t>(v.get<std::int64_t>());
}

Result<std::optional<bool>> BoolField(const json& body, const char* name) {
  if (!body.contains(name)) return std::optional<bool>();
  if (!body.at(name).is_boolean())
    return Error{ErrorKind::kInvalidInput, "invalid_input",
                 std::string(name) + " must be true or false"};
  return std::optional<bool>(body.at(name).get<bool>());
}

// The site fields present in `body` (PATCH /sites/KEY, or POST /sites with its origins).
Result<SiteChanges> ParseSiteChanges(const json& body) {
  SiteChanges c;
  EC_TRY_ASSIGN(c.name, StringField(body, "name"));
  EC_TRY_ASSIGN(c.title, StringField(body, "title"));
  if (body.contains("primaryColor") && !body.at("primaryColor").is_string()) {
    return Error{ErrorKind::kInvalidInput, "invalid_input", "primaryColor must be #rrggbb"};
  }
  EC_TRY_ASSIGN(c.primary_color, StringField(body, "primaryColor"));
  EC_TRY_ASSIGN(c.locked, BoolField(body, "locked"));
  EC_TRY_ASSIGN(c.main, BoolField(body, "main"));
  EC_TRY_ASSIGN(c.locked_message, StringField(body, "lockedMessage"));
  if (body.contains("locale")) {
    const json& v = body.at("locale");
    if (v.is_null()) {
      c.locale = "";
    } else if (v.is_string()) {
      c.locale = v.get<std::string>();
    } else {
      return Error{ErrorKind::kInvalidInput, "invalid_input",
                   "locale must be null or a language tag such as fa or en"};
    }
  }
  if (body.contains("limits")) {
    const json& limits = body.at("limits");
    if (!limits.is_object())
      return Error{ErrorKind::kInvalidInput, "invalid_input", "limits must be an object"};
    EC_TRY_ASSIGN(c.limit_messages, IntegerField(limits, "messages"));
    EC_TRY_ASSIGN(c.limit_window_seconds, IntegerField(limits, "windowSeconds"));
    EC_TRY_ASSIGN(c.limit_burst, IntegerField(limits, "burst"));
    EC_TRY_ASSIGN(c.limit_message, StringField(limits, "message"));
  }
  return c;
}

Result<std::string> OriginField(const json& body) {
  if (!body.contains("origin") || !body.at("origin").is_string()) {
    return Error{ErrorKind::kInvalidInput, "invalid_input",
                 "origin must be a string such as https://shop.example"};
  }
  return body.at("origin").get<std::string>();
}

std::string ClientAddress(const HttpRequest& request) {
  auto forwarded = request.Header("x-forwarded-for").value_or("");
  auto comma = forwarded.rfind(',');
  std::string last = comma == std::string::npos ? forwarded : forwarded.substr(comma + 1);
  last.erase(0, last.find_first_not_of(' '));
  return last.empty() ? "unknown" : last;
}

bool OverHttps(const HttpRequest& request) {
  return request.Header("x-forwarded-proto").value_or("") == "https";
}

const char* SessionCookieName(const HttpRequest& request) {
  return OverHttps(request) ? kAdminCookieHttps : kAdminCookie;
}

std::string SessionCookie(const HttpRequest& request, const std::string& value, int max_age) {
  std::string cookie =
      std::string(SessionCookieName(request)) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (max_age >= 0) cookie += "; Max-Age=" + std::to_string(max_age);
  if (OverHttps(request)) cookie += "; Secure";
  return cookie;
}

json SessionJson(const SessionInfo& s) {
  return json{
      {"admin", {{"id", s.admin_id}, {"username", s.username}, {"displayName", s.display_name}}},
      {"csrfToken", s.csrf_token}};
}

bool IsSafeMethod(const std::string& method) {
  return method == "GET" || method == "HEAD";
}

}  // namespace

// --- helpers exposed for tests ---------------------------------------------------------------

std::optional<std::string> CookieValue(const std::optional<std::string>& header,
                                       const std::string& name) {
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

bool SameSecret(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string LoginUserKey(const LoginCandidate& candidate) {
  if (candidate.admin) return "admin:" + std::to_string(candidate.admin->info.id);
  return "name:" + candidate.name_key;
}

std::string LoginAddressKey(const std::string& client_address) {
  return "ip:" + shared::LimiterAddress(client_address);
}

// --- the API ----------------------------------------------------------------------------------

AdminApi::AdminApi(AdminRepos repos, RandomFill random, EventPublisher& events,
                   AdminStreamFactory streams, AdminApiOptions options, Clock clock,
                   TypingPublisher* typing, PresenceService* presence,
                   MailPreferencesRepo* mail_preferences, OfficeHoursService* hours,
                   WebhookService* webhooks)
    : repos_(repos),
      random_(std::move(random)),
      events_(events),
      streams_(std::move(streams)),
      sites_(repos.sites, repos.secret_keys, random_),
      admins_(repos.admins),
      conversations_(repos.conversations, events),
      options_(options),
      throttle_(options.failure_window, std::move(clock)),
      typing_(typing),
      presence_(presence),
      mail_preferences_(mail_preferences),
      hours_(hours),
      webhooks_(webhooks) {}

std::optional<HttpResponse> AdminApi::Handle(const HttpRequest& request) {
  std::string path = request.Path();
  if (!path.starts_with(kPrefix)) return std::nullopt;
  std::string route = path.substr(kPrefix.size());
  HttpResponse response = [&]() -> HttpResponse {
    if (route == "login") {
      if (request.method != "POST") return ErrorResponse(405, "method_not_allowed", "Use POST.");
      return ResponseOf(Login(request));
    }
    auto cookie = CookieValue(request.Header("cookie"), SessionCookieName(request));
    if (!cookie || cookie->size() != 43) {
      return ErrorResponse(401, "unauthorized", "Log in first.");
    }
    std::string token_hash = Sha256Hex(*cookie);
    auto session =
        repos_.sessions.Touch(token_hash, options_.idle_seconds, LastUseAgo(request, route));
    if (!session) return AdminErrorResponse(session.error());
    if (!session->has_value()) {
      HttpResponse r =
          ErrorResponse(401, "session_expired", "Your session has ended. Log in again.");
      r.headers.emplace_back("Set-Cookie", SessionCookie(request, "", 0));
      return r;
    }
    Session s{std::move(**session), token_hash};
    if (!IsSafeMethod(request.method)) {
      auto csrf = request.Header("x-csrf-token");
      if (!csrf || !SameSecret(*csrf, s.info.csrf_token)) {
        return ErrorResponse(403, "csrf", "Missing or wrong X-CSRF-Token.");
      }
    }
    return ResponseOf(Route(request, s, route));
  }();
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Result<HttpResponse> AdminApi::Login(const HttpRequest& request) {
  auto body = ParseBody(request);
  if (!body) return ErrorResponse(400, "invalid_json", body.error().message);
  if (!body->contains("username") || !body->at("username").is_string() ||
      !body->contains("password") || !body->at("password").is_string()) {
    return ErrorResponse(400, "invalid_input", "Give username and password.");
  }
  std::string username = body->at("username").get<std::string>();
  std::string password = body->at("password").get<std::string>();
  if (username.size() > 100 || password.size() > 1024) {
    return ErrorResponse(401, "bad_credentials", "Wrong username or password.");
  }
  auto candidate = repos_.admins.FindLoginCandidate(username);
  if (!candidate) return candidate.error();
  std::string user_key = LoginUserKey(*candidate);
  std::string ip_key = LoginAddressKey(ClientAddress(request));
  // Counted before the (slow) Argon2id check: parallel attempts each take a slot or wait.
  unsigned wait = throttle_.TryAttempt(
      {{ip_key, options_.max_failures_per_ip}, {user_key, options_.max_failures_per_user}});
  if (wait > 0) {
    HttpResponse r =
        ErrorResponse(429, "too_many_attempts", "Too many failed logins. Try again later.");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  const auto& admin = candidate->admin;
  bool ok = false;
  if (admin && !admin->info.disabled) {
    ok = VerifyAdminPassword(admin->password_hash, password);
  } else {
    // Spend the same time as a real check so a missing username does not answer faster.
    static const std::string kDummy = HashAdminPassword("not-a-password").value();
    VerifyAdminPassword(kDummy, password);
  }
  sodium_memzero(password.data(), password.size());
  if (!ok) return ErrorResponse(401, "bad_credentials", "Wrong username or password.");
  throttle_.Clear(user_key);
  throttle_.Refund(ip_key);
  std::string token = NewGuestToken(random_);  // 32 random bytes, base64url
  std::string csrf = NewGuestToken(random_);
  auto created = repos_.sessions.Create(Sha256Hex(token), admin->info.id, csrf);
  if (!created) return created.error();
  SessionInfo info{admin->info.id, admin->info.username, admin->info.display_name, csrf};
  HttpResponse r = Json(200, SessionJson(info));
  r.headers.emplace_back("Set-Cookie", SessionCookie(request, token, -1));
  return r;
}

Result<HttpResponse> AdminApi::Route(const HttpRequest& request, const Session& session,
                                     const std::string& route) {
  const std::string& m = request.method;
  if (route == "session" && m == "GET") return Json(200, SessionJson(session.info));
  if (route == "logout" && m == "POST") {
    auto deleted = repos_.sessions.Delete(session.token_hash);
    if (!deleted) return deleted.error();
    HttpResponse r = Json(200, json{{"loggedOut", true}});
    r.headers.emplace_back("Set-Cookie", SessionCookie(request, "", 0));
    return r;
  }
  if (route == "events" && m == "GET") {
    auto last = ParseLastEventId(request.Header("last-event-id"));
    if (!last) return ErrorResponse(400, "invalid_last_event_id", last.error().message);
    HttpResponse r;
    r.headers.emplace_back("Content-Type", "text/event-stream; charset=utf-8");
    r.headers.emplace_back("X-Accel-Buffering", "no");
    r.stream = streams_(
        AdminStreamRequest{*last, [this, hash = session.token_hash] {
                             auto alive = repos_.sessions.Alive(hash, options_.idle_seconds);
                             return !alive || *alive;  // a database hiccup does not end the stream
                           }});
    return r;
  }
  if (route == "audit" && m == "GET") {
    unsigned limit = 100;
    if (auto l = request.Query("limit"); l && ParseId(*l)) {
      limit = static_cast<unsigned>(std::min<std::uint64_t>(*ParseId(*l), 1000));
    }
    std::uint64_t before = 0;
    if (auto b = request.Query("before"); b && ParseId(*b)) before = *ParseId(*b);
    EC_TRY(entries, repos_.audit.List(limit, before));
    json out = json::array();
    for (const auto& e : entries) out.push_back(AuditEntryJson(e));
    return Json(200, json{{"entries", out}});
  }
  if (route == "sites" || route.starts_with("sites/")) return Sites(request, session, route);
  if (route == "conversations" || route.starts_with("conversations/")) {
    return Conversations(request, session, route);
  }
  if (route == "admins" || route.starts_with("admins/")) return Admins(request, session, route);
  if (route == "presence" && (m == "GET" || m == "POST")) return Presence(request, session);
  if (route == "mail-preferences" && mail_preferences_ != nullptr) {
    return MailPreferencesRoute(request, session);
  }
  return ErrorResponse(404, "not_found", "No such admin route.");
}

Result<HttpResponse> AdminApi::Presence(const HttpRequest& request, const Session& session) {
  if (presence_ == nullptr) {
    return Error{ErrorKind::kUnavailable, "redis_unavailable", "presence is not configured"};
  }
  const PresenceOptions& options = presence_->options();
  json out{{"beatSeconds", options.beat.count()},
           {"idleSeconds", options.idle.count()},
           {"ttlSeconds", options.ttl.count()}};
  if (request.method == "POST") {
    auto body = ParseBody(request);
    if (!body) return ErrorResponse(400, "invalid_json", body.error().message);
    if (!body->is_object() || !body->contains("state") || !body->at("state").is_string()) {
      return ErrorResponse(400, "invalid_input", "Give state: online, away or offline.");
    }
    std::int64_t idle_ms = 0;
    if (body->contains("idleMs")) {
      const json& idle = body->at("idleMs");
      if (!idle.is_number_integer()) {
        return ErrorResponse(400, "invalid_input", "idleMs must be a whole number.");
      }
      idle_ms = idle.get<std::int64_t>();
    }
    EC_TRY(state,
           presence_->Beat(session.info.admin_id, body->at("state").get<std::string>(), idle_ms));
    out["state"] = AgentStateName(state);
    return Json(200, out);
  }
  EC_TRY(agents, presence_->List());
  json list = json::array();
  std::string mine(AgentStateName(AgentState::kOffline));
  bool anyone = false;
  for (const auto& agent : agents) {
    list.push_back(json{{"adminId", agent.admin_id}, {"state", AgentStateName(agent.state)}});
    if (agent.admin_id == session.info.admin_id) mine = AgentStateName(agent.state);
    anyone = anyone || agent.state == AgentState::kOnline;
  }
  out["state"] = mine;
  out["agents"] = std::move(list);
  out["visitorsSee"] = anyone ? "online" : "away";
  return Json(200, out);
}

// The signed-in admin's own mail preferences: GET shows them, PUT changes the fields it names
// ({email, locale, newConversation, unansweredMinutes}).
Result<HttpResponse> AdminApi::MailPreferencesRoute(const HttpRequest& request,
                                                    const Session& session) {
  MailPreferencesService service(*mail_preferences_);
  if (request.method == "GET") {
    EC_TRY(prefs, service.Get(session.info.username));
    return Json(200, MailPreferencesJson(prefs));
  }
  if (request.method != "PUT") return ErrorResponse(405, "method_not_allowed", "Use GET or PUT.");
  EC_TRY(body, ParseBody(request));
  MailPreferencesChange change;
  auto bad = [](const std::string& what) -> Error {
    return Error{ErrorKind::kInvalidInput, "invalid_input", what};
  };
  if (body.contains("email")) {
    if (!body["email"].is_string()) return bad("email must be a string");
    change.email = body["email"].get<std::string>();
  }
  if (body.contains("locale")) {
    if (!body["locale"].is_string()) return bad("locale must be en or fa");
    change.locale = body["locale"].get<std::string>();
  }
  if (body.contains("newConversation")) {
    if (!body["newConversation"].is_boolean()) return bad("newConversation must be true or false");
    change.new_conversation = body["newConversation"].get<bool>();
  }
  if (body.contains("unansweredMinutes")) {
    const auto& m = body["unansweredMinutes"];
    if (!m.is_number_unsigned() || m.get<std::uint64_t>() > kMaxUnansweredMinutes)
      return bad("unansweredMinutes must be a whole number from 0 to " +
                 std::to_string(kMaxUnansweredMinutes));
    change.unanswered_minutes = static_cast<unsigned>(m.get<std::uint64_t>());
  }
  EC_TRY(prefs, service.Update(session.info.username, change));
  return Json(200, MailPreferencesJson(prefs));
}

// A site's office hours: GET shows them (hours null: always open), PUT replaces them, DELETE
// removes them (the site is open again). All three answer the GET shape (admin/hours_json.hpp).
Result<HttpResponse> AdminApi::HoursRoute(const HttpRequest& request, const Session& session,
                                          const std::string& site_key) {
  const std::string& m = request.method;
  Actor actor{session.info.username};
  if (m == "GET") {
    EC_TRY(view, hours_->Get(site_key));
    return Json(200, SiteHoursJson(site_key, view));
  }
  if (m == "PUT") {
    EC_TRY(body, ParseBody(request));
    EC_TRY(hours, OfficeHoursFromJson(body));
    EC_TRY(view, hours_->Set(site_key, std::move(hours), actor));
    return Json(200, SiteHoursJson(site_key, view));
  }
  if (m == "DELETE") {
    EC_TRY(cleared, hours_->Clear(site_key, actor));
    (void)cleared;
    return Json(200, SiteHoursJson(site_key, SiteHoursView{}));
  }
  return ErrorResponse(405, "method_not_allowed", "Use GET, PUT or DELETE.");
}

namespace {

// The fields of a webhook endpoint in a POST or PATCH body; type checks only.
Result<WebhookChange> WebhookChangeFrom(const json& body) {
  auto bad = [](const std::string& what) -> Error {
    return Error{ErrorKind::kInvalidInput, "invalid_input", what};
  };
  if (!body.is_object()) return bad("the body must be a JSON object");
  WebhookChange change;
  EC_TRY_ASSIGN(change.url, StringField(body, "url"));
  EC_TRY_ASSIGN(change.enabled, BoolField(body, "enabled"));
  EC_TRY_ASSIGN(change.allow_private, BoolField(body, "allowPrivate"));
  if (body.contains("events")) {
    const json& events = body.at("events");
    if (!events.is_array()) return bad("events must be an array of event types");
    std::vector<std::string> list;
    for (const auto& e : events) {
      if (!e.is_string()) return bad("events must be an array of event types");
      list.push_back(e.get<std::string>());
    }
    change.events = std::move(list);
  }
  return change;
}

}  // namespace

Result<HttpResponse> AdminApi::WebhooksRoute(const HttpRequest& request, const Session& session,
                                             const std::vector<std::string>& parts) {
  const std::string& m = request.method;
  const std::string& key = parts[1];
  Actor actor{session.info.username};
  if (parts[2] == "webhook-deliveries") {
    if (parts.size() == 3 && m == "GET") {
      std::optional<std::uint64_t> endpoint;
      if (auto e = request.Query("endpoint"); e && !e->empty()) {
        endpoint = ParseId(*e);
        if (!endpoint) return ErrorResponse(400, "invalid_input", "endpoint must be an id");
      }
      unsigned limit = 100;
      if (auto l = request.Query("limit"); l && ParseId(*l)) {
        limit = static_cast<unsigned>(std::min<std::uint64_t>(*ParseId(*l), kMaxDeliveriesListed));
      }
      EC_TRY(rows, webhooks_->Deliveries(key, endpoint, limit));
      json out = json::array();
      for (const auto& d : rows) out.push_back(WebhookDeliveryJson(d));
      return Json(200, json{{"deliveries", out}});
    }
    if (parts.size() == 5 && parts[4] == "resend" && m == "POST") {
      auto id = ParseId(parts[3]);
      if (!id) return ErrorResponse(404, "delivery_not_found", "No such webhook delivery.");
      EC_TRY(d, webhooks_->Resend(key, *id, actor));
      return Json(200, WebhookDeliveryJson(d));
    }
    return ErrorResponse(404, "not_found", "No such admin route.");
  }
  if (parts.size() == 3) {
    if (m == "GET") {
      EC_TRY(list, webhooks_->List(key));
      json out = json::array();
      for (const auto& e : list) out.push_back(WebhookEndpointJson(e, false));
      return Json(200, json{{"webhooks", out}, {"eventTypes", WebhookEventTypes()}});
    }
    if (m == "POST") {
      EC_TRY(body, ParseBody(request));
      EC_TRY(change, WebhookChangeFrom(body));
      EC_TRY(created, webhooks_->Create(key, change, actor));
      return Json(201, WebhookEndpointJson(created, true));
    }
    return ErrorResponse(405, "method_not_allowed", "Use GET or POST.");
  }
  auto id = ParseId(parts[3]);
  if (!id) return ErrorResponse(404, "webhook_not_found", "No such webhook endpoint.");
  if (parts.size() == 4) {
    if (m == "GET") {
      EC_TRY(e, webhooks_->Get(key, *id));
      return Json(200, WebhookEndpointJson(e, false));
    }
    if (m == "PATCH") {
      EC_TRY(body, ParseBody(request));
      EC_TRY(change, WebhookChangeFrom(body));
      EC_TRY(e, webhooks_->Update(key, *id, change, actor));
      return Json(200, WebhookEndpointJson(e, false));
    }
    if (m == "DELETE") {
      EC_TRY(done, webhooks_->Remove(key, *id, actor));
      (void)done;
      return Json(200, json{{"removed", *id}});
    }
    return ErrorResponse(405, "method_not_allowed", "Use GET, PATCH or DELETE.");
  }
  if (parts.size() == 5 && parts[4] == "secret" && m == "GET") {
    EC_TRY(e, webhooks_->Get(key, *id));
    return Json(200, WebhookEndpointJson(e, true));
  }
  if (parts.size() == 5 && parts[4] == "rotate-secret" && m == "POST") {
    EC_TRY(e, webhooks_->RotateSecret(key, *id, actor));
    return Json(200, WebhookEndpointJson(e, true));
  }
  return ErrorResponse(404, "not_found", "No such admin route.");
}

Result<HttpResponse> AdminApi::Sites(const HttpRequest& request, const Session& session,
                                     const std::string& route) {
  const std::string& m = request.method;
  Actor actor{session.info.username};
  auto parts = Split(route);  // "sites", KEY, ...
  auto body = ParseBody(request);
  if (!body) return ErrorResponse(400, "invalid_json", body.error().message);
  if (parts.size() == 1) {
    if (m == "GET") {
      EC_TRY(sites, sites_.List());
      json out = json::array();
      for (const auto& s : sites) out.push_back(AdminSiteJson(s));
      return Json(200, json{{"sites", out}});
    }
    if (m == "POST") {
      EC_TRY(changes, ParseSiteChanges(*body));
      if (body->contains("origins")) {
        if (!body->at("origins").is_array()) {
          return ErrorResponse(400, "invalid_input", "origins must be an array of strings");
        }
        for (const auto& o : body->at("origins")) {
          EC_TRY(origin, OriginField(json{{"origin", o}}));
          changes.add_origins.push_back(origin);
        }
      }
      EC_TRY(created, sites_.Create(changes, actor));
      return Json(201, AdminSiteJson(created));
    }
    return ErrorResponse(405, "method_not_allowed", "Use GET or POST.");
  }
  const std::string& key = parts[1];
  if (!shared::IsValidSiteKey(key)) return ErrorResponse(404, "not_found", "No such site.");
  if (parts.size() == 2) {
    if (m == "GET") {
      EC_TRY(site, sites_.Find(key));
      return Json(200, AdminSiteJson(site));
    }
    if (m == "PATCH") {
      EC_TRY(changes, ParseSiteChanges(*body));
      EC_TRY(site, sites_.Update(key, changes, actor));
      return Json(200, AdminSiteJson(site));
    }
    if (m == "DELETE") {
      EC_TRY(done, sites_.Remove(key, actor));
      (void)done;
      return Json(200, json{{"removed", key}});
    }
    return ErrorResponse(405, "method_not_allowed", "Use GET, PATCH or DELETE.");
  }
  const std::string& what = parts[2];
  if (what == "hours" && parts.size() == 3 && hours_ != nullptr) {
    return HoursRoute(request, session, key);
  }
  if ((what == "webhooks" || what == "webhook-deliveries") && webhooks_ != nullptr) {
    return WebhooksRoute(request, session, parts);
  }
  if (what == "origins" && parts.size() == 3 && (m == "POST" || m == "DELETE")) {
    EC_TRY(origin, OriginField(*body));
    if (m == "POST") {
      EC_TRY(site, sites_.AddOrigin(key, origin, actor));
      return Json(201, AdminSiteJson(site));
    }
    EC_TRY(site, sites_.RemoveOrigin(key, origin, actor));
    return Json(200, AdminSiteJson(site));
  }
  if (what == "key" && parts.size() == 3 && m == "POST") {
    EC_TRY(site, sites_.RotateKey(key, actor));
    return Json(200, AdminSiteJson(site));
  }
  if (what == "secret-keys" && parts.size() == 3) {
    if (m == "GET") {
      EC_TRY(keys, sites_.ListSecretKeys(key));
      json out = json::array();
      for (const auto& k : keys) out.push_back(SecretKeyJson(k));
      return Json(200, json{{"secretKeys", out}});
    }
    if (m == "POST") {
      EC_TRY(label, StringField(*body, "label"));
      EC_TRY(created, sites_.AddSecretKey(key, label.value_or(""), actor));
      json out = SecretKeyJson(created.info);
      out["secret"] = created.secret;  // the only time it is shown
      return Json(201, out);
    }
  }
  if (what == "secret-keys" && parts.size() == 4 && m == "DELETE") {
    auto id = ParseId(parts[3]);
    if (!id) return ErrorResponse(404, "not_found", "No such secret key.");
    EC_TRY(info, sites_.RevokeSecretKey(key, *id, actor));
    return Json(200, SecretKeyJson(info));
  }
  return ErrorResponse(404, "not_found", "No such admin route.");
}

Result<HttpResponse> AdminApi::Conversations(const HttpRequest& request, const Session& session,
                                             const std::string& route) {
  const std::string& m = request.method;
  auto parts = Split(route);
  if (parts.size() == 1 && m == "GET") {
    ConversationFilter filter;
    if (auto site = request.Query("site"); site && !site->empty()) filter.site_key = *site;
    if (auto source = request.Query("source"); source && !source->empty()) filter.source = *source;
    if (auto status = request.Query("status"); status && !status->empty()) filter.status = *status;
    if (auto limit = request.Query("limit"); limit && ParseId(*limit)) {
      filter.limit = static_cast<unsigned>(std::min<std::uint64_t>(*ParseId(*limit), 1000));
    }
    EC_TRY(rows, conversations_.List(filter));
    std::vector<std::uint64_t> ids;
    for (const auto& c : rows) ids.push_back(c.id);
    EC_TRY(unread, conversations_.UnreadCounts(ids));
    json out = json::array();
    for (const auto& c : rows) {
      json j = ConversationSummaryJson(c);
      j["unread"] = unread[c.id];
      out.push_back(std::move(j));
    }
    return Json(200, json{{"conversations", out}});
  }
  if (parts.size() < 2) return ErrorResponse(404, "not_found", "No such admin route.");
  auto id = ParseId(parts[1]);
  if (!id) return ErrorResponse(404, "not_found", "No such conversation.");
  if (parts.size() == 2 && m == "GET") {
    EC_TRY(detail, conversations_.Show(*id));
    json messages = json::array();
    std::uint64_t last = 0;
    for (const auto& msg : detail.messages) {
      messages.push_back(AdminMessageJson(msg));
      last = std::max(last, msg.id);
    }
    std::uint64_t marked_up_to = 0;
    if (request.Query("markRead").value_or("1") != "0" && last > 0) {
      auto marked = conversations_.MarkRead(*id, last);
      if (!marked) return marked.error();
      marked_up_to = last;
    }
    json out = ConversationSummaryJson(detail.summary);
    out["messages"] = std::move(messages);
    // Read receipts: what the visitor has read (the panel's "Seen"), and the team's marker.
    out["visitorReadUpTo"] = detail.visitor_read_up_to;
    out["agentReadUpTo"] = std::max(detail.agent_read_up_to, marked_up_to);
    out["context"] = VisitorContextJson(detail.context);
    return Json(200, out);
  }
  if (parts.size() == 3 && parts[2] == "messages" && m == "POST") {
    // The guest API's body shape and its error codes (invalid_text, invalid_client_id).
    auto input = ParseMessageInput(request.body);
    if (!input) return ErrorResponse(400, input.error().code, input.error().message);
    EC_TRY(reply, conversations_.Reply(
                      *id, ReplyInput{session.info.username, input->text, input->client_id}));
    return Json(reply.created ? 201 : 200,
                json{{"message", AdminMessageJson(reply.message)}, {"created", reply.created}});
  }
  if (parts.size() == 3 && parts[2] == "typing" && m == "POST") {
    // Never stored: to the guest's streams on every worker (no name: see TypingNotice).
    EC_TRY(guest, repos_.conversations.GuestOf(*id));
    if (!guest) return ErrorResponse(404, "not_found", "No such conversation.");
    if (*guest != 0 && typing_ != nullptr) {
      typing_->PublishTyping(TypingNotice{*id, *guest, TypingNotice::From::kAgent});
    }
    HttpResponse r;
    r.status = 204;
    return r;
  }
  if (parts.size() == 3 && (parts[2] == "resolve" || parts[2] == "reopen") && m == "POST") {
    std::string status = parts[2] == "resolve" ? "resolved" : "open";
    EC_TRY(changed, conversations_.SetStatus(*id, status));
    return Json(200, json{{"id", *id}, {"status", status}, {"changed", changed}});
  }
  return ErrorResponse(404, "not_found", "No such admin route.");
}

Result<HttpResponse> AdminApi::Admins(const HttpRequest& request, const Session& session,
                                      const std::string& route) {
  const std::string& m = request.method;
  AdminActor actor{Actor{session.info.username}, session.info.admin_id};
  auto parts = Split(route);
  auto body = ParseBody(request);
  if (!body) return ErrorResponse(400, "invalid_json", body.error().message);
  if (parts.size() == 1 && m == "GET") {
    EC_TRY(admins, admins_.List());
    json out = json::array();
    for (const auto& a : admins) out.push_back(AdminInfoJson(a));
    return Json(200, json{{"admins", out}});
  }
  if (parts.size() == 1 && m == "POST") {
    EC_TRY(username, StringField(*body, "username"));
    if (!username) return ErrorResponse(400, "invalid_input", "username is required");
    EC_TRY(display, StringField(*body, "displayName"));
    if (!body->contains("password") || !body->at("password").is_string()) {
      return ErrorResponse(400, "invalid_input", "password is required");
    }
    EC_TRY(admin,
           admins_.Create(NewAdmin{*username, display, body->at("password").get<std::string>()},
                          actor.actor));
    return Json(201, AdminInfoJson(admin));
  }
  if (parts.size() < 2) return ErrorResponse(404, "not_found", "No such admin route.");
  std::string username = DecodeQueryValue(parts[1]);
  bool removal = parts.size() == 2 && m == "DELETE";
  bool password = parts.size() == 3 && parts[2] == "password" && (m == "PUT" || m == "POST");
  if (!removal && !password) return ErrorResponse(404, "not_found", "No such admin route.");
  if (removal) {
    EC_TRY(removed, admins_.Remove(username, actor));
    return Json(200, json{{"removed", removed.username}});
  }
  if (!body->contains("password") || !body->at("password").is_string()) {
    return ErrorResponse(400, "invalid_input", "password is required");
  }
  PasswordChange change{body->at("password").get<std::string>(), std::nullopt, session.token_hash};
  if (body->contains("currentPassword") && body->at("currentPassword").is_string()) {
    change.current_password = body->at("currentPassword").get<std::string>();
  }
  EC_TRY(changed, admins_.SetPassword(username, change, actor));
  return Json(200, json{{"username", changed.username}, {"passwordChanged", true}});
}

}  // namespace edgechat::worker
