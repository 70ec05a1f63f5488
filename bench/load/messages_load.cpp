// Load for bench/messages: N concurrent senders for a fixed duration, each its own guest, either
// through the HTTP API (`http` mode: every request must answer 2xx, anything else is an error) or
// as raw prepared INSERTs into the same `messages` table from a pool of MySQL connections
// (`mysql` mode: the floor, autocommit). Prints one line of key=value figures.
//
//   edgechat-bench-messages http  --target tcp:127.0.0.1:PORT --site-key KEY
//                                 [--concurrency 32] [--seconds 10] [--run-id ID]
//   edgechat-bench-messages mysql --socket PATH --user U --password P --db NAME
//                                 --conversations ID,ID,... [--concurrency 32] [--seconds 10]
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "load_common.hpp"

namespace edgechat::bench {
namespace {

struct SenderResult {
  std::vector<std::int64_t> latencies_ns;
  long errors = 0;
  std::map<int, long> statuses;  // non-2xx statuses seen
  std::string first_error;
};

struct Totals {
  std::vector<std::int64_t> latencies_ns;
  long errors = 0;
  std::map<int, long> statuses;
  std::string first_error;

  void Add(SenderResult& r) {
    latencies_ns.insert(latencies_ns.end(), r.latencies_ns.begin(), r.latencies_ns.end());
    errors += r.errors;
    for (auto [status, count] : r.statuses) statuses[status] += count;
    if (first_error.empty()) first_error = r.first_error;
  }
};

void PrintTotals(const char* mode, Totals& totals, double seconds, long concurrency) {
  const auto ok = static_cast<long>(totals.latencies_ns.size());
  std::printf(
      "mode=%s concurrency=%ld seconds=%.2f ok=%ld errors=%ld rate=%.1f p50_ms=%.3f "
      "p99_ms=%.3f max_ms=%.3f",
      mode, concurrency, seconds, ok, totals.errors, static_cast<double>(ok) / seconds,
      static_cast<double>(Percentile(totals.latencies_ns, 50)) / 1e6,
      static_cast<double>(Percentile(totals.latencies_ns, 99)) / 1e6,
      static_cast<double>(Percentile(totals.latencies_ns, 100)) / 1e6);
  for (auto [status, count] : totals.statuses) std::printf(" status_%d=%ld", status, count);
  std::printf("\n");
  if (!totals.first_error.empty())
    std::fprintf(stderr, "first error: %s\n", totals.first_error.c_str());
}

// Lets the senders run for `seconds` from `start`, stops and joins them, and prints their totals.
void RunFor(const char* mode, long seconds, std::int64_t start, long concurrency,
            std::atomic<bool>& stop, std::vector<std::thread>& threads,
            std::vector<SenderResult>& results) {
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = static_cast<double>(MonotonicNanos() - start) / 1e9;
  Totals totals;
  for (auto& r : results) totals.Add(r);
  PrintTotals(mode, totals, elapsed, concurrency);
}

// One keep-alive connection; reconnects after a close. Returns the status or 0 on a transport
// error.
class HttpSender {
 public:
  explicit HttpSender(std::string target) : target_(std::move(target)) {}
  ~HttpSender() { Reset(); }

  std::optional<HttpResponse> Exchange(const std::string& request, std::string& error) {
    if (fd_ < 0) {
      fd_ = ConnectTo(target_);
      if (fd_ < 0) {
        error = std::string("connect: ") + std::strerror(errno);
        return std::nullopt;
      }
      carry_.clear();
    }
    if (!WriteAll(fd_, request)) {
      error = "write failed";
      Reset();
      return std::nullopt;
    }
    auto response = ReadResponse(fd_, carry_);
    if (!response) {
      error = "connection closed before a full response";
      Reset();
      return std::nullopt;
    }
    if (!response->keep_alive) Reset();
    return response;
  }

 private:
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  std::string target_;
  int fd_ = -1;
  std::string carry_;
};

std::string JsonField(const std::string& body, const std::string& name) {
  auto key = "\"" + name + "\"";
  auto at = body.find(key);
  if (at == std::string::npos) return "";
  auto open = body.find('"', body.find(':', at + key.size()) + 1);
  auto close_quote = body.find('"', open + 1);
  if (open == std::string::npos || close_quote == std::string::npos) return "";
  return body.substr(open + 1, close_quote - open - 1);
}

int RunHttp(const Flags& flags) {
  const std::string target = flags.Get("target");
  const std::string site_key = flags.Get("site-key");
  const long concurrency = flags.GetInt("concurrency", 32);
  const long seconds = flags.GetInt("seconds", 10);
  const std::string run_id = flags.Get("run-id", std::to_string(getpid()));
  if (!IsLoopbackTarget(target) || site_key.empty()) {
    std::cerr << "http mode needs --target (loopback) and --site-key\n";
    return 2;
  }
  const std::vector<std::string> site_header = {"Site-Key: " + site_key};

  // Each sender: its own guest, then one message to create its conversation (not timed).
  std::vector<std::string> tokens(static_cast<std::size_t>(concurrency));
  for (long i = 0; i < concurrency; ++i) {
    HttpSender sender(target);
    std::string error;
    auto guest =
        sender.Exchange(BuildRequest("POST", "/api/v1/external/guests", site_header, ""), error);
    if (!guest || guest->status != 201) {
      std::cerr << "creating guest " << i << " failed: "
                << (guest ? std::to_string(guest->status) + " " + guest->body : error) << "\n";
      return 1;
    }
    tokens[static_cast<std::size_t>(i)] = JsonField(guest->body, "token");
    auto warm = sender.Exchange(
        BuildRequest(
            "POST", "/api/v1/external/messages",
            {site_header[0], "Authorization: Bearer " + tokens[static_cast<std::size_t>(i)]},
            R"({"text":"warm-up","clientId":"w-)" + run_id + "-" + std::to_string(i) + "\"}"),
        error);
    if (!warm || warm->status / 100 != 2) {
      std::cerr << "warm-up message " << i
                << " failed: " << (warm ? std::to_string(warm->status) + " " + warm->body : error)
                << "\n";
      return 1;
    }
  }

  std::atomic<bool> stop{false};
  std::vector<SenderResult> results(static_cast<std::size_t>(concurrency));
  std::vector<std::thread> threads;
  const std::int64_t start = MonotonicNanos();
  for (long i = 0; i < concurrency; ++i) {
    threads.emplace_back([&, i] {
      auto& result = results[static_cast<std::size_t>(i)];
      HttpSender sender(target);
      const std::vector<std::string> headers = {
          site_header[0], "Authorization: Bearer " + tokens[static_cast<std::size_t>(i)]};
      for (long n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        std::string id = run_id + "-" + std::to_string(i) + "-" + std::to_string(n);
        std::string body = R"({"text":"bench message )" + id + R"(","clientId":"b-)" + id + "\"}";
        std::string request = BuildRequest("POST", "/api/v1/external/messages", headers, body);
        std::string error;
        const std::int64_t t0 = MonotonicNanos();
        auto response = sender.Exchange(request, error);
        const std::int64_t t1 = MonotonicNanos();
        if (response && response->status == 201) {
          result.latencies_ns.push_back(t1 - t0);
        } else {
          ++result.errors;
          if (response) {
            ++result.statuses[response->status];
            if (result.first_error.empty()) {
              result.first_error = std::to_string(response->status) + " " + response->body;
            }
          } else {
            if (result.first_error.empty()) result.first_error = error;
            usleep(1000);  // a refused connection must not spin
          }
        }
      }
    });
  }
  RunFor("http", seconds, start, concurrency, stop, threads, results);
  return 0;
}

int RunMysql(const Flags& flags) {
  const long concurrency = flags.GetInt("concurrency", 32);
  const long seconds = flags.GetInt("seconds", 10);
  const std::string run_id = flags.Get("run-id", std::to_string(getpid()));
  std::vector<std::string> conversations;
  {
    std::stringstream list(flags.Get("conversations"));
    for (std::string id; std::getline(list, id, ',');) {
      if (!id.empty()) conversations.push_back(id);
    }
  }
  if (conversations.empty()) {
    std::cerr << "mysql mode needs --conversations ID,ID,...\n";
    return 2;
  }
  sql::ConnectOptionsMap options;
  options["socket"] = sql::SQLString(flags.Get("socket"));
  options["userName"] = sql::SQLString(flags.Get("user"));
  options["password"] = sql::SQLString(flags.Get("password"));
  options["schema"] = sql::SQLString(flags.Get("db"));
  options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  options["hostName"] = sql::SQLString("localhost");

  sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
  std::mutex connect_mu;  // the driver's connect path is not documented as thread-safe
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<SenderResult> results(static_cast<std::size_t>(concurrency));
  std::vector<std::thread> threads;
  for (long i = 0; i < concurrency; ++i) {
    threads.emplace_back([&, i] {
      auto& result = results[static_cast<std::size_t>(i)];
      std::unique_ptr<sql::Connection> connection;
      std::unique_ptr<sql::PreparedStatement> insert;
      try {
        std::lock_guard lock(connect_mu);
        connection.reset(driver->connect(options));
        connection->setAutoCommit(true);
        insert.reset(
            connection->prepareStatement("INSERT INTO messages (conversation_id, author, body, "
                                         "client_id) VALUES (?, 'guest', ?, ?)"));
      } catch (const sql::SQLException& e) {
        result.first_error = e.what();
        ++result.errors;
        ++ready;
        return;
      }
      ++ready;
      while (!go.load()) std::this_thread::yield();
      const std::string conversation =
          conversations[static_cast<std::size_t>(i) % conversations.size()];
      for (long n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        std::string id = run_id + "-" + std::to_string(i) + "-" + std::to_string(n);
        const std::int64_t t0 = MonotonicNanos();
        try {
          insert->setUInt64(1, std::stoull(conversation));
          insert->setString(2, "bench message " + id);
          insert->setString(3, "f-" + id);
          insert->executeUpdate();
          result.latencies_ns.push_back(MonotonicNanos() - t0);
        } catch (const sql::SQLException& e) {
          ++result.errors;
          if (result.first_error.empty()) result.first_error = e.what();
        }
      }
    });
  }
  while (ready.load() < concurrency) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::int64_t start = MonotonicNanos();
  go = true;
  RunFor("mysql", seconds, start, concurrency, stop, threads, results);
  return 0;
}

}  // namespace
}  // namespace edgechat::bench

int main(int argc, char** argv) {
  edgechat::bench::Flags flags(argc, argv);
  const auto& mode = flags.positional();
  if (mode.size() == 1 && mode[0] == "http") return edgechat::bench::RunHttp(flags);
  if (mode.size() == 1 && mode[0] == "mysql") return edgechat::bench::RunMysql(flags);
  std::cerr << "usage: edgechat-bench-messages http|mysql [--flag value]... (see the source)\n";
  return 2;
}
