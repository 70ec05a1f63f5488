// migrate, events prune and messages list: operator tasks straight over the store (no service
// rules to share with the panel).
#include <iostream>

#include "common/text.hpp"
#include "ctl/commands.hpp"
#include "registry/registry.hpp"
#include "store/event_retention.hpp"
#include "store/message_repo.hpp"
#include "store/migrations.hpp"

namespace edgechat::ctl {

// The CLI is a front end over the worker's store and services.
using namespace edgechat::worker;

using nlohmann::json;

namespace {

int RunMigrate(const Context& ctx) {
  std::string dir = ctx.args.Get("sql-dir").value_or(ctx.settings.sql_dir);
  auto files = ListMigrationFiles(dir);
  if (!files) return ctx.out.Fail(files.error());
  ConnectionPool pool(ctx.settings.db);
  auto outcomes = ApplyMigrations(pool, *files);
  if (!outcomes) return ctx.out.Fail(outcomes.error());
  json out = json::array();
  for (const auto& o : *outcomes) {
    out.push_back({{"version", o.file.version},
                   {"name", o.file.name},
                   {"checksum", o.checksum},
                   {"applied", o.applied_now}});
    if (!ctx.out.json_mode()) {
      std::cout << (o.applied_now ? "applied  " : "present  ") << o.file.name << "\n";
    }
  }
  if (ctx.out.json_mode()) ctx.out.Print(out);
  return kExitOk;
}

int RunMessagesList(const Context& ctx) {
  if (!ctx.args.positional.empty()) {
    return ctx.out.Fail(
        {ErrorKind::kInvalidInput, "usage", "unexpected " + ctx.args.positional[0]});
  }
  unsigned limit = 50;
  if (auto l = ctx.args.Get("limit")) {
    auto parsed = ParsePositive("limit", *l, 10000);
    if (!parsed) return ctx.out.Fail(parsed.error());
    limit = *parsed;
  }
  ConnectionPool pool(ctx.settings.db);
  auto rows = ListRecentMessages(pool, ctx.args.Get("site"), limit);
  if (!rows) return ctx.out.Fail(rows.error());
  if (ctx.out.json_mode()) {
    json out = json::array();
    for (const auto& r : *rows) {
      out.push_back({{"id", r.id},
                     {"conversationId", r.conversation_id},
                     {"siteKey", r.site_key},
                     {"siteName", r.site_name},
                     {"source", r.source},
                     {"author", r.author},
                     {"text", r.text},
                     {"clientId", r.client_id ? json(*r.client_id) : json(nullptr)},
                     {"createdAt", r.created_at}});
    }
    ctx.out.Print(out);
    return kExitOk;
  }
  for (const auto& r : *rows) {
    std::cout << r.created_at << "  #" << r.id << "  conv " << r.conversation_id << "  "
              << r.site_name << (r.source == "external" ? " (External Source)" : " (Main site)")
              << "  " << r.author << ": " << r.text << "\n";
  }
  return kExitOk;
}

// One retention run now, as the worker's pruner does periodically (docs/cli.md).
int RunEventsPrune(const Context& ctx) {
  if (!ctx.args.positional.empty()) {
    return ctx.out.Fail(
        {ErrorKind::kInvalidInput, "usage", "unexpected " + ctx.args.positional[0]});
  }
  unsigned days = ctx.settings.event_retention_days;
  if (auto d = ctx.args.Get("older-than-days")) {
    auto parsed = ParsePositive("older-than-days", *d, kMaxEventRetentionDays);
    if (!parsed) return ctx.out.Fail(parsed.error());
    days = *parsed;
  }
  unsigned batch = kDefaultPruneBatch;
  if (auto b = ctx.args.Get("batch")) {
    auto parsed = ParsePositive("batch", *b, 10000);
    if (!parsed) return ctx.out.Fail(parsed.error());
    batch = *parsed;
  }
  ConnectionPool pool(ctx.settings.db);
  EventPruner pruner(pool, days, std::chrono::seconds(0), batch);
  auto report = pruner.RunOnce();
  if (!report) return ctx.out.Fail(report.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print({{"deleted", report->deleted},
                   {"batches", report->batches},
                   {"olderThanDays", days},
                   {"before", MysqlUtcToIso(report->horizon)},
                   {"prunedThrough", report->pruned_through}});
  } else {
    std::cout << "pruned " << report->deleted << " events created before "
              << MysqlUtcToIso(report->horizon) << " (" << days << " days); events up to id "
              << report->pruned_through << " may be gone\n";
  }
  return kExitOk;
}

int RunRegistryRepublish(const Context& ctx) {
  ConnectionPool pool(ctx.settings.db);
  auto done = RepublishRegistry(pool, ctx.settings.redis);
  if (!done) return ctx.out.Fail(done.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print({{"heldRevision", done->held < 0 ? json(nullptr) : json(done->held)},
                   {"publishedRevision", done->published}});
  } else {
    std::cout << "registry published at revision " << done->published;
    if (done->held >= 0) std::cout << " (Redis held revision " << done->held << ")";
    std::cout << "; every edge follows within a second\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> MaintenanceCommands() {
  return {
      {{"migrate"},
       {{"sql-dir", true, false}},
       "edgechatctl migrate [--sql-dir DIR]\n"
       "  Applies sql/NNN_*.sql migrations not yet recorded in schema_migrations, in order.\n"
       "  DIR defaults to the config key sql.dir (/usr/share/edgechat/sql).\n",
       RunMigrate},
      {{"messages", "list"},
       {{"site", true, false}, {"limit", true, false}},
       "edgechatctl messages list [--site KEY] [--limit N]\n"
       "  The newest messages (default 50), newest first.\n",
       RunMessagesList},
      {{"events", "prune"},
       {{"older-than-days", true, false}, {"batch", true, false}},
       "edgechatctl events prune [--older-than-days N] [--batch N]\n"
       "  Deletes events older than N days (default: events.retention_days), keeping each\n"
       "  conversation's newest event, in batches of N (default 1000). Messages stay.\n",
       RunEventsPrune},
      {{"registry", "republish"},
       {},
       "edgechatctl registry republish\n"
       "  Publishes the sites of the database to Redis under a revision newer than the one Redis\n"
       "  holds: the step after restoring a database backup (docs/ops.md, \"Backups\").\n",
       RunRegistryRepublish},
  };
}

}  // namespace edgechat::ctl
