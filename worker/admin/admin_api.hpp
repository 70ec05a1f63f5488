// The admin API (/api/v1/admin/...) behind the panel: login with Argon2id passwords, throttled;
// sessions in an HttpOnly SameSite=Strict cookie, stored hashed with an idle expiry; a CSRF token
// required on every state-changing call. A thin front end over the services (worker/service/):
// HTTP routing, JSON to service input (type checks only), service results to JSON; called on
// the blocking pool. See docs/panel.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "admin/login_throttle.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "http/stream.hpp"
#include "http/types.hpp"
#include "service/admin_service.hpp"
#include "service/conversation_service.hpp"
#include "service/office_hours.hpp"
#include "service/presence.hpp"
#include "service/site_service.hpp"
#include "service/webhook_service.hpp"
#include "store/admin_repo.hpp"
#include "store/audit_repo.hpp"
#include "store/conversation_repo.hpp"
#include "store/event_publisher.hpp"
#include "store/outbox_repo.hpp"
#include "store/secret_key_repo.hpp"
#include "store/session_repo.hpp"
#include "store/site_repo.hpp"

namespace edgechat::worker {

// The session cookie's name over plain http, and over https (nginx says which in
// X-Forwarded-Proto). The __Host- prefix makes the browser insist on Secure, Path=/ and no Domain,
// so neither a sibling subdomain nor a plain-http response can plant a session cookie.
inline constexpr const char* kAdminCookie = "ec_admin";
inline constexpr const char* kAdminCookieHttps = "__Host-ec_admin";

struct AdminApiOptions {
  unsigned idle_seconds = 1800;        // a session unused this long is gone
  unsigned max_failures_per_user = 5;  // login attempts per admin (or unknown name) per window
  unsigned max_failures_per_ip = 20;   // login attempts per client address (IPv6: /64) per window
  std::chrono::seconds failure_window{900};
};

// What opening the admin event stream needs: where to resume, and a check (blocking: it reads
// MySQL) that the session that opened it is still alive, so a logout, a removed admin or an
// idle session also ends the stream.
struct AdminStreamRequest {
  std::optional<std::uint64_t> last_event_id;
  std::function<bool()> session_alive;
};
using AdminStreamFactory = std::function<std::shared_ptr<StreamSource>(AdminStreamRequest)>;

// The repositories the admin API (through its services) works through (MySQL ones in the worker,
// fakes in unit tests).
struct AdminRepos {
  SiteRepo& sites;
  SecretKeyRepo& secret_keys;
  AdminRepo& admins;
  SessionRepo& sessions;
  AuditRepo& audit;
  ConversationRepo& conversations;
};

class AdminApi {
 public:
  // `clock` times the login throttle's window.
  // `typing`: where an agent's typing goes (never stored); null drops it.
  // `presence`: the agents' presence (GET/POST presence); null answers those 503.
  // `mail_preferences`: the signed-in admin's mail preferences (GET/PUT mail-preferences); null
  // answers those routes 404.
  // `hours`: sites' office hours (GET/PUT/DELETE sites/KEY/hours); null answers those 404.
  // `webhooks`: sites' webhook endpoints and delivery log; null answers those 404.
  AdminApi(AdminRepos repos, RandomFill random, EventPublisher& events, AdminStreamFactory streams,
           AdminApiOptions options = {}, Clock clock = SteadyClock(),
           TypingPublisher* typing = nullptr, PresenceService* presence = nullptr,
           MailPreferencesRepo* mail_preferences = nullptr, OfficeHoursService* hours = nullptr,
           WebhookService* webhooks = nullptr);

  // Answers any request under /api/v1/admin/; std::nullopt if the path is not ours.
  std::optional<HttpResponse> Handle(const HttpRequest& request);

 private:
  struct Session {
    SessionInfo info;
    std::string token_hash;
  };
  // Each handler's error becomes the response once, in Handle (AdminErrorResponse).
  Result<HttpResponse> Login(const HttpRequest& request);
  Result<HttpResponse> Route(const HttpRequest& request, const Session& session,
                             const std::string& route);
  Result<HttpResponse> Sites(const HttpRequest& request, const Session& session,
                             const std::string& route);
  Result<HttpResponse> Conversations(const HttpRequest& request, const Session& session,
                                     const std::string& route);
  Result<HttpResponse> Admins(const HttpRequest& request, const Session& session,
                              const std::string& route);
  Result<HttpResponse> Presence(const HttpRequest& request, const Session& session);
  Result<HttpResponse> MailPreferencesRoute(const HttpRequest& request, const Session& session);
  Result<HttpResponse> HoursRoute(const HttpRequest& request, const Session& session,
                                  const std::string& site_key);
  // sites/KEY/webhooks[/ID[/secret|/rotate-secret]], sites/KEY/webhook-deliveries[/ID/resend].
  Result<HttpResponse> WebhooksRoute(const HttpRequest& request, const Session& session,
                                     const std::vector<std::string>& parts);

  AdminRepos repos_;
  RandomFill random_;
  EventPublisher& events_;
  AdminStreamFactory streams_;
  SiteService sites_;
  AdminService admins_;
  ConversationService conversations_;
  AdminApiOptions options_;
  LoginThrottle throttle_;
  TypingPublisher* typing_;
  PresenceService* presence_;
  MailPreferencesRepo* mail_preferences_;
  OfficeHoursService* hours_;
  WebhookService* webhooks_;
};

// The throttle keys of a login: the admin's id when the name is an admin's (every spelling the
// admins table's collation equates reaches the same row, hence the same key), else the name's
// collation key; and the client address as the edge groups it (IPv6 by /64).
std::string LoginUserKey(const LoginCandidate& candidate);
std::string LoginAddressKey(const std::string& client_address);

// The value of cookie `name` in a Cookie header.
std::optional<std::string> CookieValue(const std::optional<std::string>& header,
                                       const std::string& name);
// Constant-time comparison of two strings (CSRF tokens).
bool SameSecret(const std::string& a, const std::string& b);

}  // namespace edgechat::worker
