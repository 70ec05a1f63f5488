// The webhook channel of the outbox (docs/webhooks.md): an outbox row of channel "webhook" is
// POSTed, signed (common/webhook_signature), to its endpoint as the endpoint is now (URL,
// secret, flags read at send time, so a rotation or a disable takes effect at once).
// The address rules (shared/webhook_url) hold at connect time: the host is resolved once here,
// every address is classified, and libcurl is pinned to the address that passed
// (CURLOPT_RESOLVE, plus an opensocket check that it connects to nothing else), so a DNS answer
// that changes between check and connect (rebinding) cannot reach a refused address. Redirects
// are never followed (a 3xx is a failure), proxies are not used, 2xx is delivered.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shared/result.hpp"
#include "store/outbox_repo.hpp"
#include "store/webhook_repo.hpp"

namespace edgechat::worker {

// The addresses a host name resolves to (textual, no brackets); an error when it does not.
using HostResolver = std::function<Result<std::vector<std::string>>(const std::string& host)>;
HostResolver SystemResolver();  // getaddrinfo

// The address to connect to: the first of `addresses` the rules allow. Error{kUnavailable,
// "address_refused"} naming the host, the address and its class when none is allowed.
Result<std::string> PickWebhookAddress(const std::string& host,
                                       const std::vector<std::string>& addresses,
                                       bool allow_private);

struct WebhookRequest {
  std::string url;
  std::string host;
  std::uint16_t port = 443;
  std::string address;  // the checked address the connection must go to
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct WebhookResponse {
  std::optional<int> status;  // none: no HTTP response (refused, timeout, TLS)
  std::string error;          // why, when there is no status
};

class WebhookTransport {
 public:
  virtual ~WebhookTransport() = default;
  virtual WebhookResponse Post(const WebhookRequest& request) = 0;
};

struct WebhookHttpOptions {
  unsigned connect_timeout_ms = 5000;
  unsigned timeout_ms = 15000;
  bool verify_tls = true;
};

// libcurl: one connection per delivery, no redirects, no proxy, http and https only.
class CurlWebhookTransport : public WebhookTransport {
 public:
  explicit CurlWebhookTransport(WebhookHttpOptions options) : options_(options) {}
  WebhookResponse Post(const WebhookRequest& request) override;

 private:
  WebhookHttpOptions options_;
};

// A Deliver function for OutboxSender on channel "webhook". Removed or disabled endpoints and
// URLs the rules now refuse give up at once (kInvalidInput); other failures retry.
std::function<Status(const OutboxItem&)> WebhookDeliverer(
    WebhookTargets& targets, WebhookTransport& transport, HostResolver resolve,
    std::function<std::chrono::system_clock::time_point()> clock);

}  // namespace edgechat::worker
