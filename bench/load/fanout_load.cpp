// Load for bench/fanout: opens N server-sent-event streams from one epoll thread, measures the
// memory the server process gains per idle stream, then publishes a burst of events (each carrying
// the moment it was written) and measures when each arrives at each stream. The same program drives
// the edgechat worker and Nchan, so both are measured by the same client on the same cores.
//
//   edgechat-bench-fanout --stream-target unix:PATH|tcp:127.0.0.1:PORT --stream-path PATH
//       [--stream-header "Name: value"]... [--streams 10000] [--rss-pid PID]
//       --publish-target T --publish-path PATH [--publish-header H]... --publish-body TEMPLATE
//       [--events 20] [--publish-interval-ms 0] [--open-timeout 180] [--drain-timeout 30]
//
// TEMPLATE contains {MARK}, replaced by "bench-ts=<ns>;seq=<k>"; a stream recognizes an event by
// that mark in a data: line. Prints one line of key=value figures.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fcntl.h>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>

#include "load_common.hpp"

namespace edgechat::bench {
namespace {

long ReadRssKb(long pid) {
  if (pid <= 0) return 0;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// CPU time (user + system) the process has used, in milliseconds; 0 when unknown.
long ReadCpuMs(long pid) {
  if (pid <= 0) return 0;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto paren = text.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state; utime is 14, stime 15
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return (utime + stime) * 1000 / sysconf(_SC_CLK_TCK);
}

// One event stream: HTTP response headers, then an optionally chunked body of SSE lines.
struct Stream {
  int fd = -1;
  enum class Phase : std::uint8_t { kHeaders, kBody, kClosed } phase = Phase::kHeaders;
  bool chunked = false;
  enum class Chunk : std::uint8_t { kSize, kData, kDataEnd } chunk = Chunk::kSize;
  std::size_t chunk_left = 0;
  std::string pending;  // undecoded bytes (headers, chunk-size lines)
  std::string line;     // the SSE line being assembled
  std::vector<bool> seen;
};

struct Figures {
  long received = 0;
  long duplicates = 0;
  long unexpected_closes = 0;
  std::vector<std::int64_t> latencies_ns;
};

class FanoutRun {
 public:
  FanoutRun(const Flags& flags) : flags_(flags) {}

  int Run();

 private:
  bool OpenOne(std::size_t index);
  void OnReadable(std::size_t index);
  void Feed(Stream& s, const char* data, std::size_t size);
  void FeedBody(Stream& s, const char* data, std::size_t size);
  void OnLine(Stream& s, std::string_view line);
  void CloseStream(Stream& s, bool unexpected);
  void Publish();
  void Poll(int timeout_ms);

  const Flags& flags_;
  std::vector<Stream> streams_;
  int epoll_ = -1;
  long events_ = 20;
  long open_ = 0;
  long headers_pending_ = 0;
  long open_failures_ = 0;
  std::string first_open_error_;
  Figures figures_;
  long complete_streams_ = 0;

  std::atomic<long> published_{0};
  std::atomic<long> publish_errors_{0};
  std::atomic<bool> publishing_done_{false};
  std::mutex publish_mu_;
  std::string first_publish_error_;
};

bool FanoutRun::OpenOne(std::size_t index) {
  Stream& s = streams_[index];
  s.fd = ConnectTo(flags_.Get("stream-target"));
  if (s.fd < 0) {
    if (first_open_error_.empty())
      first_open_error_ = std::string("connect: ") + std::strerror(errno);
    ++open_failures_;
    s.phase = Stream::Phase::kClosed;
    return false;
  }
  std::vector<std::string> headers = flags_.All("stream-header");
  headers.push_back("Accept: text/event-stream");
  if (!WriteAll(s.fd, BuildRequest("GET", flags_.Get("stream-path"), headers, ""))) {
    if (first_open_error_.empty()) first_open_error_ = "write of the stream request failed";
    ++open_failures_;
    close(s.fd);
    s.fd = -1;
    s.phase = Stream::Phase::kClosed;
    return false;
  }
  fcntl(s.fd, F_SETFL, fcntl(s.fd, F_GETFL) | O_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = index;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, s.fd, &ev);
  s.seen.assign(static_cast<std::size_t>(events_), false);
  ++headers_pending_;
  return true;
}

void FanoutRun::CloseStream(Stream& s, bool unexpected) {
  if (s.phase == Stream::Phase::kClosed) return;
  if (s.phase == Stream::Phase::kHeaders) {
    --headers_pending_;
    ++open_failures_;
    if (first_open_error_.empty()) first_open_error_ = "closed before the response headers";
  } else {
    --open_;
    if (unexpected) ++figures_.unexpected_closes;
  }
  s.phase = Stream::Phase::kClosed;
  close(s.fd);
  s.fd = -1;
}

void FanoutRun::OnReadable(std::size_t index) {
  Stream& s = streams_[index];
  char buf[8192];
  for (;;) {
    ssize_t n = recv(s.fd, buf, sizeof(buf), 0);
    if (n > 0) {
      Feed(s, buf, static_cast<std::size_t>(n));
      if (s.phase == Stream::Phase::kClosed) return;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    CloseStream(s, true);
    return;
  }
}

void FanoutRun::Feed(Stream& s, const char* data, std::size_t size) {
  if (s.phase == Stream::Phase::kHeaders) {
    s.pending.append(data, size);
    auto end = s.pending.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::string head = s.pending.substr(0, end);
    std::string rest = s.pending.substr(end + 4);
    s.pending.clear();
    --headers_pending_;
    if (head.rfind("HTTP/1.1 200", 0) != 0) {
      ++open_failures_;
      if (first_open_error_.empty()) first_open_error_ = head.substr(0, head.find("\r\n"));
      s.phase = Stream::Phase::kClosed;
      close(s.fd);
      s.fd = -1;
      return;
    }
    for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    s.chunked = head.find("transfer-encoding: chunked") != std::string::npos;
    s.phase = Stream::Phase::kBody;
    ++open_;
    if (!rest.empty()) FeedBody(s, rest.data(), rest.size());
    return;
  }
  FeedBody(s, data, size);
}

void FanoutRun::FeedBody(Stream& s, const char* data, std::size_t size) {
  auto take_sse = [&](const char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (p[i] == '\n') {
        std::string_view line(s.line);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        OnLine(s, line);
        s.line.clear();
      } else {
        s.line.push_back(p[i]);
      }
    }
  };
  if (!s.chunked) {
    take_sse(data, size);
    return;
  }
  std::size_t i = 0;
  while (i < size) {
    switch (s.chunk) {
      case Stream::Chunk::kSize: {
        const char c = data[i++];
        if (c == '\n') {
          s.chunk_left = std::strtoul(s.pending.c_str(), nullptr, 16);
          s.pending.clear();
          if (s.chunk_left == 0) {  // the server ended the stream
            CloseStream(s, true);
            return;
          }
          s.chunk = Stream::Chunk::kData;
        } else if (c != '\r') {
          s.pending.push_back(c);
        }
        break;
      }
      case Stream::Chunk::kData: {
        const std::size_t n = std::min(s.chunk_left, size - i);
        take_sse(data + i, n);
        i += n;
        s.chunk_left -= n;
        if (s.chunk_left == 0) s.chunk = Stream::Chunk::kDataEnd;
        break;
      }
      case Stream::Chunk::kDataEnd:
        if (data[i++] == '\n') s.chunk = Stream::Chunk::kSize;
        break;
    }
  }
}

void FanoutRun::OnLine(Stream& s, std::string_view line) {
  if (line.rfind("data:", 0) != 0) return;
  auto mark = line.find("bench-ts=");
  if (mark == std::string_view::npos) return;
  const std::int64_t now = MonotonicNanos();
  const char* p = line.data() + mark + 9;
  char* end = nullptr;
  const long long ts = std::strtoll(p, &end, 10);
  auto seq_at = line.find(";seq=", mark);
  if (seq_at == std::string_view::npos) return;
  const long seq = std::strtol(line.data() + seq_at + 5, nullptr, 10);
  if (seq < 0 || seq >= events_) return;
  if (s.seen[static_cast<std::size_t>(seq)]) {
    ++figures_.duplicates;
    return;
  }
  s.seen[static_cast<std::size_t>(seq)] = true;
  ++figures_.received;
  figures_.latencies_ns.push_back(now - ts);
  bool all = true;
  for (bool b : s.seen) all = all && b;
  if (all) ++complete_streams_;
}

void FanoutRun::Poll(int timeout_ms) {
  epoll_event ready[512];
  int n = epoll_wait(epoll_, ready, 512, timeout_ms);
  for (int i = 0; i < n; ++i) OnReadable(static_cast<std::size_t>(ready[i].data.u64));
}

void FanoutRun::Publish() {
  const std::string target = flags_.Get("publish-target");
  const std::string path = flags_.Get("publish-path");
  const auto headers = flags_.All("publish-header");
  const std::string body_template = flags_.Get("publish-body");
  const long interval_ms = flags_.GetInt("publish-interval-ms", 0);
  int fd = -1;
  std::string carry;
  for (long k = 0; k < events_; ++k) {
    if (fd < 0) {
      fd = ConnectTo(target);
      carry.clear();
    }
    std::string body = body_template;
    const std::string mark =
        "bench-ts=" + std::to_string(MonotonicNanos()) + ";seq=" + std::to_string(k);
    auto at = body.find("{MARK}");
    if (at != std::string::npos) body.replace(at, 6, mark);
    std::optional<HttpResponse> response;
    if (fd >= 0 && WriteAll(fd, BuildRequest("POST", path, headers, body))) {
      response = ReadResponse(fd, carry);
    }
    if (!response || response->status / 100 != 2) {
      ++publish_errors_;
      std::lock_guard lock(publish_mu_);
      if (first_publish_error_.empty()) {
        first_publish_error_ =
            response ? std::to_string(response->status) + " " + response->body : "transport error";
      }
    } else {
      ++published_;
    }
    if (!response || !response->keep_alive) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
    if (interval_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
  if (fd >= 0) close(fd);
  publishing_done_ = true;
}

int FanoutRun::Run() {
  const long count = flags_.GetInt("streams", 10000);
  events_ = flags_.GetInt("events", 20);
  const long open_timeout = flags_.GetInt("open-timeout", 180);
  const long drain_timeout = flags_.GetInt("drain-timeout", 30);
  const long max_pending = flags_.GetInt("max-pending", 200);
  const long rss_pid = flags_.GetInt("rss-pid", 0);
  if (!IsLoopbackTarget(flags_.Get("stream-target")) ||
      !IsLoopbackTarget(flags_.Get("publish-target")) || events_ < 1 || count < 1) {
    std::cerr << "needs loopback --stream-target and --publish-target, --events >= 1\n";
    return 2;
  }
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  streams_.resize(static_cast<std::size_t>(count));

  const long rss_before = ReadRssKb(rss_pid);
  const long cpu_before_open = ReadCpuMs(rss_pid);
  const std::int64_t open_start = MonotonicNanos();
  const std::int64_t open_deadline = open_start + open_timeout * 1'000'000'000LL;
  std::size_t next = 0;
  while ((next < streams_.size() || headers_pending_ > 0) && MonotonicNanos() < open_deadline) {
    while (next < streams_.size() && headers_pending_ < max_pending) OpenOne(next++);
    Poll(10);
  }
  const double open_seconds = static_cast<double>(MonotonicNanos() - open_start) / 1e9;
  // Let the server settle (first reads, allocations) before weighing it.
  const std::int64_t settle_end = MonotonicNanos() + flags_.GetInt("settle-ms", 3000) * 1'000'000LL;
  while (MonotonicNanos() < settle_end) Poll(50);
  const long open_idle = open_;
  const long rss_after = ReadRssKb(rss_pid);
  const long cpu_before_burst = ReadCpuMs(rss_pid);

  const std::int64_t publish_start = MonotonicNanos();
  std::thread publisher([this] { Publish(); });
  std::int64_t drain_deadline = 0;
  for (;;) {
    Poll(20);
    if (publishing_done_ && drain_deadline == 0) {
      drain_deadline = MonotonicNanos() + drain_timeout * 1'000'000'000LL;
    }
    if (publishing_done_ && complete_streams_ >= open_) break;  // every open stream has all
    if (drain_deadline != 0 && MonotonicNanos() > drain_deadline) break;
  }
  publisher.join();
  const long cpu_after_burst = ReadCpuMs(rss_pid);
  const double deliver_seconds = static_cast<double>(MonotonicNanos() - publish_start) / 1e9;

  const long per_stream_bytes = open_idle > 0 ? (rss_after - rss_before) * 1024 / open_idle : 0;
  const long expected = open_idle * events_;
  std::printf(
      "streams=%ld open=%ld open_failures=%ld open_seconds=%.2f rss_before_kb=%ld "
      "rss_after_kb=%ld rss_per_stream_bytes=%ld events=%ld published=%ld publish_errors=%ld "
      "expected=%ld received=%ld duplicates=%ld complete_streams=%ld closed_during=%ld "
      "deliver_seconds=%.2f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f server_cpu_open_ms=%ld "
      "server_cpu_burst_ms=%ld\n",
      count, open_idle, open_failures_, open_seconds, rss_before, rss_after, per_stream_bytes,
      events_, published_.load(), publish_errors_.load(), expected, figures_.received,
      figures_.duplicates, complete_streams_, figures_.unexpected_closes, deliver_seconds,
      static_cast<double>(Percentile(figures_.latencies_ns, 50)) / 1e6,
      static_cast<double>(Percentile(figures_.latencies_ns, 99)) / 1e6,
      static_cast<double>(Percentile(figures_.latencies_ns, 100)) / 1e6,
      cpu_before_burst - cpu_before_open, cpu_after_burst - cpu_before_burst);
  if (!first_open_error_.empty())
    std::fprintf(stderr, "first open error: %s\n", first_open_error_.c_str());
  if (!first_publish_error_.empty()) {
    std::fprintf(stderr, "first publish error: %s\n", first_publish_error_.c_str());
  }
  for (auto& s : streams_) {
    if (s.fd >= 0) close(s.fd);
  }
  close(epoll_);
  return 0;
}

}  // namespace
}  // namespace edgechat::bench

int main(int argc, char** argv) {
  edgechat::bench::Flags flags(argc, argv);
  edgechat::bench::FanoutRun run(flags);
  return run.Run();
}
