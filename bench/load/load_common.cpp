#include "load_common.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

namespace edgechat::bench {

Flags::Flags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) == 0 && i + 1 < argc) {
      values_.emplace(arg.substr(2), argv[++i]);
    } else {
      positional_.push_back(arg);
    }
  }
}

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

long Flags::GetInt(const std::string& name, long fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : std::stol(it->second);
}

std::vector<std::string> Flags::All(const std::string& name) const {
  std::vector<std::string> out;
  auto [first, last] = values_.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

std::int64_t MonotonicNanos() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::int64_t Percentile(std::vector<std::int64_t>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  rank = std::clamp<std::size_t>(rank, 1, samples.size());
  return samples[rank - 1];
}

bool IsLoopbackTarget(const std::string& target) {
  return target.rfind("unix:", 0) == 0 || target.rfind("tcp:127.", 0) == 0;
}

namespace {

// Connects `fd`; on failure closes it and returns -1 with connect's errno kept.
int ConnectOrClose(int fd, const sockaddr* addr, socklen_t length) {
  if (connect(fd, addr, length) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

}  // namespace

int ConnectTo(const std::string& target) {
  if (target.rfind("unix:", 0) == 0) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = target.substr(5);
    if (path.size() >= sizeof(addr.sun_path)) {
      errno = ENAMETOOLONG;
      return -1;
    }
    std::memcpy(addr.sun_path, path.data(), path.size());
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    return ConnectOrClose(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  }
  if (target.rfind("tcp:127.", 0) == 0) {
    std::string rest = target.substr(4);
    auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
      errno = EINVAL;
      return -1;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1))));
    if (inet_pton(AF_INET, rest.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
      errno = EINVAL;
      return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return ConnectOrClose(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  }
  errno = EINVAL;  // only loopback targets
  return -1;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

namespace {

// Appends more bytes from fd to carry; false on EOF or error.
bool ReadMore(int fd, std::string& carry) {
  char buf[16384];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    carry.append(buf, static_cast<std::size_t>(n));
    return true;
  }
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<HttpResponse> ReadResponse(int fd, std::string& carry) {
  std::size_t end;
  while ((end = carry.find("\r\n\r\n")) == std::string::npos) {
    if (!ReadMore(fd, carry)) return std::nullopt;
  }
  HttpResponse response;
  std::string head = carry.substr(0, end);
  carry.erase(0, end + 4);
  std::size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.rfind("HTTP/1.", 0) != 0) return std::nullopt;
  response.status = std::atoi(status_line.c_str() + 9);
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t next = head.find("\r\n", pos);
    if (next == std::string::npos) next = head.size();
    std::string line = head.substr(pos, next - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      response.headers[Lower(line.substr(0, colon))] = value;
    }
    pos = next + 2;
  }
  if (auto it = response.headers.find("connection");
      it != response.headers.end() && Lower(it->second) == "close") {
    response.keep_alive = false;
  }
  if (auto it = response.headers.find("transfer-encoding");
      it != response.headers.end() && Lower(it->second).find("chunked") != std::string::npos) {
    for (;;) {
      std::size_t size_end;
      while ((size_end = carry.find("\r\n")) == std::string::npos) {
        if (!ReadMore(fd, carry)) return std::nullopt;
      }
      std::size_t size = std::stoul(carry.substr(0, size_end), nullptr, 16);
      carry.erase(0, size_end + 2);
      while (carry.size() < size + 2) {
        if (!ReadMore(fd, carry)) return std::nullopt;
      }
      response.body.append(carry, 0, size);
      carry.erase(0, size + 2);
      if (size == 0) break;  // no trailers expected
    }
    return response;
  }
  std::size_t length = 0;
  if (auto it = response.headers.find("content-length"); it != response.headers.end()) {
    length = std::stoul(it->second);
  }
  while (carry.size() < length) {
    if (!ReadMore(fd, carry)) return std::nullopt;
  }
  response.body = carry.substr(0, length);
  carry.erase(0, length);
  return response;
}

std::string BuildRequest(std::string_view method, std::string_view path,
                         const std::vector<std::string>& headers, std::string_view body) {
  std::string out;
  out.reserve(256 + body.size());
  out.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: bench\r\n");
  for (const auto& h : headers) out.append(h).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    out.append("Content-Type: application/json\r\nContent-Length: ")
        .append(std::to_string(body.size()))
        .append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

}  // namespace edgechat::bench
