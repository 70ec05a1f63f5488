// webhook list|add|update|remove|secret|rotate-secret|deliveries|resend over WebhookService (a
// site's signed webhooks, docs/webhooks.md).
#include <iostream>

#include "ctl/commands.hpp"
#include "json/admin_json.hpp"
#include "service/webhook_service.hpp"

namespace edgechat::ctl {

using namespace edgechat::worker;
using nlohmann::json;

namespace {

Error Usage(const std::string& what) {
  return Error{ErrorKind::kInvalidInput, "usage", what};
}

Result<std::optional<bool>> OnOff(const ParsedArgs& args, const char* flag) {
  auto v = args.Get(flag);
  if (!v) return std::optional<bool>();
  if (*v == "on") return std::optional<bool>(true);
  if (*v == "off") return std::optional<bool>(false);
  return Usage(std::string("--") + flag + " must be on or off");
}

Result<std::uint64_t> IdArg(const std::string& text, const char* what) {
  EC_TRY(id, ParsePositive(what, text, 4000000000u));
  return static_cast<std::uint64_t>(id);
}

Result<WebhookChange> ChangeFrom(const ParsedArgs& args) {
  WebhookChange change;
  change.url = args.Get("url");
  if (auto events = args.Get("events")) {
    std::vector<std::string> list;
    std::size_t start = 0;
    while (start <= events->size()) {
      std::size_t comma = events->find(',', start);
      if (comma == std::string::npos) comma = events->size();
      if (comma > start) list.push_back(events->substr(start, comma - start));
      start = comma + 1;
    }
    change.events = std::move(list);
  }
  EC_TRY_ASSIGN(change.enabled, OnOff(args, "enabled"));
  EC_TRY_ASSIGN(change.allow_private, OnOff(args, "allow-private"));
  return change;
}

// A service over the command's own store (identity.key_file seals secrets, as in the worker).
struct Webhooks {
  explicit Webhooks(const worker::Settings& settings)
      : store(settings),
        repo(store.pool, store.identity_box ? &*store.identity_box : nullptr),
        service(repo, SodiumRandom()) {}
  Store store;
  MysqlWebhookRepo repo;
  WebhookService service;
};

void PrintEndpoint(const WebhookEndpoint& e) {
  std::string events;
  for (const auto& t : e.fields.events) events += (events.empty() ? "" : ",") + t;
  std::cout << e.id << "  " << e.fields.url << "  " << events << "  "
            << (e.fields.enabled ? "enabled" : "disabled")
            << (e.fields.allow_private ? "  allow-private" : "") << "\n";
}

int PrintWithSecret(const Context& ctx, const WebhookEndpoint& e) {
  if (ctx.out.json_mode()) {
    ctx.out.Print(WebhookEndpointJson(e, true));
  } else {
    PrintEndpoint(e);
    std::cout << e.secret << "\n";
  }
  return kExitOk;
}

int RunList(const Context& ctx) {
  if (ctx.args.positional.size() != 1) return ctx.out.Fail(Usage("webhook list needs a site KEY"));
  Webhooks w(ctx.settings);
  auto list = w.service.List(ctx.args.positional[0]);
  if (!list) return ctx.out.Fail(list.error());
  if (ctx.out.json_mode()) {
    json out = json::array();
    for (const auto& e : *list) out.push_back(WebhookEndpointJson(e, false));
    ctx.out.Print(json{{"webhooks", out}});
    return kExitOk;
  }
  for (const auto& e : *list) PrintEndpoint(e);
  return kExitOk;
}

int RunAdd(const Context& ctx) {
  if (ctx.args.positional.size() != 1) return ctx.out.Fail(Usage("webhook add needs a site KEY"));
  auto change = ChangeFrom(ctx.args);
  if (!change) return ctx.out.Fail(change.error());
  Webhooks w(ctx.settings);
  auto created = w.service.Create(ctx.args.positional[0], *change, CliActor());
  if (!created) return ctx.out.Fail(created.error());
  return PrintWithSecret(ctx, *created);
}

int RunUpdate(const Context& ctx) {
  if (ctx.args.positional.size() != 2) {
    return ctx.out.Fail(Usage("webhook update needs a site KEY and an endpoint ID"));
  }
  auto id = IdArg(ctx.args.positional[1], "ID");
  if (!id) return ctx.out.Fail(id.error());
  auto change = ChangeFrom(ctx.args);
  if (!change) return ctx.out.Fail(change.error());
  Webhooks w(ctx.settings);
  auto e = w.service.Update(ctx.args.positional[0], *id, *change, CliActor());
  if (!e) return ctx.out.Fail(e.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print(WebhookEndpointJson(*e, false));
  } else {
    PrintEndpoint(*e);
  }
  return kExitOk;
}

int RunRemove(const Context& ctx) {
  if (ctx.args.positional.size() != 2) {
    return ctx.out.Fail(Usage("webhook remove needs a site KEY and an endpoint ID"));
  }
  auto id = IdArg(ctx.args.positional[1], "ID");
  if (!id) return ctx.out.Fail(id.error());
  Webhooks w(ctx.settings);
  auto done = w.service.Remove(ctx.args.positional[0], *id, CliActor());
  if (!done) return ctx.out.Fail(done.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print(json{{"removed", *id}});
  } else {
    std::cout << "removed webhook " << *id << "\n";
  }
  return kExitOk;
}

int RunSecret(const Context& ctx, bool rotate) {
  if (ctx.args.positional.size() != 2) {
    return ctx.out.Fail(Usage("webhook secret needs a site KEY and an endpoint ID"));
  }
  auto id = IdArg(ctx.args.positional[1], "ID");
  if (!id) return ctx.out.Fail(id.error());
  Webhooks w(ctx.settings);
  auto e = rotate ? w.service.RotateSecret(ctx.args.positional[0], *id, CliActor())
                  : w.service.Get(ctx.args.positional[0], *id);
  if (!e) return ctx.out.Fail(e.error());
  return PrintWithSecret(ctx, *e);
}

int RunShowSecret(const Context& ctx) {
  return RunSecret(ctx, false);
}
int RunRotateSecret(const Context& ctx) {
  return RunSecret(ctx, true);
}

void PrintDelivery(const WebhookDelivery& d) {
  std::cout << d.id << "  " << d.delivery_id << "  " << d.event_type << "  " << d.status
            << "  attempts " << d.attempts;
  if (d.last_status) std::cout << "  HTTP " << *d.last_status;
  if (d.last_error) std::cout << "  " << *d.last_error;
  std::cout << "\n";
}

int RunDeliveries(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail(Usage("webhook deliveries needs a site KEY"));
  }
  std::optional<std::uint64_t> endpoint;
  if (auto e = ctx.args.Get("endpoint")) {
    auto id = IdArg(*e, "--endpoint");
    if (!id) return ctx.out.Fail(id.error());
    endpoint = *id;
  }
  unsigned limit = 50;
  if (auto l = ctx.args.Get("limit")) {
    auto parsed = ParsePositive("--limit", *l, kMaxDeliveriesListed);
    if (!parsed) return ctx.out.Fail(parsed.error());
    limit = *parsed;
  }
  Webhooks w(ctx.settings);
  auto rows = w.service.Deliveries(ctx.args.positional[0], endpoint, limit);
  if (!rows) return ctx.out.Fail(rows.error());
  if (ctx.out.json_mode()) {
    json out = json::array();
    for (const auto& d : *rows) out.push_back(WebhookDeliveryJson(d));
    ctx.out.Print(json{{"deliveries", out}});
    return kExitOk;
  }
  for (const auto& d : *rows) PrintDelivery(d);
  return kExitOk;
}

int RunResend(const Context& ctx) {
  if (ctx.args.positional.size() != 2) {
    return ctx.out.Fail(Usage("webhook resend needs a site KEY and a delivery row ID"));
  }
  auto id = IdArg(ctx.args.positional[1], "ID");
  if (!id) return ctx.out.Fail(id.error());
  Webhooks w(ctx.settings);
  auto d = w.service.Resend(ctx.args.positional[0], *id, CliActor());
  if (!d) return ctx.out.Fail(d.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print(WebhookDeliveryJson(*d));
  } else {
    PrintDelivery(*d);
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> WebhookCommands() {
  const std::vector<FlagSpec> fields = {{"url", true, false},
                                        {"events", true, false},
                                        {"enabled", true, false},
                                        {"allow-private", true, false}};
  return {
      {{"webhook", "list"},
       {},
       "edgechatctl webhook list SITE\n  Lists the site's endpoints.\n",
       RunList},
      {{"webhook", "add"},
       fields,
       "edgechatctl webhook add SITE --url URL --events TYPE[,TYPE...] [--enabled on|off]\n"
       "    [--allow-private on|off]\n"
       "  Adds an endpoint and prints its signing secret (whsec_...).\n",
       RunAdd},
      {{"webhook", "update"},
       fields,
       "edgechatctl webhook update SITE ID [--url URL] [--events ...] [--enabled on|off]\n"
       "    [--allow-private on|off]\n",
       RunUpdate},
      {{"webhook", "remove"}, {}, "edgechatctl webhook remove SITE ID\n", RunRemove},
      {{"webhook", "secret"},
       {},
       "edgechatctl webhook secret SITE ID\n  Prints the secret.\n",
       RunShowSecret},
      {{"webhook", "rotate-secret"},
       {},
       "edgechatctl webhook rotate-secret SITE ID\n  A new secret at once; prints it.\n",
       RunRotateSecret},
      {{"webhook", "deliveries"},
       {{"endpoint", true, false}, {"limit", true, false}},
       "edgechatctl webhook deliveries SITE [--endpoint ID] [--limit N]\n"
       "  The delivery log, newest first.\n",
       RunDeliveries},
      {{"webhook", "resend"},
       {},
       "edgechatctl webhook resend SITE ROW\n"
       "  Sends a delivery again (same delivery id, attempts from zero).\n",
       RunResend},
  };
}

}  // namespace edgechat::ctl
