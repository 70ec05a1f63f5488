// HTTP requests and responses as plain data, so handlers and their tests never see Beast.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shared/result.hpp"

namespace edgechat::worker {

class StreamSource;  // http/stream.hpp: a body written piece by piece (server-sent events)

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // path plus query, as received
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string Path() const { return target.substr(0, target.find('?')); }
  std::optional<std::string> Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
  // The value of query parameter `name` (no percent-decoding: our parameters are plain tokens).
  std::optional<std::string> Query(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the server sends the headers, then writes what the source yields until it ends.
  std::shared_ptr<StreamSource> stream;
};

HttpResponse JsonResponse(int status, std::string body);
// Percent-decodes a query value ("+" is a space).
std::string DecodeQueryValue(const std::string& value);
// {"error": code, "message": message} with `status`.
HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message);

// The worker's one mapping from an error's kind to an HTTP status: invalid input 400,
// unauthorized 401, forbidden 403, not found 404, conflict 409, limited 429, unavailable 503,
// internal 500.
int HttpStatusFor(ErrorKind kind);
// The response for an Error: HttpStatusFor its kind, with its code and message. An unavailable
// dependency and an internal failure are ours, not the caller's: their detail goes to the log and
// the caller sees 503 "unavailable" (with Retry-After) or 500 "internal".
HttpResponse ErrorResponseFor(const Error& error);

}  // namespace edgechat::worker
