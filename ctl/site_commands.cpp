// site add|list|show|update|rotate-key|remove over SiteService.
#include <charconv>
#include <iostream>

#include "admin/hours_json.hpp"
#include "ctl/commands.hpp"
#include "json/admin_json.hpp"
#include "registry/registry.hpp"

namespace edgechat::ctl {

// The CLI is a front end over the worker's store and services.
using namespace edgechat::worker;

using nlohmann::json;

SiteService CliSiteService(Store& store, const Settings& settings) {
  return SiteService(store.sites, store.secret_keys, SodiumRandom(), [&store, &settings] {
    auto published = PublishRegistry(store.pool, settings.redis);
    if (!published) {
      std::cerr << "edgechatctl: warning: registry not published now (" << published.error().message
                << "); a running worker publishes it within a second\n";
    }
  });
}

namespace {

Result<std::optional<std::int64_t>> NumberFlag(const ParsedArgs& args, const char* flag) {
  auto v = args.Get(flag);
  if (!v) return std::optional<std::int64_t>();
  std::int64_t parsed = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), parsed);
  if (ec != std::errc() || end != v->data() + v->size()) {
    return Error{ErrorKind::kInvalidInput, "usage",
                 std::string("--") + flag + " must be a whole number"};
  }
  return std::optional<std::int64_t>(parsed);
}

// The site flags of `site update` (and the subset `site add` accepts) as service input.
Result<SiteChanges> SiteChangesFrom(const ParsedArgs& args) {
  SiteChanges c;
  c.name = args.Get("name");
  c.title = args.Get("title");
  c.primary_color = args.Get("color");
  if (args.Has("lock") && args.Has("unlock"))
    return Error{ErrorKind::kInvalidInput, "usage", "give --lock or --unlock"};
  if (args.Has("lock")) c.locked = true;
  if (args.Has("unlock")) c.locked = false;
  c.locked_message = args.Get("locked-message");
  if (auto locale = args.Get("locale")) c.locale = *locale == "auto" ? std::string() : *locale;
  if (args.Has("main")) c.main = true;
  for (auto [flag, target] : {std::pair{"rate-messages", &c.limit_messages},
                              std::pair{"rate-window", &c.limit_window_seconds},
                              std::pair{"rate-burst", &c.limit_burst}}) {
    auto number = NumberFlag(args, flag);
    if (!number) return number.error();
    *target = *number;
  }
  c.limit_message = args.Get("rate-message");
  c.add_origins = args.GetAll("origin");
  for (const auto& o : args.GetAll("add-origin")) c.add_origins.push_back(o);
  c.remove_origins = args.GetAll("remove-origin");
  return c;
}

int RunSiteAdd(const Context& ctx) {
  if (!ctx.args.positional.empty()) {
    return ctx.out.Fail(
        {ErrorKind::kInvalidInput, "usage", "unexpected " + ctx.args.positional[0]});
  }
  auto changes = SiteChangesFrom(ctx.args);
  if (!changes) return ctx.out.Fail(changes.error());
  Store store(ctx.settings);
  auto created = CliSiteService(store, ctx.settings).Create(*changes, CliActor());
  if (!created) return ctx.out.Fail(created.error());
  if (created->origins.empty()) {
    ctx.out.Note("no origins yet: add one with site update " + created->key + " --add-origin URL");
  }
  if (ctx.out.json_mode()) {
    ctx.out.Print(AdminSiteJson(*created));
  } else {
    std::cout << created->key << "\n";
  }
  return kExitOk;
}

int RunSiteList(const Context& ctx) {
  if (!ctx.args.positional.empty()) {
    return ctx.out.Fail(
        {ErrorKind::kInvalidInput, "usage", "unexpected " + ctx.args.positional[0]});
  }
  Store store(ctx.settings);
  auto sites = CliSiteService(store, ctx.settings).List();
  if (!sites) return ctx.out.Fail(sites.error());
  if (ctx.out.json_mode()) {
    json out = json::array();
    for (const auto& s : *sites) out.push_back(AdminSiteJson(s));
    ctx.out.Print(out);
    return kExitOk;
  }
  for (const auto& s : *sites) {
    std::cout << s.key << "  " << s.name << (s.main ? "  (main)" : "")
              << (s.locked ? "  (locked)" : "") << "\n";
    for (const auto& o : s.origins) std::cout << "    " << o << "\n";
  }
  return kExitOk;
}

int RunSiteShow(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "site show needs one site KEY"});
  }
  Store store(ctx.settings);
  auto site = CliSiteService(store, ctx.settings).Find(ctx.args.positional[0]);
  if (!site) return ctx.out.Fail(site.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print(AdminSiteJson(*site));
    return kExitOk;
  }
  const Site& s = *site;
  std::cout << "key            " << s.key << "\nname           " << s.name << "\ntitle          "
            << s.title << "\ncolor          " << s.primary_color << "\nmain           "
            << (s.main ? "yes" : "no") << "\nlocked         "
            << (s.locked ? "yes: " + s.locked_message : "no") << "\nlocale         "
            << s.locale.value_or("auto") << "\nrate limit     " << s.limits.messages << " per "
            << s.limits.window_seconds << " s, burst " << s.limits.burst << "\n";
  for (const auto& o : s.origins) std::cout << "origin         " << o << "\n";
  return kExitOk;
}

int RunSiteUpdate(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "site update needs one site KEY"});
  }
  auto changes = SiteChangesFrom(ctx.args);
  if (!changes) return ctx.out.Fail(changes.error());
  Store store(ctx.settings);
  auto site =
      CliSiteService(store, ctx.settings).Update(ctx.args.positional[0], *changes, CliActor());
  if (!site) return ctx.out.Fail(site.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print(AdminSiteJson(*site));
  } else {
    std::cout << "site " << site->key << " updated\n";
  }
  return kExitOk;
}

int RunSiteRotateKey(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "site rotate-key needs one site KEY"});
  }
  Store store(ctx.settings);
  auto site = CliSiteService(store, ctx.settings).RotateKey(ctx.args.positional[0], CliActor());
  if (!site) return ctx.out.Fail(site.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print(AdminSiteJson(*site));
  } else {
    std::cout << site->key << "\n";
  }
  return kExitOk;
}

int RunSiteRemove(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "site remove needs one site KEY"});
  }
  const std::string& key = ctx.args.positional[0];
  Store store(ctx.settings);
  auto removed = CliSiteService(store, ctx.settings).Remove(key, CliActor());
  if (!removed) return ctx.out.Fail(removed.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print({{"removed", key}});
  } else {
    std::cout << "site " << key << " removed\n";
  }
  return kExitOk;
}

// site hours KEY: shows; with --zone (and the day, --holiday, --away-text flags) replaces them;
// with --clear removes them. Each day flag takes "HH:MM-HH:MM", repeated or comma-separated.
int RunSiteHours(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "site hours needs one site KEY"});
  }
  const std::string& key = ctx.args.positional[0];
  bool setting = ctx.args.Has("zone") || ctx.args.Has("holiday") || ctx.args.Has("away-text");
  for (int day = 0; day < 7; ++day)
    setting = setting || ctx.args.Has(std::string(WeekdayName(day)));
  if (setting && !ctx.args.Has("zone")) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage",
                         "site hours KEY needs --zone ZONE to set the hours (all at once)"});
  }
  if (setting && ctx.args.Has("clear")) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "give --clear or the hours, not both"});
  }
  Store store(ctx.settings);
  OfficeHoursService service(store.sites, store.office_hours, SystemZoneLoader(), SystemClock());
  Result<SiteHoursView> view = SiteHoursView{};
  if (ctx.args.Has("clear")) {
    auto cleared = service.Clear(key, CliActor());
    if (!cleared) return ctx.out.Fail(cleared.error());
  } else if (setting) {
    OfficeHours hours;
    hours.time_zone = *ctx.args.Get("zone");
    for (int day = 0; day < 7; ++day) {
      for (const auto& value : ctx.args.GetAll(std::string(WeekdayName(day)))) {
        std::size_t from = 0;
        while (from <= value.size()) {
          std::size_t comma = value.find(',', from);
          if (comma == std::string::npos) comma = value.size();
          auto interval = ParseHoursInterval(value.substr(from, comma - from));
          if (!interval) return ctx.out.Fail(interval.error());
          hours.week[day].push_back(*interval);
          from = comma + 1;
        }
      }
    }
    hours.holidays = ctx.args.GetAll("holiday");
    hours.away_text = ctx.args.Get("away-text").value_or("");
    view = service.Set(key, std::move(hours), CliActor());
  } else {
    view = service.Get(key);
  }
  if (!view) return ctx.out.Fail(view.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print(SiteHoursJson(key, *view));
    return kExitOk;
  }
  if (!view->hours) {
    std::cout << "site " << key << ": no office hours (always open)\n";
    return kExitOk;
  }
  const OfficeHours& h = *view->hours;
  std::cout << "zone      " << h.time_zone << "\nopen now  " << (view->open_now ? "yes" : "no")
            << "\n";
  for (int day = 0; day < 7; ++day) {
    std::cout << WeekdayName(day) << "       ";
    if (h.week[day].empty()) std::cout << "closed";
    for (std::size_t i = 0; i < h.week[day].size(); ++i) {
      std::cout << (i ? ", " : "") << FormatHoursInterval(h.week[day][i]);
    }
    std::cout << "\n";
  }
  for (const auto& d : h.holidays) std::cout << "holiday   " << d << "\n";
  if (!h.away_text.empty()) std::cout << "away text " << h.away_text << "\n";
  return kExitOk;
}

}  // namespace

std::vector<Command> SiteCommands() {
  return {
      {{"site", "add"},
       {{"name", true, false},
        {"origin", true, true},
        {"color", true, false},
        {"title", true, false},
        {"main", false, false}},
       "edgechatctl site add --name NAME [--origin URL...] [--color #RRGGBB] [--title TEXT]\n"
       "                     [--main]\n"
       "  Creates a site and prints its new site key. Origins are scheme://host[:port] or\n"
       "  *.domain entries (none yet is fine: add them with site update --add-origin);\n"
       "  --main marks the operator's own site.\n",
       RunSiteAdd},
      {{"site", "list"},
       {},
       "edgechatctl site list\n  Lists sites and their origins.\n",
       RunSiteList},
      {{"site", "show"},
       {},
       "edgechatctl site show KEY\n  One site with its settings.\n",
       RunSiteShow},
      {{"site", "update"},
       {{"name", true, false},
        {"title", true, false},
        {"color", true, false},
        {"lock", false, false},
        {"unlock", false, false},
        {"locked-message", true, false},
        {"locale", true, false},
        {"main", false, false},
        {"add-origin", true, true},
        {"remove-origin", true, true},
        {"rate-messages", true, false},
        {"rate-window", true, false},
        {"rate-burst", true, false},
        {"rate-message", true, false}},
       "edgechatctl site update KEY [--name N] [--title T] [--color #RRGGBB] [--lock | --unlock]\n"
       "      [--locked-message TEXT] [--locale TAG|auto] [--main] [--add-origin URL]...\n"
       "      [--remove-origin URL]... [--rate-messages N] [--rate-window SECONDS]\n"
       "      [--rate-burst N] [--rate-message TEXT]\n"
       "  Changes a site (all in one transaction); every edge enforces the change within about\n"
       "  a second.\n",
       RunSiteUpdate},
      {{"site", "rotate-key"},
       {},
       "edgechatctl site rotate-key KEY\n"
       "  Gives the site a new site key (printed); the old one stops working at once and the\n"
       "  embed snippet must be updated.\n",
       RunSiteRotateKey},
      {{"site", "remove"},
       {},
       "edgechatctl site remove KEY\n"
       "  Removes a site with its origins, keys, guests and conversations; the edge refuses\n"
       "  its key within about a second.\n",
       RunSiteRemove},
      {{"site", "hours"},
       {{"zone", true, false},
        {"mon", true, true},
        {"tue", true, true},
        {"wed", true, true},
        {"thu", true, true},
        {"fri", true, true},
        {"sat", true, true},
        {"sun", true, true},
        {"holiday", true, true},
        {"away-text", true, false},
        {"clear", false, false}},
       "edgechatctl site hours KEY\n"
       "edgechatctl site hours KEY --zone ZONE [--mon HH:MM-HH:MM[,HH:MM-HH:MM]]... [--tue ..]\n"
       "      ... [--sun ..] [--holiday YYYY-MM-DD]... [--away-text TEXT]\n"
       "edgechatctl site hours KEY --clear\n"
       "  Shows, replaces (all at once: a day not given is closed) or removes a site's office\n"
       "  hours. ZONE is an IANA name (Europe/Berlin, Asia/Tehran, UTC); intervals are local\n"
       "  time, start included, end excluded, up to 24:00. Outside the hours visitors see\n"
       "  \"closed\" with the away text; no hours: always open.\n",
       RunSiteHours},
  };
}

}  // namespace edgechat::ctl
