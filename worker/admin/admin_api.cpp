#include "admin/admin_api.hpp"

#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "admin/admin_json.hpp"
#include "api/external_api.hpp"
#include "common/ids.hpp"
#include "common/password.hpp"
#include "common/text.hpp"
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

Result<json> ParseBody(const HttpRequest& request) {
  if (request.body.empty()) return json::object();
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{ErrorKind::kInvalidInput, "invalid_json", "The body must be a JSON object."};
  }
  return body;
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

// A text field: a string of 1..max code points (min 0 when `allow_empty`).
Result<std::optional<std::string>> TextField(const json& body, const char* name, std::size_t max,
                                             bool allow_empty) {
  if (!body.contains(name)) return std::optional<std::string>();
  const json& v = body.at(name);
  if (!v.is_string())
    return Error{ErrorKind::kInvalidInput, "invalid_input",
                 std::string(name) + " must be a string"};
  std::string text = v.get<std::string>();
  if (!IsValidUtf8(text))
    return Error{ErrorKind::kInvalidInput, "invalid_input", std::string(name) + " is not UTF-8"};
  text = std::string(TrimText(text));
  std::size_t length = CountCodePoints(text);
  if ((!allow_empty && length == 0) || length > max) {
    return Error{ErrorKind::kInvalidInput, "invalid_input",
                 std::string(name) + " must have " + (allow_empty ? "at most " : "1 to ") +
                     std::to_string(max) + " characters"};
  }
  return std::optional<std::string>(text);
}

Result<std::optional<unsigned>> NumberField(const json& body, const char* name, unsigned min,
                                            unsigned max) {
  if (!body.contains(name)) return std::optional<unsigned>();
  const json& v = body.at(name);
  if (!v.is_number_integer() || v.get<long long>() < min || v.get<long long>() > max) {
    return Error{ErrorKind::kInvalidInput, "invalid_input",
                 std::string(name) + " must be a whole number from " + std::to_string(min) +
                     " to " + std::to_string(max)};
  }
  return std::optional<unsigned>(v.get<unsigned>());
}

Result<std::optional<bool>> BoolField(const json& body, const char* name) {
  if (!body.contains(name)) return std::optional<bool>();
  if (!body.at(name).is_boolean())
    return Error{ErrorKind::kInvalidInput, "invalid_input",
                 std::string(name) + " must be true or false"};
  return std::optional<bool>(body.at(name).get<bool>());
}

#define EC_RESPOND_TRY(var, expr)                                     \
  auto var##_result = (expr);                                         \
  if (!var##_result) return AdminErrorResponse(var##_result.error()); \
  auto var = std::move(var##_result).value()

// The settings of a site present in `body` (PATCH /sites/KEY, or the extras of POST /sites).
Result<SitePatch> ParseSitePatch(const json& body) {
  SitePatch p;
  auto name = TextField(body, "name", 200, false);
  if (!name) return name.error();
  p.name = *name;
  auto title = TextField(body, "title", 200, false);
  if (!title) return title.error();
  p.title = *title;
  if (body.contains("primaryColor")) {
    if (!body.at("primaryColor").is_string())
      return Error{ErrorKind::kInvalidInput, "invalid_input", "primaryColor must be #rrggbb"};
    auto color = shared::ParseColor(body.at("primaryColor").get<std::string>());
    if (!color) return Error{ErrorKind::kInvalidInput, "invalid_input", color.error().message};
    p.primary_color = *color;
  }
  auto locked = BoolField(body, "locked");
  if (!locked) return locked.error();
  p.locked = *locked;
  auto main = BoolField(body, "main");
  if (!main) return main.error();
  p.is_main = *main;
  auto locked_message = TextField(body, "lockedMessage", 500, true);
  if (!locked_message) return locked_message.error();
  p.locked_message = *locked_message;
  if (body.contains("locale")) {
    const json& v = body.at("locale");
    if (v.is_null()) {
      p.locale = "";
    } else if (v.is_string() && v.get<std::string>().size() <= 16 &&
               std::all_of(v.get_ref<const std::string&>().begin(),
                           v.get_ref<const std::string&>().end(), [](char c) {
                             return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
                           })) {
      p.locale = v.get<std::string>();
    } else {
      return Error{ErrorKind::kInvalidInput, "invalid_input",
                   "locale must be null or a language tag such as fa or en"};
    }
  }
  if (body.contains("limits")) {
    const json& limits = body.at("limits");
    if (!limits.is_object())
      return Error{ErrorKind::kInvalidInput, "invalid_input", "limits must be an object"};
    auto messages = NumberField(limits, "messages", 1, 100000);
    if (!messages) return messages.error();
    p.limit_messages = *messages;
    auto window = NumberField(limits, "windowSeconds", 1, 86400);
    if (!window) return window.error();
    p.limit_window_seconds = *window;
    auto burst = NumberField(limits, "burst", 0, 100000);
    if (!burst) return burst.error();
    p.limit_burst = *burst;
    auto message = TextField(limits, "message", 500, true);
    if (!message) return message.error();
    p.limit_message = *message;
  }
  return p;
}

Result<std::string> OriginField(const json& body) {
  if (!body.contains("origin") || !body.at("origin").is_string()) {
    return Error{ErrorKind::kInvalidInput, "invalid_input",
                 "origin must be a string such as https://shop.example"};
  }
  auto normalized = shared::NormalizeAllowedOrigin(body.at("origin").get<std::string>());
  if (!normalized)
    return Error{ErrorKind::kInvalidInput, "invalid_origin", normalized.error().message};
  return *normalized;
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

std::string DecodeQueryValue(const std::string& value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < value.size() &&
               std::isxdigit(static_cast<unsigned char>(value[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(value[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(value.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
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
                   AdminStreamFactory streams, AdminApiOptions options, Clock clock)
    : repos_(repos),
      random_(std::move(random)),
      events_(events),
      streams_(std::move(streams)),
      options_(options),
      throttle_(options.failure_window, std::move(clock)) {}

std::optional<HttpResponse> AdminApi::Handle(const HttpRequest& request) {
  std::string path = request.Path();
  if (!path.starts_with(kPrefix)) return std::nullopt;
  std::string route = path.substr(kPrefix.size());
  HttpResponse response = [&]() -> HttpResponse {
    if (route == "login") {
      if (request.method != "POST") return ErrorResponse(405, "method_not_allowed", "Use POST.");
      return Login(request);
    }
    auto cookie = CookieValue(request.Header("cookie"), SessionCookieName(request));
    if (!cookie || cookie->size() != 43) {
      return ErrorResponse(401, "unauthorized", "Log in first.");
    }
    std::string token_hash = Sha256Hex(*cookie);
    auto session = repos_.sessions.Touch(token_hash, options_.idle_seconds);
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
    return Route(request, s, route);
  }();
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

HttpResponse AdminApi::Login(const HttpRequest& request) {
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
  if (!candidate) return AdminErrorResponse(candidate.error());
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
  if (!created) return AdminErrorResponse(created.error());
  SessionInfo info{admin->info.id, admin->info.username, admin->info.display_name, csrf};
  HttpResponse r = Json(200, SessionJson(info));
  r.headers.emplace_back("Set-Cookie", SessionCookie(request, token, -1));
  return r;
}

HttpResponse AdminApi::Route(const HttpRequest& request, const Session& session,
                             const std::string& route) {
  const std::string& m = request.method;
  if (route == "session" && m == "GET") return Json(200, SessionJson(session.info));
  if (route == "logout" && m == "POST") {
    auto deleted = repos_.sessions.Delete(session.token_hash);
    if (!deleted) return AdminErrorResponse(deleted.error());
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
    EC_RESPOND_TRY(entries, repos_.audit.List(limit, before));
    json out = json::array();
    for (const auto& e : entries) out.push_back(AuditEntryJson(e));
    return Json(200, json{{"entries", out}});
  }
  if (route == "sites" || route.starts_with("sites/")) return Sites(request, session, route);
  if (route == "conversations" || route.starts_with("conversations/")) {
    return Conversations(request, session, route);
  }
  if (route == "admins" || route.starts_with("admins/")) return Admins(request, session, route);
  return ErrorResponse(404, "not_found", "No such admin route.");
}

HttpResponse AdminApi::Sites(const HttpRequest& request, const Session& session,
                             const std::string& route) {
  const std::string& m = request.method;
  Actor actor{session.info.username};
  auto parts = Split(route);  // "sites", KEY, ...
  auto body = ParseBody(request);
  if (!body) return ErrorResponse(400, "invalid_json", body.error().message);
  if (parts.size() == 1) {
    if (m == "GET") {
      EC_RESPOND_TRY(sites, repos_.sites.List());
      json out = json::array();
      for (const auto& s : sites) out.push_back(AdminSiteJson(s));
      return Json(200, json{{"sites", out}});
    }
    if (m == "POST") {
      EC_RESPOND_TRY(patch, ParseSitePatch(*body));
      if (!patch.name) return ErrorResponse(400, "invalid_input", "name is required");
      NewSite site;
      site.name = *patch.name;
      if (patch.title) site.title = *patch.title;
      if (patch.primary_color) site.primary_color = *patch.primary_color;
      site.is_main = patch.is_main.value_or(false);
      if (body->contains("origins")) {
        if (!body->at("origins").is_array()) {
          return ErrorResponse(400, "invalid_input", "origins must be an array of strings");
        }
        for (const auto& o : body->at("origins")) {
          EC_RESPOND_TRY(origin, OriginField(json{{"origin", o}}));
          if (std::find(site.origins.begin(), site.origins.end(), origin) == site.origins.end()) {
            site.origins.push_back(origin);
          }
        }
      }
      site.key = NewSiteKey(random_);
      // The rest (lock, limits, locale) applies in the transaction that creates the site: no
      // moment where it is live unlocked or with default limits.
      patch.name.reset();
      patch.title.reset();
      patch.primary_color.reset();
      patch.is_main.reset();
      EC_RESPOND_TRY(created, repos_.sites.Create(site, patch, actor));
      return Json(201, AdminSiteJson(created));
    }
    return ErrorResponse(405, "method_not_allowed", "Use GET or POST.");
  }
  const std::string& key = parts[1];
  if (!shared::IsValidSiteKey(key)) return ErrorResponse(404, "not_found", "No such site.");
  if (parts.size() == 2) {
    if (m == "GET") {
      EC_RESPOND_TRY(site, repos_.sites.Find(key));
      return Json(200, AdminSiteJson(site));
    }
    if (m == "PATCH") {
      EC_RESPOND_TRY(patch, ParseSitePatch(*body));
      EC_RESPOND_TRY(site, repos_.sites.Update(key, patch, actor));
      return Json(200, AdminSiteJson(site));
    }
    if (m == "DELETE") {
      EC_RESPOND_TRY(done, repos_.sites.Remove(key, actor));
      (void)done;
      return Json(200, json{{"removed", key}});
    }
    return ErrorResponse(405, "method_not_allowed", "Use GET, PATCH or DELETE.");
  }
  const std::string& what = parts[2];
  if (what == "origins" && parts.size() == 3 && (m == "POST" || m == "DELETE")) {
    EC_RESPOND_TRY(origin, OriginField(*body));
    if (m == "POST") {
      EC_RESPOND_TRY(site, repos_.sites.AddOrigin(key, origin, actor));
      return Json(201, AdminSiteJson(site));
    }
    EC_RESPOND_TRY(site, repos_.sites.RemoveOrigin(key, origin, actor));
    return Json(200, AdminSiteJson(site));
  }
  if (what == "key" && parts.size() == 3 && m == "POST") {
    EC_RESPOND_TRY(site, repos_.sites.RegenerateKey(key, NewSiteKey(random_), actor));
    return Json(200, AdminSiteJson(site));
  }
  if (what == "secret-keys" && parts.size() == 3) {
    if (m == "GET") {
      EC_RESPOND_TRY(keys, repos_.secret_keys.List(key));
      json out = json::array();
      for (const auto& k : keys) out.push_back(SecretKeyJson(k));
      return Json(200, json{{"secretKeys", out}});
    }
    if (m == "POST") {
      EC_RESPOND_TRY(label, TextField(*body, "label", 200, true));
      std::string secret = NewSecretKey(random_);
      EC_RESPOND_TRY(info, repos_.secret_keys.Create(key, secret, label.value_or(""), actor));
      json out = SecretKeyJson(info);
      out["secret"] = secret;  // the only time it is shown
      return Json(201, out);
    }
  }
  if (what == "secret-keys" && parts.size() == 4 && m == "DELETE") {
    auto id = ParseId(parts[3]);
    if (!id) return ErrorResponse(404, "not_found", "No such secret key.");
    EC_RESPOND_TRY(info, repos_.secret_keys.Revoke(key, *id, actor));
    return Json(200, SecretKeyJson(info));
  }
  return ErrorResponse(404, "not_found", "No such admin route.");
}

HttpResponse AdminApi::Conversations(const HttpRequest& request, const Session& session,
                                     const std::string& route) {
  const std::string& m = request.method;
  auto parts = Split(route);
  if (parts.size() == 1 && m == "GET") {
    ConversationFilter filter;
    if (auto site = request.Query("site"); site && !site->empty()) filter.site_key = *site;
    if (auto source = request.Query("source"); source && !source->empty()) {
      if (*source != "main" && *source != "external") {
        return ErrorResponse(400, "invalid_input", "source must be main or external");
      }
      filter.source = *source;
    }
    if (auto status = request.Query("status"); status && !status->empty()) {
      if (*status != "open" && *status != "resolved") {
        return ErrorResponse(400, "invalid_input", "status must be open or resolved");
      }
      filter.status = *status;
    }
    if (auto limit = request.Query("limit"); limit && ParseId(*limit)) {
      filter.limit = static_cast<unsigned>(std::min<std::uint64_t>(*ParseId(*limit), 1000));
    }
    EC_RESPOND_TRY(rows, repos_.conversations.List(filter));
    std::vector<std::uint64_t> ids;
    for (const auto& c : rows) ids.push_back(c.id);
    EC_RESPOND_TRY(unread, repos_.conversations.UnreadCounts(ids));
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
    EC_RESPOND_TRY(detail, repos_.conversations.Show(*id));
    json messages = json::array();
    std::uint64_t last = 0;
    for (const auto& msg : detail.messages) {
      messages.push_back(AdminMessageJson(msg));
      last = std::max(last, msg.id);
    }
    if (request.Query("markRead").value_or("1") != "0" && last > 0) {
      auto marked = repos_.conversations.MarkRead(*id, last);
      if (!marked) return AdminErrorResponse(marked.error());
    }
    json out = ConversationSummaryJson(detail.summary);
    out["messages"] = std::move(messages);
    return Json(200, out);
  }
  if (parts.size() == 3 && parts[2] == "messages" && m == "POST") {
    auto input = ParseMessageInput(request.body);
    if (!input) return ErrorResponse(400, input.error().code, input.error().message);
    EC_RESPOND_TRY(reply, repos_.conversations.Reply(*id, session.info.username, input->text,
                                                     input->client_id));
    if (reply.event) events_.Publish(*reply.event);
    auto marked = repos_.conversations.MarkRead(*id, reply.message.id);
    if (!marked) return AdminErrorResponse(marked.error());
    return Json(reply.created ? 201 : 200,
                json{{"message", AdminMessageJson(reply.message)}, {"created", reply.created}});
  }
  if (parts.size() == 3 && (parts[2] == "resolve" || parts[2] == "reopen") && m == "POST") {
    std::string status = parts[2] == "resolve" ? "resolved" : "open";
    EC_RESPOND_TRY(event, repos_.conversations.SetStatus(*id, status));
    if (event) events_.Publish(*event);
    return Json(200, json{{"id", *id}, {"status", status}, {"changed", event.has_value()}});
  }
  return ErrorResponse(404, "not_found", "No such admin route.");
}

HttpResponse AdminApi::Admins(const HttpRequest& request, const Session& session,
                              const std::string& route) {
  const std::string& m = request.method;
  Actor actor{session.info.username};
  auto parts = Split(route);
  auto body = ParseBody(request);
  if (!body) return ErrorResponse(400, "invalid_json", body.error().message);
  if (parts.size() == 1 && m == "GET") {
    EC_RESPOND_TRY(admins, repos_.admins.List());
    json out = json::array();
    for (const auto& a : admins) out.push_back(AdminInfoJson(a));
    return Json(200, json{{"admins", out}});
  }
  if (parts.size() == 1 && m == "POST") {
    EC_RESPOND_TRY(username, TextField(*body, "username", 100, false));
    if (!username) return ErrorResponse(400, "invalid_input", "username is required");
    EC_RESPOND_TRY(display, TextField(*body, "displayName", 200, true));
    if (!body->contains("password") || !body->at("password").is_string()) {
      return ErrorResponse(400, "invalid_input", "password is required");
    }
    EC_RESPOND_TRY(hash, HashAdminPassword(body->at("password").get<std::string>()));
    EC_RESPOND_TRY(
        admin, repos_.admins.Create(*username, display && !display->empty() ? *display : *username,
                                    hash, actor));
    return Json(201, AdminInfoJson(admin));
  }
  if (parts.size() < 2) return ErrorResponse(404, "not_found", "No such admin route.");
  std::string username = DecodeQueryValue(parts[1]);
  bool removal = parts.size() == 2 && m == "DELETE";
  bool password = parts.size() == 3 && parts[2] == "password" && (m == "PUT" || m == "POST");
  if (!removal && !password) return ErrorResponse(404, "not_found", "No such admin route.");
  // The row the name reaches (the table's collation: "ADMIN" and "admin " are admin), decided on
  // by id from here on.
  EC_RESPOND_TRY(target, repos_.admins.FindCredentials(username));
  if (!target) return ErrorResponse(404, "not_found", "No such admin.");
  bool is_me = target->info.id == session.info.admin_id;
  if (removal) {
    if (is_me)
      return ErrorResponse(409, "conflict", "You cannot remove yourself; ask another admin.");
    EC_RESPOND_TRY(done, repos_.admins.Remove(target->info.id, actor));
    (void)done;
    return Json(200, json{{"removed", target->info.username}});
  }
  if (!body->contains("password") || !body->at("password").is_string()) {
    return ErrorResponse(400, "invalid_input", "password is required");
  }
  if (is_me) {
    // Changing one's own password needs the current one (a stolen open session cannot).
    const json& current = body->contains("currentPassword") ? body->at("currentPassword") : json();
    if (!current.is_string() ||
        !VerifyAdminPassword(target->password_hash, current.get<std::string>())) {
      return ErrorResponse(403, "bad_credentials", "The current password is wrong.");
    }
  }
  EC_RESPOND_TRY(hash, HashAdminPassword(body->at("password").get<std::string>()));
  EC_RESPOND_TRY(done, repos_.admins.SetPassword(target->info.id, hash, actor, session.token_hash));
  (void)done;
  return Json(200, json{{"username", target->info.username}, {"passwordChanged", true}});
}

}  // namespace edgechat::worker
