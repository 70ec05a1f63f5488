// edgechat-worker: the HTTP worker behind the edge.
#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <utility>  // before asio headers that include awaitable.hpp

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>

#include "admin/admin_api.hpp"
#include "admin/admin_stream.hpp"
#include "api/external_api.hpp"
#include "app/metrics.hpp"
#include "app/router.hpp"
#include "common/ids.hpp"
#include "config/config.hpp"
#include "events/hub.hpp"
#include "events/presence_watch.hpp"
#include "events/redis_relay.hpp"
#include "http/loops.hpp"
#include "http/server.hpp"
#include "log/log.hpp"
#include "mail/mail_deliverer.hpp"
#include "mail/outbox_sender.hpp"
#include "mail/smtp_transport.hpp"
#include "mail/webhook_deliverer.hpp"
#include "registry/redis_presence.hpp"
#include "registry/registry.hpp"
#include "server/server_api.hpp"
#include "service/office_hours.hpp"
#include "service/reply_time.hpp"
#include "service/webhook_service.hpp"
#include "store/event_retention.hpp"
#include "store/mysql_chat_store.hpp"
#include "store/pool.hpp"
#include "store/reply_time_repo.hpp"

namespace {

constexpr const char* kUsage =
    "usage: edgechat-worker [--config FILE]\n"
    "\n"
    "Serves the edgechat external API behind the edge. The config file (--config, else\n"
    "$EDGECHAT_CONFIG, else /etc/edgechat/edgechat.conf if it exists) holds `key = value`\n"
    "lines; every key can be overridden by EDGECHAT_<KEY>.\n";

// Raises the soft open-files limit to the hard one (each event stream holds a descriptor) and
// returns the limit now in force.
std::uint64_t RaiseOpenFilesLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  const rlim_t before = limit.rlim_cur;
  if (limit.rlim_cur != limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  auto text = [](rlim_t v) {
    return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
  };
  edgechat::worker::LogInfo("worker", "open files: " + text(limit.rlim_cur) + " (soft, was " +
                                          text(before) + "), hard " + text(limit.rlim_max));
  // "unlimited" still has a kernel ceiling (fs.nr_open); treat it as a million.
  return limit.rlim_cur == RLIM_INFINITY ? 1000000 : static_cast<std::uint64_t>(limit.rlim_cur);
}

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
  const StreamCapacity capacity =
      StreamCapacityFor(settings->streams.max_total, RaiseOpenFilesLimit());
  if (capacity.clamped) {
    LogWarn("worker", "events.max_streams = " + std::to_string(settings->streams.max_total) +
                          " does not fit the open-files limit; using " +
                          std::to_string(capacity.limit));
  }
  LogInfo("worker", "event streams: at most " + std::to_string(capacity.limit) + " in all, " +
                        std::to_string(settings->streams.max_per_guest) + " per guest");

  ConnectionPool pool(settings->db);
  {
    // Open one connection before other threads start (driver initialisation is not
    // thread-safe); a database that is down now is not fatal: requests get 503 until it is up.
    auto conn = pool.Acquire();
    if (!conn) LogWarn("store", conn.error().message);
  }
  if (!InitCurlGlobal()) {
    LogError("mail", "libcurl did not initialise");
    return 1;
  }
  // Mail: with mail.enabled on, new conversations queue mails in their own transaction and the
  // outbox sender delivers them over SMTP on a thread of its own (docs/architecture.md, Outbox).
  MysqlChatStore store(pool, GuestMailOptions{settings->mail.enabled, settings->mail.panel_url});
  EventPruner pruner(pool, settings->event_retention_days, std::chrono::hours(1));
  const std::string worker_id = NewWorkerId(SodiumRandom());
  MysqlOutbox outbox(pool);
  SmtpTransport smtp(settings->mail);
  std::unique_ptr<OutboxSender> mail_sender;
  if (settings->mail.enabled) {
    OutboxSenderOptions mail_options;
    mail_options.channel = "mail";
    mail_options.owner = worker_id;
    mail_options.batch = settings->mail.batch;
    mail_options.poll = std::chrono::milliseconds(settings->mail.poll_ms);
    // A lease outlives the slowest delivery twice over, so a live sender keeps its rows.
    mail_options.lease = std::chrono::milliseconds(
        2 * (settings->mail.connect_timeout_ms + settings->mail.timeout_ms) + 5000);
    mail_options.max_attempts = settings->mail.max_attempts;
    mail_options.backoff.base = std::chrono::milliseconds(settings->mail.backoff_base_ms);
    mail_options.backoff.max = std::chrono::milliseconds(settings->mail.backoff_max_ms);
    mail_sender = std::make_unique<OutboxSender>(
        outbox, mail_options,
        MailDeliverer(smtp, MailIdentity{settings->mail.from, settings->mail.from_name},
                      SystemClock()),
        [&outbox, panel_url = settings->mail.panel_url,
         every = std::chrono::milliseconds(settings->mail.unanswered_scan_ms),
         next = std::chrono::steady_clock::time_point{}]() mutable {
          if (std::chrono::steady_clock::now() < next) return;
          next = std::chrono::steady_clock::now() + every;
          if (auto added = outbox.EnqueueUnanswered(panel_url); !added) {
            LogWarn("mail", "queueing unanswered-message mails failed: " + added.error().message);
          }
        });
    LogInfo("mail", "sending mail through " + settings->mail.relay_host + ":" +
                        std::to_string(settings->mail.relay_port) + " (tls " + settings->mail.tls +
                        ")");
  }
  ServerCounters counters;
  RegistryPublisher publisher(pool, settings->redis, std::chrono::milliseconds(500),
                              std::chrono::milliseconds(settings->faults.registry_read_pause_ms));

  // `io` (this thread) accepts connections and handles signals; each connection then lives on
  // one of the `worker.threads` connection loops.
  boost::asio::io_context io(1);
  EventLoops loops(ConnectionLoopsFor(settings->threads, std::thread::hardware_concurrency()));
  boost::asio::thread_pool blocking(settings->db.pool_size);
  StreamOptions stream_options;
  stream_options.heartbeat = std::chrono::seconds(settings->sse_heartbeat_s);
  stream_options.page = settings->sse_buffer_events;
  stream_options.max_per_guest = settings->streams.max_per_guest;
  stream_options.resync_window = std::chrono::milliseconds(settings->streams.resync_window_ms);
  EventHub hub(store, blocking, stream_options, loops.executors());
  // Typing: local streams first (guest streams in the hub, admin streams in the feed), then Redis;
  // what other workers publish reaches the local half only.
  TypingFeed admin_typing;
  HubTypingPublisher local_typing(hub, &admin_typing, nullptr);
  RedisRelay relay(settings->redis, hub, worker_id, 10000, &local_typing);
  HubPublisher events(hub, &relay);
  HubTypingPublisher typing(hub, &admin_typing, &relay);
  // identity.key_file: new secret keys keep a sealed copy for identity tokens. A configured file
  // that cannot be read stops the start (keys made meanwhile could never sign identities).
  std::optional<SecretBox> identity_box;
  if (!settings->identity_key_file.empty()) {
    auto box = SecretBox::FromFile(settings->identity_key_file);
    if (!box) {
      LogError("config",
               "identity.key_file " + settings->identity_key_file + ": " + box.error().message);
      return 1;
    }
    identity_box.emplace(std::move(box).value());
  }
  // Identity tokens are checked against the site's sealed keys on every call that claims one.
  MysqlIdentityKeyLookup identity_keys(pool);
  IdentityVerifier identity(identity_keys, identity_box ? &*identity_box : nullptr);
  ExternalApi external(
      store, SodiumRandom(), events,
      [&hub](const Guest& guest,
             std::optional<std::uint64_t> last) -> edgechat::Result<std::shared_ptr<StreamSource>> {
        auto stream = hub.Open(guest.id, last, guest.site_id);
        if (!stream) return stream.error();
        return std::static_pointer_cast<StreamSource>(std::move(stream).value());
      },
      &typing, &identity);
  MysqlAllEventsLog all_events(pool);
  AdminStreams admin_streams(all_events, blocking, AdminStreamOptions{}, &admin_typing);
  AdminApiOptions admin_options;
  admin_options.idle_seconds = settings->admin.session_idle_s;
  admin_options.max_failures_per_user = settings->admin.login_failures_per_user;
  admin_options.max_failures_per_ip = settings->admin.login_failures_per_ip;
  admin_options.failure_window = std::chrono::seconds(settings->admin.login_window_s);
  // Presence: a record per admin in Redis with a TTL; every worker reads them all (the watch)
  // and tells its guest streams what they should show.
  RedisPresenceStore presence_store(settings->redis);
  RedisPresenceStore presence_reader(settings->redis);
  MysqlOfficeHoursRepo office_hours_repo(pool);
  PresenceWatch presence_watch(presence_reader, hub, SystemClock(),
                               std::chrono::seconds(settings->presence.idle_s),
                               std::chrono::milliseconds(settings->presence.poll_ms),
                               &office_hours_repo, SystemZoneLoader());
  // Expected reply times (service/reply_time.hpp): the watch re-reads every site's each ttl and
  // the guest streams' presence events carry them.
  MysqlReplySampleSource reply_samples(pool);
  ReplyTimeService reply_times(reply_samples, office_hours_repo, SystemZoneLoader(), SystemClock());
  presence_watch.SetReplyTimes(&reply_times);
  PresenceService presence(presence_store, SystemClock(),
                           PresenceOptions{std::chrono::seconds(settings->presence.ttl_s),
                                           std::chrono::seconds(settings->presence.beat_s),
                                           std::chrono::seconds(settings->presence.idle_s)},
                           [&presence_watch] { presence_watch.Poke(); });
  MysqlSiteRepo site_repo(pool);
  MysqlSecretKeyRepo secret_key_repo(pool, identity_box ? &*identity_box : nullptr);
  MysqlAdminRepo admin_repo(pool);
  MysqlSessionRepo session_repo(pool);
  MysqlAuditRepo audit_repo(pool);
  MysqlConversationRepo conversation_repo(pool);
  MysqlMailPreferencesRepo mail_preferences(pool);
  // Webhooks: the second channel of the one outbox, on a sender thread of its own. Secrets are
  // sealed under identity.key_file when it is configured (docs/webhooks.md).
  const SecretBox* webhook_box = identity_box ? &*identity_box : nullptr;
  MysqlWebhookRepo webhook_repo(pool, webhook_box);
  WebhookService webhooks(webhook_repo, SodiumRandom());
  MysqlWebhookTargets webhook_targets(pool, webhook_box);
  CurlWebhookTransport webhook_transport(WebhookHttpOptions{settings->webhook.connect_timeout_ms,
                                                            settings->webhook.timeout_ms,
                                                            settings->webhook.verify_tls});
  OutboxSenderOptions webhook_options;
  webhook_options.channel = kWebhookChannel;
  webhook_options.owner = worker_id;
  webhook_options.batch = settings->webhook.batch;
  webhook_options.poll = std::chrono::milliseconds(settings->webhook.poll_ms);
  webhook_options.lease = std::chrono::milliseconds(
      2 * (settings->webhook.connect_timeout_ms + settings->webhook.timeout_ms) + 5000);
  // The span, not a count, ends the retries: webhook.retry_for_s after the event (or resend).
  webhook_options.max_attempts = 100000;
  webhook_options.give_up_after = std::chrono::seconds(settings->webhook.retry_for_s);
  webhook_options.backoff.base = std::chrono::milliseconds(settings->webhook.backoff_base_ms);
  webhook_options.backoff.max = std::chrono::milliseconds(settings->webhook.backoff_max_ms);
  OutboxSender webhook_sender(
      outbox, webhook_options,
      WebhookDeliverer(webhook_targets, webhook_transport, SystemResolver(), SystemClock()));
  // Office hours: the presence watch re-reads them at once after a change through this worker.
  OfficeHoursService office_hours(site_repo, office_hours_repo, SystemZoneLoader(), SystemClock(),
                                  [&presence_watch] { presence_watch.Poke(); });
  AdminApi admin(
      AdminRepos{site_repo, secret_key_repo, admin_repo, session_repo, audit_repo,
                 conversation_repo},
      SodiumRandom(), events,
      [&admin_streams](AdminStreamRequest request) {
        return admin_streams.Open(request.last_event_id, std::move(request.session_alive));
      },
      admin_options, SteadyClock(), &typing, &presence, &mail_preferences, &office_hours,
      &webhooks);
  MysqlSecretKeyLookup secret_key_lookup(pool);
  SecretKeyAuth secret_key_auth(secret_key_lookup, SteadyClock());
  MysqlAttributeRepo attribute_repo(pool);
  ServerApi server_api(secret_key_auth, conversation_repo, attribute_repo, events);
  Router router(
      external, [&pool] { return pool.Ping(std::chrono::milliseconds(500)); },
      [&] {
        return MetricsText(counters, pool.Stats(), publisher.redis_ok() && relay.subscribed(),
                           relay.rejected_notices(), relay.own_notices());
      },
      [&admin](const HttpRequest& r) { return admin.Handle(r); },
      [&server_api](const HttpRequest& r) { return server_api.Handle(r); });
  HttpServer server(
      io, loops, blocking,
      [&router](const HttpRequest& r) {
        auto started = std::chrono::steady_clock::now();
        HttpResponse response = router.Handle(r);
        if (LogEnabled(LogLevel::kDebug)) {
          // Path only: queries and headers (tokens, keys) stay out of logs.
          auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
          LogDebug("http", r.method + " " + r.Path() + " " + std::to_string(response.status) + " " +
                               std::to_string(us) + "us");
        }
        return response;
      },
      counters,
      ServerOptions{.max_streams = capacity.limit,
                    .queue_deadline = std::chrono::milliseconds(settings->db.queue_deadline_ms)});
  if (auto listening = server.Listen(settings->listen); !listening) {
    LogError("http", listening.error().message);
    return 1;
  }
  LogInfo("worker", "listening on " + settings->listen_text + " with " +
                        std::to_string(loops.size()) + " connection loop(s)");
  // Remember which socket file is ours: a successor started while this worker drains may have
  // replaced it, and must not lose its socket when this one exits.
  struct stat own_socket {};
  bool have_socket =
      settings->listen.is_unix() && ::lstat(settings->listen.unix_path.c_str(), &own_socket) == 0;
  publisher.Start();
  relay.Start();
  hub.Start();
  presence_watch.Start();
  pruner.Start();
  if (mail_sender) mail_sender->Start();
  webhook_sender.Start();

  // When many streams have closed (a burst of visitors gone), hand the freed memory back to the
  // system: glibc keeps it in its arenas otherwise, and the worker's RSS would stay at its peak.
  boost::asio::steady_timer trim_timer(io);
  std::function<void()> trim_after_drops = [&] {
    trim_timer.expires_after(std::chrono::seconds(10));
    trim_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      // The server's peak covers everything since the last trim, bursts between checks included.
      long long open = counters.open_streams.load();
      long long peak = counters.open_streams_peak.load();
      if (open + 1000 <= peak || (open == 0 && peak > 0)) {
        ::malloc_trim(0);
        counters.open_streams_peak.store(open);
      }
      trim_after_drops();
    });
  };
  trim_after_drops();

  // Graceful shutdown: stop accepting, end event streams (clients reconnect elsewhere, resuming
  // from Last-Event-ID), let requests in flight finish, then stop. A second signal stops at once.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer drain(io);
  std::function<void()> check_drained;
  auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  check_drained = [&] {
    if (counters.open_connections.load() == 0 || std::chrono::steady_clock::now() >= *deadline) {
      io.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(50));
    drain.async_wait([&](const boost::system::error_code&) { check_drained(); });
  };
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    LogInfo("worker", "shutting down: draining connections");
    trim_timer.cancel();
    server.StopAccepting();
    hub.ShutdownAll();
    admin_streams.ShutdownAll();
    *deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    check_drained();
    signals.async_wait([&](const boost::system::error_code& ec2, int) {
      if (!ec2) io.stop();
    });
  });

  loops.Start();
  io.run();
  loops.Stop();
  blocking.join();
  presence_watch.Stop();
  relay.Stop();
  publisher.Stop();
  pruner.Stop();
  if (mail_sender) mail_sender->Stop();
  webhook_sender.Stop();
  if (have_socket) {
    struct stat now {};
    if (::lstat(settings->listen.unix_path.c_str(), &now) == 0 && now.st_ino == own_socket.st_ino &&
        now.st_dev == own_socket.st_dev) {
      ::unlink(settings->listen.unix_path.c_str());
    }
  }
  LogInfo("worker", "stopped");
  return 0;
}
