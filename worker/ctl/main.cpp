// edgechatctl: configuration and inspection of edgechat from the shell. See docs/cli.md.
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "admin/admin_json.hpp"
#include "api/json_shapes.hpp"
#include "common/ids.hpp"
#include "common/password.hpp"
#include "common/text.hpp"
#include "config/config.hpp"
#include "ctl/args.hpp"
#include "events/redis_relay.hpp"
#include "registry/registry.hpp"
#include "shared/origin.hpp"
#include "store/admin_repo.hpp"
#include "store/audit_repo.hpp"
#include "store/conversation_repo.hpp"
#include "store/event_retention.hpp"
#include "store/message_repo.hpp"
#include "store/migrations.hpp"
#include "store/pool.hpp"
#include "store/secret_key_repo.hpp"
#include "store/site_repo.hpp"

namespace edgechat::worker::ctl {
namespace {

using nlohmann::json;

struct Command {
  std::vector<std::string> words;
  std::vector<FlagSpec> flags;
  const char* usage;
  int (*run)(const ParsedArgs&, const Settings&);
};

bool g_json = false;  // set once from --json before any command runs

std::string Dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

int Fail(const Error& error) {
  if (g_json) {
    std::cerr << json{{"error", error.code}, {"message", error.message}}.dump() << "\n";
  } else {
    std::cerr << "edgechatctl: " << error.message << "\n";
  }
  return ExitCodeFor(error);
}

// The actor the audit log records for CLI changes: "cli:<login>".
Actor CliActor() {
  const char* user = std::getenv("USER");
  return Actor{std::string("cli:") + (user != nullptr && *user != '\0' ? user : "unknown")};
}

// After a change to sites: push the registry to Redis at once. The worker's poll is the safety
// net, so a Redis that is down is a warning, not a failure.
void PublishRegistryNow(ConnectionPool& pool, const Settings& settings) {
  auto published = PublishRegistry(pool, settings.redis);
  if (!published) {
    std::cerr << "edgechatctl: warning: registry not published now (" << published.error().message
              << "); a running worker publishes it within a second\n";
  }
}

int RunMigrate(const ParsedArgs& args, const Settings& settings) {
  std::string dir = args.Get("sql-dir").value_or(settings.sql_dir);
  auto files = ListMigrationFiles(dir);
  if (!files) return Fail(files.error());
  ConnectionPool pool(settings.db);
  auto outcomes = ApplyMigrations(pool, *files);
  if (!outcomes) return Fail(outcomes.error());
  json out = json::array();
  for (const auto& o : *outcomes) {
    out.push_back({{"version", o.file.version},
                   {"name", o.file.name},
                   {"checksum", o.checksum},
                   {"applied", o.applied_now}});
    if (!g_json) {
      std::cout << (o.applied_now ? "applied  " : "present  ") << o.file.name << "\n";
    }
  }
  if (g_json) std::cout << Dump(out) << "\n";
  return kExitOk;
}

// The password of admin add / admin passwd: the first line of stdin or --password.
Result<std::string> PasswordFrom(const ParsedArgs& args, const std::string& command) {
  if (args.Has("password-stdin") && args.Has("password")) {
    return Error{ErrorKind::kInvalidInput, "usage", "give either --password-stdin or --password"};
  }
  std::string password;
  if (args.Has("password-stdin")) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else if (auto p = args.Get("password")) {
    password = *p;
  } else {
    return Error{ErrorKind::kInvalidInput, "usage",
                 command + " needs --password-stdin or --password"};
  }
  auto hash = HashAdminPassword(password);
  sodium_memzero(password.data(), password.size());
  if (!hash && hash.error().code == "invalid_password") {
    return Error{ErrorKind::kInvalidInput, "usage", "the password must have at least 8 characters"};
  }
  return hash;
}

int RunAdminAdd(const ParsedArgs& args, const Settings& settings) {
  if (args.positional.size() != 1)
    return Fail({ErrorKind::kInvalidInput, "usage", "admin add needs one USERNAME"});
  const std::string& username = args.positional[0];
  if (username.empty() || username.size() > 100 || !IsValidUtf8(username)) {
    return Fail(
        {ErrorKind::kInvalidInput, "usage", "USERNAME must be 1 to 100 characters of UTF-8"});
  }
  auto hash = PasswordFrom(args, "admin add");
  if (!hash) return Fail(hash.error());
  ConnectionPool pool(settings.db);
  std::string display_name = args.Get("display-name").value_or(username);
  auto admin = CreateAdmin(pool, username, display_name, *hash, CliActor());
  if (!admin) return Fail(admin.error());
  if (g_json) {
    std::cout << Dump(AdminInfoJson(*admin)) << "\n";
  } else {
    std::cout << "admin " << username << " added\n";
  }
  return kExitOk;
}

int RunAdminList(const ParsedArgs& args, const Settings& settings) {
  if (!args.positional.empty())
    return Fail({ErrorKind::kInvalidInput, "usage", "unexpected " + args.positional[0]});
  ConnectionPool pool(settings.db);
  auto admins = ListAdmins(pool);
  if (!admins) return Fail(admins.error());
  if (g_json) {
    json out = json::array();
    for (const auto& a : *admins) out.push_back(AdminInfoJson(a));
    std::cout << Dump(out) << "\n";
    return kExitOk;
  }
  for (const auto& a : *admins) {
    std::cout << a.username << "  " << a.display_name << "  " << a.created_at
              << (a.disabled ? "  (disabled)" : "") << "\n";
  }
  return kExitOk;
}

// The admin a name reaches (as the panel resolves it), or Error{"not_found"}.
Result<AdminInfo> AdminNamed(ConnectionPool& pool, const std::string& username) {
  auto found = FindAdminCredentials(pool, username);
  if (!found) return found.error();
  if (!*found) return Error{ErrorKind::kNotFound, "not_found", "no admin \"" + username + "\""};
  return (*found)->info;
}

int RunAdminRemove(const ParsedArgs& args, const Settings& settings) {
  if (args.positional.size() != 1)
    return Fail({ErrorKind::kInvalidInput, "usage", "admin remove needs one USERNAME"});
  ConnectionPool pool(settings.db);
  auto admin = AdminNamed(pool, args.positional[0]);
  if (!admin) return Fail(admin.error());
  auto removed = RemoveAdmin(pool, admin->id, CliActor());
  if (!removed) return Fail(removed.error());
  if (g_json) {
    std::cout << Dump({{"removed", admin->username}}) << "\n";
  } else {
    std::cout << "admin " << admin->username << " removed\n";
  }
  return kExitOk;
}

int RunAdminPasswd(const ParsedArgs& args, const Settings& settings) {
  if (args.positional.size() != 1)
    return Fail({ErrorKind::kInvalidInput, "usage", "admin passwd needs one USERNAME"});
  auto hash = PasswordFrom(args, "admin passwd");
  if (!hash) return Fail(hash.error());
  ConnectionPool pool(settings.db);
  auto admin = AdminNamed(pool, args.positional[0]);
  if (!admin) return Fail(admin.error());
  auto changed = SetAdminPassword(pool, admin->id, *hash, CliActor());
  if (!changed) return Fail(changed.error());
  if (g_json) {
    std::cout << Dump({{"username", admin->username}, {"passwordChanged", true}}) << "\n";
  } else {
    std::cout << "password of " << admin->username << " changed; its sessions ended\n";
  }
  return kExitOk;
}

json SiteJson(const Site& s) {
  return AdminSiteJson(s);
}

int RunSiteAdd(const ParsedArgs& args, const Settings& settings) {
  if (!args.positional.empty())
    return Fail({ErrorKind::kInvalidInput, "usage", "unexpected " + args.positional[0]});
  NewSite site;
  auto name = args.Get("name");
  if (!name || name->empty() || name->size() > 200 || !IsValidUtf8(*name)) {
    return Fail(
        {ErrorKind::kInvalidInput, "usage", "site add needs --name NAME (1 to 200 characters)"});
  }
  site.name = *name;
  auto origins = args.GetAll("origin");
  if (origins.empty())
    return Fail({ErrorKind::kInvalidInput, "usage", "site add needs at least one --origin URL"});
  for (const auto& origin : origins) {
    auto normalized = shared::NormalizeAllowedOrigin(origin);
    if (!normalized) {
      return Fail({ErrorKind::kInvalidInput, "usage",
                   "--origin " + origin + ": " + normalized.error().message});
    }
    site.origins.push_back(*normalized);
  }
  if (auto color = args.Get("color")) {
    auto parsed = ParseColor(*color);
    if (!parsed) return Fail(parsed.error());
    site.primary_color = *parsed;
  }
  if (auto title = args.Get("title")) {
    if (title->empty() || title->size() > 200 || !IsValidUtf8(*title)) {
      return Fail(
          {ErrorKind::kInvalidInput, "usage", "--title must be 1 to 200 characters of UTF-8"});
    }
    site.title = *title;
  }
  site.is_main = args.Has("main");
  site.key = NewSiteKey(SodiumRandom());
  ConnectionPool pool(settings.db);
  auto created = CreateSite(pool, site, SitePatch{}, CliActor());
  if (!created) return Fail(created.error());
  PublishRegistryNow(pool, settings);
  if (g_json) {
    std::cout << Dump(SiteJson(*created)) << "\n";
  } else {
    std::cout << created->key << "\n";
  }
  return kExitOk;
}

int RunSiteList(const ParsedArgs& args, const Settings& settings) {
  if (!args.positional.empty())
    return Fail({ErrorKind::kInvalidInput, "usage", "unexpected " + args.positional[0]});
  ConnectionPool pool(settings.db);
  auto sites = ListSites(pool);
  if (!sites) return Fail(sites.error());
  if (g_json) {
    json out = json::array();
    for (const auto& s : *sites) out.push_back(SiteJson(s));
    std::cout << Dump(out) << "\n";
    return kExitOk;
  }
  for (const auto& s : *sites) {
    std::cout << s.key << "  " << s.name << (s.is_main ? "  (main)" : "")
              << (s.locked ? "  (locked)" : "") << "\n";
    for (const auto& o : s.origins) std::cout << "    " << o << "\n";
  }
  return kExitOk;
}

int RunMessagesList(const ParsedArgs& args, const Settings& settings) {
  if (!args.positional.empty())
    return Fail({ErrorKind::kInvalidInput, "usage", "unexpected " + args.positional[0]});
  unsigned limit = 50;
  if (auto l = args.Get("limit")) {
    auto parsed = ParsePositive("limit", *l, 10000);
    if (!parsed) return Fail(parsed.error());
    limit = *parsed;
  }
  ConnectionPool pool(settings.db);
  auto rows = ListRecentMessages(pool, args.Get("site"), limit);
  if (!rows) return Fail(rows.error());
  if (g_json) {
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
    std::cout << Dump(out) << "\n";
    return kExitOk;
  }
  for (const auto& r : *rows) {
    std::cout << r.created_at << "  #" << r.id << "  conv " << r.conversation_id << "  "
              << r.site_name << (r.source == "external" ? " (External Source)" : " (Main site)")
              << "  " << r.author << ": " << r.text << "\n";
  }
  return kExitOk;
}

// Site settings from flags (origins handled separately); usage errors name the flag.
struct SiteFlags {
  SitePatch patch;
  std::vector<std::string> add_origins;     // normalized
  std::vector<std::string> remove_origins;  // normalized
};

Result<SiteFlags> SiteFlagsFrom(const ParsedArgs& args) {
  SiteFlags out;
  SitePatch& p = out.patch;
  auto text_flag = [&](const char* flag, std::size_t max,
                       std::optional<std::string>& value) -> Status {
    if (auto v = args.Get(flag)) {
      if (v->size() > max || !IsValidUtf8(*v)) {
        return Error{ErrorKind::kInvalidInput, "usage",
                     std::string("--") + flag + " must be at most " + std::to_string(max) +
                         " bytes of UTF-8"};
      }
      value = *v;
    }
    return Ok{};
  };
  if (auto st = text_flag("name", 200, p.name); !st) return st.error();
  if (p.name && p.name->empty())
    return Error{ErrorKind::kInvalidInput, "usage", "--name must not be empty"};
  if (auto st = text_flag("title", 200, p.title); !st) return st.error();
  if (p.title && p.title->empty())
    return Error{ErrorKind::kInvalidInput, "usage", "--title must not be empty"};
  if (auto st = text_flag("locked-message", 500, p.locked_message); !st) return st.error();
  if (auto st = text_flag("rate-message", 500, p.limit_message); !st) return st.error();
  if (auto color = args.Get("color")) {
    auto parsed = ParseColor(*color);
    if (!parsed) return parsed.error();
    p.primary_color = *parsed;
  }
  if (args.Has("lock") && args.Has("unlock"))
    return Error{ErrorKind::kInvalidInput, "usage", "give --lock or --unlock"};
  if (args.Has("lock")) p.locked = true;
  if (args.Has("unlock")) p.locked = false;
  if (auto locale = args.Get("locale")) {
    if (*locale == "auto") {
      p.locale = std::string();  // cleared: the widget follows the page
    } else {
      bool ok = locale->size() >= 2 && locale->size() <= 16;
      for (char c : *locale) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
      if (!ok)
        return Error{ErrorKind::kInvalidInput, "usage",
                     "--locale must be a language tag like fa or en, or auto"};
      p.locale = *locale;
    }
  }
  if (args.Has("main")) p.is_main = true;
  auto number = [&](const char* flag, unsigned min, unsigned max,
                    std::optional<unsigned>& value) -> Status {
    if (auto v = args.Get(flag)) {
      unsigned parsed = 0;
      auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), parsed);
      if (ec != std::errc() || end != v->data() + v->size() || parsed < min || parsed > max) {
        return Error{ErrorKind::kInvalidInput, "usage",
                     std::string("--") + flag + " must be a number from " + std::to_string(min) +
                         " to " + std::to_string(max)};
      }
      value = parsed;
    }
    return Ok{};
  };
  if (auto st = number("rate-messages", 1, 1000000, p.limit_messages); !st) return st.error();
  if (auto st = number("rate-window", 1, 86400, p.limit_window_seconds); !st) return st.error();
  if (auto st = number("rate-burst", 0, 1000000, p.limit_burst); !st) return st.error();
  for (const auto& [flag, list] : {std::pair{"add-origin", &out.add_origins},
                                   std::pair{"remove-origin", &out.remove_origins}}) {
    for (const auto& origin : args.GetAll(flag)) {
      auto normalized = shared::NormalizeAllowedOrigin(origin);
      if (!normalized) {
        return Error{ErrorKind::kInvalidInput, "usage",
                     std::string("--") + flag + " " + origin + ": " + normalized.error().message};
      }
      list->push_back(*normalized);
    }
  }
  return out;
}

int RunSiteShow(const ParsedArgs& args, const Settings& settings) {
  if (args.positional.size() != 1)
    return Fail({ErrorKind::kInvalidInput, "usage", "site show needs one site KEY"});
  ConnectionPool pool(settings.db);
  auto site = FindSiteWithOrigins(pool, args.positional[0]);
  if (!site) return Fail(site.error());
  if (g_json) {
    std::cout << Dump(SiteJson(*site)) << "\n";
    return kExitOk;
  }
  const Site& s = *site;
  std::cout << "key            " << s.key << "\nname           " << s.name << "\ntitle          "
            << s.title << "\ncolor          " << s.primary_color << "\nmain           "
            << (s.is_main ? "yes" : "no") << "\nlocked         "
            << (s.locked ? "yes: " + s.locked_message : "no") << "\nlocale         "
            << s.locale.value_or("auto") << "\nrate limit     " << s.limits.messages << " per "
            << s.limits.window_seconds << " s, burst " << s.limits.burst << "\n";
  for (const auto& o : s.origins) std::cout << "origin         " << o << "\n";
  return kExitOk;
}

int RunSiteUpdate(const ParsedArgs& args, const Settings& settings) {
  if (args.positional.size() != 1)
    return Fail({ErrorKind::kInvalidInput, "usage", "site update needs one site KEY"});
  auto flags = SiteFlagsFrom(args);
  if (!flags) return Fail(flags.error());
  const std::string& key = args.positional[0];
  ConnectionPool pool(settings.db);
  Actor actor = CliActor();
  auto site = FindSiteWithOrigins(pool, key);
  if (!site) return Fail(site.error());
  if (!flags->patch.empty()) {
    site = UpdateSite(pool, key, flags->patch, actor);
    if (!site) return Fail(site.error());
  }
  for (const auto& origin : flags->remove_origins) {
    site = RemoveSiteOrigin(pool, key, origin, actor);
    if (!site) return Fail(site.error());
  }
  for (const auto& origin : flags->add_origins) {
    site = AddSiteOrigin(pool, key, origin, actor);
    if (!site) return Fail(site.error());
  }
  PublishRegistryNow(pool, settings);
  if (g_json) {
    std::cout << Dump(SiteJson(*site)) << "\n";
  } else {
    std::cout << "site " << site->key << " updated\n";
  }
  return kExitOk;
}

int RunSiteRotateKey(const ParsedArgs& args, const Settings& settings) {
  if (args.positional.size() != 1)
    return Fail({ErrorKind::kInvalidInput, "usage", "site rotate-key needs one site KEY"});
  ConnectionPool pool(settings.db);
  auto site = RegenerateSiteKey(pool, args.positional[0], NewSiteKey(SodiumRandom()), CliActor());
  if (!site) return Fail(site.error());
  PublishRegistryNow(pool, settings);
  if (g_json) {
    std::cout << Dump(SiteJson(*site)) << "\n";
  } else {
    std::cout << site->key << "\n";
  }
  return kExitOk;
}

int RunSiteRemove(const ParsedArgs& args, const Settings& settings) {
  if (args.positional.size() != 1)
    return Fail({ErrorKind::kInvalidInput, "usage", "site remove needs one site KEY"});
  ConnectionPool pool(settings.db);
  auto removed = DeleteSite(pool, args.positional[0], CliActor());
  if (!removed) return Fail(removed.error());
  PublishRegistryNow(pool, settings);
  if (g_json) {
    std::cout << Dump({{"removed", args.positional[0]}}) << "\n";
  } else {
    std::cout << "site " << args.positional[0] << " removed\n";
  }
  return kExitOk;
}

json SecretJson(const SecretKeyInfo& k) {
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return json{{"id", k.id},
              {"prefix", k.prefix},
              {"label", k.label},
              {"createdAt", k.created_at},
              {"lastUsedAt", opt(k.last_used_at)},
              {"revokedAt", opt(k.revoked_at)}};
}

int RunSecretAdd(const ParsedArgs& args, const Settings& settings) {
  if (args.positional.size() != 1)
    return Fail({ErrorKind::kInvalidInput, "usage", "secret add needs one site KEY"});
  std::string label = args.Get("label").value_or("");
  if (label.size() > 200 || !IsValidUtf8(label)) {
    return Fail({ErrorKind::kInvalidInput, "usage", "--label must be at most 200 bytes of UTF-8"});
  }
  std::string secret = NewSecretKey(SodiumRandom());
  ConnectionPool pool(settings.db);
  auto info = CreateSecretKey(pool, args.positional[0], secret, label, CliActor());
  if (!info) return Fail(info.error());
  PublishRegistryNow(pool, settings);
  if (g_json) {
    json out = SecretJson(*info);
    out["secret"] = secret;
    std::cout << Dump(out) << "\n";
  } else {
    std::cout << secret << "\n";
    std::cerr << "edgechatctl: this secret key is shown once; store it now\n";
  }
  return kExitOk;
}

int RunSecretList(const ParsedArgs& args, const Settings& settings) {
  if (args.positional.size() != 1)
    return Fail({ErrorKind::kInvalidInput, "usage", "secret list needs one site KEY"});
  ConnectionPool pool(settings.db);
  auto keys = ListSecretKeys(pool, args.positional[0]);
  if (!keys) return Fail(keys.error());
  if (g_json) {
    json out = json::array();
    for (const auto& k : *keys) out.push_back(SecretJson(k));
    std::cout << Dump(out) << "\n";
    return kExitOk;
  }
  for (const auto& k : *keys) {
    std::cout << "#" << k.id << "  " << k.prefix << "...  " << (k.revoked_at ? "revoked" : "live")
              << "  " << k.created_at << "  " << k.label << "\n";
  }
  return kExitOk;
}

int RunSecretRevoke(const ParsedArgs& args, const Settings& settings) {
  if (args.positional.size() != 2) {
    return Fail({ErrorKind::kInvalidInput, "usage",
                 "secret revoke needs a site KEY and a key ID or prefix"});
  }
  const std::string& key = args.positional[0];
  const std::string& which = args.positional[1];
  ConnectionPool pool(settings.db);
  auto keys = ListSecretKeys(pool, key);
  if (!keys) return Fail(keys.error());
  std::optional<std::uint64_t> id;
  for (const auto& k : *keys) {
    if (std::to_string(k.id) == which || k.prefix == which) {
      if (id)
        return Fail(
            {ErrorKind::kConflict, "conflict", "several keys match " + which + ": give the id"});
      id = k.id;
    }
  }
  if (!id)
    return Fail({ErrorKind::kNotFound, "not_found", "no secret key " + which + " on this site"});
  auto info = RevokeSecretKey(pool, key, *id, CliActor());
  if (!info) return Fail(info.error());
  PublishRegistryNow(pool, settings);
  if (g_json) {
    std::cout << Dump(SecretJson(*info)) << "\n";
  } else {
    std::cout << "secret key #" << info->id << " revoked\n";
  }
  return kExitOk;
}

json ConversationJson(const ConversationSummary& c) {
  return ConversationSummaryJson(c);
}

Result<std::uint64_t> ConversationIdArg(const ParsedArgs& args) {
  if (args.positional.size() != 1)
    return Error{ErrorKind::kInvalidInput, "usage", "give one conversation ID"};
  auto id = ParsePositive("ID", args.positional[0], 4000000000u);
  if (!id) return Error{ErrorKind::kInvalidInput, "usage", "ID must be a positive number"};
  return static_cast<std::uint64_t>(*id);
}

// The filter flags shared by `conversations list` and `export`: --site, --source, --status,
// --since, and --limit up to max_limit (filter's own limit when absent).
Result<ConversationFilter> ConversationFilterArgs(const ParsedArgs& args, ConversationFilter filter,
                                                  unsigned max_limit) {
  if (!args.positional.empty())
    return Error{ErrorKind::kInvalidInput, "usage", "unexpected " + args.positional[0]};
  filter.site_key = args.Get("site");
  filter.source = args.Get("source");
  if (filter.source && *filter.source != "main" && *filter.source != "external") {
    return Error{ErrorKind::kInvalidInput, "usage", "--source must be main or external"};
  }
  filter.status = args.Get("status");
  if (filter.status && *filter.status != "open" && *filter.status != "resolved") {
    return Error{ErrorKind::kInvalidInput, "usage", "--status must be open or resolved"};
  }
  if (auto since = args.Get("since")) {
    auto parsed = ParseSince(*since);
    if (!parsed) return parsed.error();
    filter.since = *parsed;
  }
  if (auto l = args.Get("limit")) {
    auto parsed = ParsePositive("limit", *l, max_limit);
    if (!parsed) return parsed.error();
    filter.limit = *parsed;
  }
  return filter;
}

int RunConversationsList(const ParsedArgs& args, const Settings& settings) {
  auto parsed_filter = ConversationFilterArgs(args, ConversationFilter{}, 10000);
  if (!parsed_filter) return Fail(parsed_filter.error());
  const ConversationFilter& filter = *parsed_filter;
  ConnectionPool pool(settings.db);
  auto rows = ListConversations(pool, filter);
  if (!rows) return Fail(rows.error());
  if (g_json) {
    json out = json::array();
    for (const auto& c : *rows) out.push_back(ConversationJson(c));
    std::cout << Dump(out) << "\n";
    return kExitOk;
  }
  for (const auto& c : *rows) {
    std::cout << "#" << c.id << "  " << c.status << "  " << c.site_name << " ("
              << SourceLabel(c.source) << ")  " << c.message_count << " messages  "
              << c.last_message_at.value_or(c.created_at) << "\n";
  }
  return kExitOk;
}

int RunConversationsShow(const ParsedArgs& args, const Settings& settings) {
  auto id = ConversationIdArg(args);
  if (!id) return Fail(id.error());
  ConnectionPool pool(settings.db);
  auto detail = ShowConversation(pool, *id);
  if (!detail) return Fail(detail.error());
  if (g_json) {
    json out = ConversationJson(detail->summary);
    out["messages"] = json::array();
    for (const auto& m : detail->messages) out["messages"].push_back(MessageJson(m));
    std::cout << Dump(out) << "\n";
    return kExitOk;
  }
  const auto& c = detail->summary;
  std::cout << "conversation #" << c.id << "  " << c.status << "  " << c.site_name << " ("
            << SourceLabel(c.source) << ")\n";
  for (const auto& m : detail->messages) {
    std::cout << m.created_at << "  #" << m.id << "  " << m.author << ": " << m.text
              << (m.reaction ? "  [" + *m.reaction + "]" : "") << "\n";
  }
  return kExitOk;
}

int RunConversationsReply(const ParsedArgs& args, const Settings& settings) {
  auto id = ConversationIdArg(args);
  if (!id) return Fail(id.error());
  auto text = args.Get("text");
  if (!text)
    return Fail({ErrorKind::kInvalidInput, "usage", "conversations reply needs --text TEXT"});
  auto valid = ValidateMessageText(*text);
  if (!valid) return Fail({ErrorKind::kInvalidInput, "usage", valid.error().message});
  auto client_id = args.Get("client-id");
  if (client_id && !IsValidClientId(*client_id)) {
    return Fail({ErrorKind::kInvalidInput, "usage",
                 "--client-id must be 1 to 64 characters of letters, digits, . _ : -"});
  }
  ConnectionPool pool(settings.db);
  auto reply = PostAgentReply(pool, *id, args.Get("as"), *valid, client_id);
  if (!reply) return Fail(reply.error());
  if (reply->event) DirectRedisPublisher(settings.redis).Publish(*reply->event);
  if (g_json) {
    std::cout << Dump({{"message", MessageJson(reply->message)}, {"created", reply->created}})
              << "\n";
  } else {
    std::cout << (reply->created ? "sent" : "already sent") << " #" << reply->message.id << "\n";
  }
  return kExitOk;
}

int RunConversationsStatus(const ParsedArgs& args, const Settings& settings,
                           const std::string& status) {
  auto id = ConversationIdArg(args);
  if (!id) return Fail(id.error());
  ConnectionPool pool(settings.db);
  auto event = SetConversationStatus(pool, *id, status);
  if (!event) return Fail(event.error());
  if (*event) DirectRedisPublisher(settings.redis).Publish(**event);
  if (g_json) {
    std::cout << Dump({{"id", *id}, {"status", status}, {"changed", event->has_value()}}) << "\n";
  } else {
    std::cout << "conversation #" << *id << " " << status << "\n";
  }
  return kExitOk;
}

// One JSON object per line: each conversation with all its messages (likes and dislikes too).
int RunConversationsExport(const ParsedArgs& args, const Settings& settings) {
  ConversationFilter everything;
  everything.limit = 1000000;
  auto parsed_filter = ConversationFilterArgs(args, everything, 1000000);
  if (!parsed_filter) return Fail(parsed_filter.error());
  const ConversationFilter& filter = *parsed_filter;
  ConnectionPool pool(settings.db);
  auto rows = ListConversations(pool, filter);
  if (!rows) return Fail(rows.error());
  for (const auto& c : *rows) {
    auto detail = ShowConversation(pool, c.id);
    if (!detail) return Fail(detail.error());
    json line = ConversationSummaryJson(detail->summary);
    line["messages"] = json::array();
    for (const auto& m : detail->messages) line["messages"].push_back(AdminMessageJson(m));
    std::cout << line.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  }
  std::cout.flush();
  return std::cout ? kExitOk
                   : Fail({ErrorKind::kInternal, "internal", "could not write the export"});
}

int RunConversationsResolve(const ParsedArgs& args, const Settings& settings) {
  return RunConversationsStatus(args, settings, "resolved");
}

int RunConversationsReopen(const ParsedArgs& args, const Settings& settings) {
  return RunConversationsStatus(args, settings, "open");
}

// One retention run now, as the worker's pruner does periodically (docs/cli.md).
int RunEventsPrune(const ParsedArgs& args, const Settings& settings) {
  if (!args.positional.empty())
    return Fail({ErrorKind::kInvalidInput, "usage", "unexpected " + args.positional[0]});
  unsigned days = settings.event_retention_days;
  if (auto d = args.Get("older-than-days")) {
    auto parsed = ParsePositive("older-than-days", *d, kMaxEventRetentionDays);
    if (!parsed) return Fail(parsed.error());
    days = *parsed;
  }
  unsigned batch = kDefaultPruneBatch;
  if (auto b = args.Get("batch")) {
    auto parsed = ParsePositive("batch", *b, 10000);
    if (!parsed) return Fail(parsed.error());
    batch = *parsed;
  }
  ConnectionPool pool(settings.db);
  EventPruner pruner(pool, days, std::chrono::seconds(0), batch);
  auto report = pruner.RunOnce();
  if (!report) return Fail(report.error());
  if (g_json) {
    std::cout << Dump({{"deleted", report->deleted},
                       {"batches", report->batches},
                       {"olderThanDays", days},
                       {"before", MysqlUtcToIso(report->horizon)},
                       {"prunedThrough", report->pruned_through}})
              << "\n";
  } else {
    std::cout << "pruned " << report->deleted << " events created before "
              << MysqlUtcToIso(report->horizon) << " (" << days << " days); events up to id "
              << report->pruned_through << " may be gone\n";
  }
  return kExitOk;
}

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {{"migrate"},
       {{"sql-dir", true, false}},
       "edgechatctl migrate [--sql-dir DIR]\n"
       "  Applies sql/NNN_*.sql migrations not yet recorded in schema_migrations, in order.\n"
       "  DIR defaults to the config key sql.dir (/usr/share/edgechat/sql).\n",
       RunMigrate},
      {{"admin", "add"},
       {{"password-stdin", false, false}, {"password", true, false}, {"display-name", true, false}},
       "edgechatctl admin add USERNAME (--password-stdin | --password P) [--display-name N]\n"
       "  Creates a panel admin; the password is stored as an Argon2id hash.\n",
       RunAdminAdd},
      {{"admin", "list"}, {}, "edgechatctl admin list\n  The panel's admins.\n", RunAdminList},
      {{"admin", "remove"},
       {},
       "edgechatctl admin remove USERNAME\n"
       "  Removes an admin and ends their sessions; the last admin cannot be removed.\n",
       RunAdminRemove},
      {{"admin", "passwd"},
       {{"password-stdin", false, false}, {"password", true, false}},
       "edgechatctl admin passwd USERNAME (--password-stdin | --password P)\n"
       "  Sets a new password (Argon2id) and ends the admin's sessions.\n",
       RunAdminPasswd},
      {{"site", "add"},
       {{"name", true, false},
        {"origin", true, true},
        {"color", true, false},
        {"title", true, false},
        {"main", false, false}},
       "edgechatctl site add --name NAME --origin URL [--origin URL...] [--color #RRGGBB]\n"
       "                     [--title TEXT] [--main]\n"
       "  Creates a site and prints its new site key. Origins are scheme://host[:port] or\n"
       "  *.domain entries; --main marks the operator's own site.\n",
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
       "  Changes a site; every edge enforces the change within about a second.\n",
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
      {{"secret", "add"},
       {{"label", true, false}},
       "edgechatctl secret add SITE_KEY [--label TEXT]\n"
       "  Creates a secret key for server-to-server calls, prints it once; only its hash is\n"
       "  stored.\n",
       RunSecretAdd},
      {{"secret", "list"},
       {},
       "edgechatctl secret list SITE_KEY\n  The site's secret keys (prefix, label, state).\n",
       RunSecretList},
      {{"secret", "revoke"},
       {},
       "edgechatctl secret revoke SITE_KEY ID|PREFIX\n  Revokes one secret key.\n",
       RunSecretRevoke},
      {{"messages", "list"},
       {{"site", true, false}, {"limit", true, false}},
       "edgechatctl messages list [--site KEY] [--limit N]\n"
       "  The newest messages (default 50), newest first.\n",
       RunMessagesList},
      {{"conversations", "list"},
       {{"site", true, false},
        {"source", true, false},
        {"status", true, false},
        {"since", true, false},
        {"limit", true, false}},
       "edgechatctl conversations list [--site KEY] [--source main|external]\n"
       "                               [--status open|resolved] [--since ISO-DATE] [--limit N]\n"
       "  Conversations, most recent activity first (default 50).\n",
       RunConversationsList},
      {{"conversations", "show"},
       {},
       "edgechatctl conversations show ID\n"
       "  One conversation with its messages and the guest's reactions.\n",
       RunConversationsShow},
      {{"conversations", "reply"},
       {{"text", true, false}, {"as", true, false}, {"client-id", true, false}},
       "edgechatctl conversations reply ID --text TEXT [--as USERNAME] [--client-id ID]\n"
       "  Posts an agent reply; the guest's open event streams get it at once.\n",
       RunConversationsReply},
      {{"conversations", "resolve"},
       {},
       "edgechatctl conversations resolve ID\n  Marks a conversation resolved.\n",
       RunConversationsResolve},
      {{"conversations", "reopen"},
       {},
       "edgechatctl conversations reopen ID\n  Marks a conversation open again.\n",
       RunConversationsReopen},
      {{"conversations", "export"},
       {{"site", true, false},
        {"source", true, false},
        {"status", true, false},
        {"since", true, false},
        {"limit", true, false}},
       "edgechatctl conversations export [--site KEY] [--source main|external]\n"
       "                                 [--status open|resolved] [--since ISO-DATE] [--limit N]\n"
       "  Every matching conversation with all its messages as JSON lines (one per line).\n",
       RunConversationsExport},
      {{"events", "prune"},
       {{"older-than-days", true, false}, {"batch", true, false}},
       "edgechatctl events prune [--older-than-days N] [--batch N]\n"
       "  Deletes events older than N days (default: events.retention_days), keeping each\n"
       "  conversation's newest event, in batches of N (default 1000). Messages stay.\n",
       RunEventsPrune},
  };
  return *commands;
}

void PrintOverview(std::ostream& out) {
  out << "usage: edgechatctl [--config FILE] [--json] COMMAND ...\n\ncommands:\n";
  for (const auto& c : Commands()) {
    std::string first_line(c.usage, std::string_view(c.usage).find('\n'));
    out << "  " << first_line << "\n";
  }
  out << "\nEvery command accepts --help, --json and --config FILE (else $EDGECHAT_CONFIG).\n"
         "Exit codes: 0 ok, 1 failure, 2 bad usage, 3 not found or conflict,\n"
         "4 database unreachable.\n";
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  CommandLine line = SplitCommand(args, 2);
  const Command* command = nullptr;
  for (const auto& c : Commands()) {
    if (c.words == line.words) command = &c;
  }
  if (command == nullptr) {
    bool wants_help = (std::find(args.begin(), args.end(), "--help") != args.end() ||
                       std::find(args.begin(), args.end(), "-h") != args.end());
    PrintOverview(wants_help ? std::cout : std::cerr);
    if (wants_help) return kExitOk;
    if (!line.words.empty() && !wants_help) {
      std::string joined;
      for (const auto& w : line.words) joined += (joined.empty() ? "" : " ") + w;
      std::cerr << "\nedgechatctl: unknown command \"" << joined << "\"\n";
    }
    return kExitUsage;
  }
  auto parsed = ParseArgs(line.rest, command->flags);
  if (!parsed) {
    std::cerr << "edgechatctl: " << parsed.error().message << "\n\nusage: " << command->usage;
    return kExitUsage;
  }
  g_json = parsed->Has("json");
  if (parsed->Has("help")) {
    std::cout << "usage: " << command->usage;
    return kExitOk;
  }
  auto env = ProcessEnv();
  auto settings = LoadSettings(ConfigPathFrom(parsed->Get("config"), env), env);
  if (!settings) return Fail(settings.error());
  return command->run(*parsed, *settings);
}

}  // namespace
}  // namespace edgechat::worker::ctl

int main(int argc, char** argv) {
  return edgechat::worker::ctl::Main(argc, argv);
}
