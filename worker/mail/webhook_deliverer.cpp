#include "mail/webhook_deliverer.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

#include "common/webhook_signature.hpp"
#include "mail/curl_handle.hpp"
#include "shared/webhook_url.hpp"

namespace edgechat::worker {

namespace {

// The canonical text of an address (inet_ntop of its bytes); "" when it is not one.
std::string CanonicalAddress(const std::string& text) {
  char out[INET6_ADDRSTRLEN] = {0};
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    inet_ntop(AF_INET, &v4, out, sizeof out);
  } else if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    inet_ntop(AF_INET6, &v6, out, sizeof out);
  }
  return out;
}

std::string AddressOf(const sockaddr* sa) {
  char out[INET6_ADDRSTRLEN] = {0};
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, out, sizeof out);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, out, sizeof out);
  }
  return out;
}

// The opensocket check: curl may open a socket to the pinned address only.
struct SocketGuard {
  std::string allowed;  // canonical
  bool refused = false;
};

curl_socket_t OpenCheckedSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* guard = static_cast<SocketGuard*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN ||
      AddressOf(reinterpret_cast<const sockaddr*>(&address->addr)) != guard->allowed) {
    guard->refused = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

std::size_t DiscardBody(char*, std::size_t size, std::size_t count, void* user) {
  // At most 64 KiB of an answer is read; the body itself is never used.
  auto* seen = static_cast<std::size_t*>(user);
  *seen += size * count;
  return *seen > 65536 ? 0 : size * count;
}

}  // namespace

HostResolver SystemResolver() {
  return [](const std::string& host) -> Result<std::vector<std::string>> {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
    if (rc != 0) {
      return Error{ErrorKind::kUnavailable, "resolve_failed",
                   "cannot resolve " + host + ": " + gai_strerror(rc)};
    }
    std::vector<std::string> out;
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
      std::string text = AddressOf(a->ai_addr);
      if (!text.empty() && std::find(out.begin(), out.end(), text) == out.end())
        out.push_back(text);
    }
    ::freeaddrinfo(found);
    if (out.empty()) {
      return Error{ErrorKind::kUnavailable, "resolve_failed", host + " has no address"};
    }
    return out;
  };
}

Result<std::string> PickWebhookAddress(const std::string& host,
                                       const std::vector<std::string>& addresses,
                                       bool allow_private) {
  std::string refused;
  for (const auto& a : addresses) {
    auto cls = shared::ClassifyAddressText(a);
    if (!cls) continue;
    if (shared::AddressAllowed(*cls, allow_private)) return CanonicalAddress(a);
    if (refused.empty()) {
      refused = a + " (" + std::string(shared::AddressClassName(*cls)) + ")";
    }
  }
  return Error{ErrorKind::kUnavailable, "address_refused",
               "refused: " + host + " resolves to " +
                   (refused.empty() ? std::string("no usable address") : refused) +
                   (allow_private ? "" : "; private addresses are not allowed for this endpoint")};
}

WebhookResponse CurlWebhookTransport::Post(const WebhookRequest& request) {
  CurlHandle curl(curl_easy_init());
  if (!curl) return WebhookResponse{std::nullopt, "curl_easy_init failed"};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  // Pinned: the name resolves to the address that was checked, and only that one is dialled.
  std::string address = CanonicalAddress(request.address);
  std::string pin = request.host + ":" + std::to_string(request.port) + ":" +
                    (address.find(':') != std::string::npos ? "[" + address + "]" : address);
  CurlList resolve(curl_slist_append(nullptr, pin.c_str()));
  if (!resolve) return WebhookResponse{std::nullopt, "out of memory"};
  curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
  SocketGuard guard{address};
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenCheckedSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
  curl_slist* raw = nullptr;
  for (const auto& [name, value] : request.headers) {
    curl_slist* next = curl_slist_append(raw, (name + ": " + value).c_str());
    if (next == nullptr) {
      curl_slist_free_all(raw);
      return WebhookResponse{std::nullopt, "out of memory"};
    }
    raw = next;
  }
  curl_slist* with_expect = curl_slist_append(raw, "Expect:");  // no 100-continue round trip
  if (with_expect == nullptr) {
    curl_slist_free_all(raw);
    return WebhookResponse{std::nullopt, "out of memory"};
  }
  CurlList headers(with_expect);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  std::size_t seen = 0;
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, DiscardBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &seen);
  char detail[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (code != 0 && (rc == CURLE_OK || rc == CURLE_WRITE_ERROR)) {
    return WebhookResponse{static_cast<int>(code), ""};
  }
  if (guard.refused) {
    return WebhookResponse{std::nullopt,
                           "refused: a connection to an address other than the "
                           "checked " +
                               address + " was attempted"};
  }
  std::string message = curl_easy_strerror(rc);
  if (detail[0] != '\0') message += " (" + std::string(detail) + ")";
  return WebhookResponse{std::nullopt, message};
}

std::function<Status(const OutboxItem&)> WebhookDeliverer(
    WebhookTargets& targets, WebhookTransport& transport, HostResolver resolve,
    std::function<std::chrono::system_clock::time_point()> clock) {
  return [&targets, &transport, resolve = std::move(resolve),
          clock = std::move(clock)](const OutboxItem& item) -> Status {
    auto give_up = [&](const std::string& why) -> Error {
      return Error{ErrorKind::kInvalidInput, "webhook_given_up", why};
    };
    EC_TRY(found, targets.Find(item.id));
    if (!found) return give_up("the endpoint was removed");
    const WebhookTarget& target = *found;
    if (!target.enabled) return give_up("the endpoint is disabled");
    auto url = shared::ParseWebhookUrl(target.url, target.allow_private);
    if (!url) return give_up(url.error().message);
    std::vector<std::string> addresses;
    if (url->host_is_ip) {
      addresses.push_back(url->host);
    } else {
      EC_TRY_ASSIGN(addresses, resolve(url->host));
    }
    auto address = PickWebhookAddress(url->host, addresses, target.allow_private);
    if (!address) {
      (void)targets.RecordAttempt(item.id, std::nullopt);
      return address.error();
    }
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(clock().time_since_epoch()).count();
    WebhookRequest request;
    request.url = target.url;
    request.host = url->host;
    request.port = url->port;
    request.address = *address;
    request.body = item.payload;
    request.headers = {
        {"Content-Type", "application/json"},
        {"User-Agent", "edgechat-webhook/1"},
        {"Edgechat-Delivery", target.delivery_id},
        {"Edgechat-Event", target.event_type},
        {"Edgechat-Signature", WebhookSignatureHeader(target.secret, now, item.payload)}};
    WebhookResponse response = transport.Post(request);
    (void)targets.RecordAttempt(item.id, response.status);
    if (response.status && *response.status >= 200 && *response.status < 300) return Ok{};
    std::string why;
    if (!response.status) {
      why = response.error;
    } else if (*response.status >= 300 && *response.status < 400) {
      why = "HTTP " + std::to_string(*response.status) + " (redirects are not followed)";
    } else {
      why = "HTTP " + std::to_string(*response.status);
    }
    return Error{ErrorKind::kUnavailable, "webhook_failed", why};
  };
}

}  // namespace edgechat::worker
