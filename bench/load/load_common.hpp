// Small pieces shared by the benchmark load generators: flags, clocks, percentiles, sockets and a
// minimal HTTP/1.1 response reader. Plain POSIX sockets on purpose: a benchmark client should cost
// little CPU and be easy to reason about, and it must see every status code.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgechat::bench {

// --name value flags; repeated flags keep every value in order.
class Flags {
 public:
  Flags(int argc, char** argv);
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  long GetInt(const std::string& name, long fallback) const;
  std::vector<std::string> All(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

std::int64_t MonotonicNanos();

// Nearest-rank percentile (p in 0..100) of unsorted samples; sorts in place. 0 when empty.
std::int64_t Percentile(std::vector<std::int64_t>& samples, double p);

// "unix:/path" or "tcp:127.0.0.1:PORT" (loopback only). Returns a connected blocking socket or -1
// with errno set.
int ConnectTo(const std::string& target);
bool IsLoopbackTarget(const std::string& target);

// Reads one HTTP/1.1 response (Content-Length or chunked body) from a blocking socket.
struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool keep_alive = true;
};
std::optional<HttpResponse> ReadResponse(int fd, std::string& carry);

bool WriteAll(int fd, std::string_view data);

// An HTTP/1.1 request with the given extra header lines ("Name: value").
std::string BuildRequest(std::string_view method, std::string_view path,
                         const std::vector<std::string>& headers, std::string_view body);

}  // namespace edgechat::bench
