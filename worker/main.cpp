// edgechat-worker: the HTTP worker behind the edge.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <utility>  // before asio headers that include awaitable.hpp

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include "api/external_api.hpp"
#include "app/metrics.hpp"
#include "app/router.hpp"
#include "config/config.hpp"
#include "http/server.hpp"
#include "log/log.hpp"
#include "registry/registry.hpp"
#include "store/mysql_chat_store.hpp"
#include "store/pool.hpp"

namespace {

constexpr const char* kUsage =
    "usage: edgechat-worker [--config FILE]\n"
    "\n"
    "Serves the edgechat external API behind the edge. The config file (or $EDGECHAT_CONFIG)\n"
    "holds `key = value` lines; every key can be overridden by EDGECHAT_<KEY>.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace edgechat::worker;
  std::optional<std::string> config_flag;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--config" && i + 1 < argc) {
      config_flag = argv[++i];
    } else if (arg.starts_with("--config=")) {
      config_flag = arg.substr(9);
    } else {
      std::cerr << kUsage;
      return 2;
    }
  }
  auto env = ProcessEnv();
  auto settings = LoadSettings(ConfigPathFrom(config_flag, env), env);
  if (!settings) {
    std::cerr << "edgechat-worker: " << settings.error().message << "\n";
    return 2;
  }
  SetLogLevel(settings->log_level);
  std::signal(SIGPIPE, SIG_IGN);

  ConnectionPool pool(settings->db);
  {
    // Open one connection before other threads start (driver initialisation is not
    // thread-safe); a database that is down now is not fatal: requests get 503 until it is up.
    auto conn = pool.Acquire();
    if (!conn) LogWarn("store", conn.error().message);
  }
  MysqlChatStore store(pool);
  ExternalApi external(store, SodiumRandom());
  ServerCounters counters;
  RegistryPublisher publisher(pool, settings->redis);
  Router router(
      external, [&pool] { return pool.Acquire(std::chrono::milliseconds(500)).ok(); },
      [&] { return MetricsText(counters, pool.Stats(), publisher.redis_ok()); });

  boost::asio::io_context io(static_cast<int>(settings->threads));
  boost::asio::thread_pool blocking(settings->db.pool_size);
  HttpServer server(
      io, blocking, [&router](const HttpRequest& r) { return router.Handle(r); }, counters);
  if (auto listening = server.Listen(settings->listen); !listening) {
    LogError("http", listening.error().message);
    return 1;
  }
  LogInfo("worker", "listening on " + settings->listen_text);
  publisher.Start();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    LogInfo("worker", "shutting down");
    server.StopAccepting();
    io.stop();
  });

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < settings->threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  blocking.join();
  publisher.Stop();
  if (settings->listen.is_unix()) ::unlink(settings->listen.unix_path.c_str());
  LogInfo("worker", "stopped");
  return 0;
}
