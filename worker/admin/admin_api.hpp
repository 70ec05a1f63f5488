// The admin API (/api/v1/admin/...) behind the panel: login with Argon2id passwords, throttled;
// sessions in an HttpOnly SameSite=Strict cookie, stored hashed with an idle expiry; a CSRF token
// required on every state-changing call. Plain request -> response functions over the store,
// called on the blocking pool. See docs/panel.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "admin/admin_store.hpp"
#include "common/ids.hpp"
#include "http/stream.hpp"
#include "http/types.hpp"
#include "store/events.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

inline constexpr const char* kAdminCookie = "ec_admin";

struct AdminApiOptions {
  unsigned idle_seconds = 1800;        // a session unused this long is gone
  unsigned max_failures_per_user = 5;  // failed logins per username per window
  unsigned max_failures_per_ip = 20;   // failed logins per client address per window
  std::chrono::seconds failure_window{900};
};

// Counts failed logins per key in a sliding window (one process; every worker throttles on its
// own, which bounds guessing to workers x limit per window).
class LoginThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  LoginThrottle(std::chrono::seconds window, Clock clock = std::chrono::steady_clock::now)
      : window_(window), clock_(std::move(clock)) {}

  // Seconds until `key` may try again when it has `limit` failures in the window, else 0.
  unsigned RetryAfter(const std::string& key, unsigned limit);
  void RecordFailure(const std::string& key);
  void Clear(const std::string& key);

 private:
  struct Entry {
    unsigned failures = 0;
    std::chrono::steady_clock::time_point first;
  };
  std::chrono::seconds window_;
  Clock clock_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// What opening the admin event stream needs: where to resume, and a check (blocking: it reads
// MySQL) that the session that opened it is still alive, so a logout, a removed admin or an
// idle session also ends the stream.
struct AdminStreamRequest {
  std::optional<std::uint64_t> last_event_id;
  std::function<bool()> session_alive;
};
using AdminStreamFactory = std::function<std::shared_ptr<StreamSource>(AdminStreamRequest)>;

class AdminApi {
 public:
  AdminApi(ConnectionPool& pool, RandomFill random, EventPublisher& events,
           AdminStreamFactory streams, AdminApiOptions options = {});

  // Answers any request under /api/v1/admin/; std::nullopt if the path is not ours.
  std::optional<HttpResponse> Handle(const HttpRequest& request);

 private:
  struct Session {
    SessionInfo info;
    std::string token_hash;
  };
  HttpResponse Login(const HttpRequest& request);
  HttpResponse Route(const HttpRequest& request, const Session& session, const std::string& route);
  HttpResponse Sites(const HttpRequest& request, const Session& session, const std::string& route);
  HttpResponse Conversations(const HttpRequest& request, const Session& session,
                             const std::string& route);
  HttpResponse Admins(const HttpRequest& request, const Session& session, const std::string& route);

  ConnectionPool& pool_;
  RandomFill random_;
  EventPublisher& events_;
  AdminStreamFactory streams_;
  AdminApiOptions options_;
  LoginThrottle throttle_;
};

// The value of cookie `name` in a Cookie header.
std::optional<std::string> CookieValue(const std::optional<std::string>& header,
                                       const std::string& name);
// Constant-time comparison of two strings (CSRF tokens).
bool SameSecret(const std::string& a, const std::string& b);
// Percent-decodes a query value ("+" is a space).
std::string DecodeQueryValue(const std::string& value);

}  // namespace edgechat::worker
