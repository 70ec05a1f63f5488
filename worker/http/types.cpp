#include "http/types.hpp"

#include <cctype>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "log/log.hpp"

namespace edgechat::worker {

std::optional<std::string> HttpRequest::Query(const std::string& name) const {
  std::size_t q = target.find('?');
  if (q == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
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

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = std::move(body);
  r.body += '\n';
  return r;
}

HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message) {
  nlohmann::json body = {{"error", code}, {"message", message}};
  return JsonResponse(status, body.dump());
}

int HttpStatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
      return 400;
    case ErrorKind::kUnauthorized:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kLimited:
      return 429;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

namespace {

// During an outage every request fails the same way: log the first failure, then at most one
// line every 5 s with the number of failures in between.
void LogUnavailable(const std::string& message) {
  static std::atomic<std::int64_t> last_logged_ms{0};
  static std::atomic<std::uint64_t> suppressed{0};
  std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
  std::int64_t last = last_logged_ms.load();
  if (now - last < 5000 || !last_logged_ms.compare_exchange_strong(last, now)) {
    ++suppressed;
    return;
  }
  std::uint64_t skipped = suppressed.exchange(0);
  LogWarn("store", skipped == 0 ? message
                                : message + " (" + std::to_string(skipped) +
                                      " more requests failed the same way since the last report)");
}

}  // namespace

HttpResponse ErrorResponseFor(const Error& error) {
  switch (error.kind) {
    case ErrorKind::kUnavailable: {
      LogUnavailable(error.message);
      HttpResponse r = ErrorResponse(503, "unavailable",
                                     "The service is temporarily unavailable; retry shortly.");
      r.headers.emplace_back("Retry-After", "2");
      return r;
    }
    case ErrorKind::kInternal:
      LogError("store", error.message);
      return ErrorResponse(500, "internal", "Internal error.");
    default:
      return ErrorResponse(HttpStatusFor(error.kind), error.code, error.message);
  }
}

}  // namespace edgechat::worker
