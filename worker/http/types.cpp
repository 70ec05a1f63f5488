#include "http/types.hpp"

#include <nlohmann/json.hpp>

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

}  // namespace edgechat::worker
