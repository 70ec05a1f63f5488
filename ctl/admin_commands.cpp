// admin add|list|remove|passwd over AdminService. The CLI acts as an operator with shell access:
// no acting admin, so the panel's "this is me" rules do not apply.
#include <sodium.h>

#include <iostream>

#include "ctl/commands.hpp"
#include "json/admin_json.hpp"
#include "registry/redis_presence.hpp"
#include "service/presence.hpp"

namespace edgechat::ctl {

// The CLI is a front end over the worker's store and services.
using namespace edgechat::worker;

using nlohmann::json;

namespace {

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
  return password;
}

AdminActor CliAdminActor() {
  return AdminActor{CliActor(), std::nullopt};
}

int RunAdminAdd(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "admin add needs one USERNAME"});
  }
  auto password = PasswordFrom(ctx.args, "admin add");
  if (!password) return ctx.out.Fail(password.error());
  NewAdmin request{ctx.args.positional[0], ctx.args.Get("display-name"),
                   std::move(password).value()};
  Store store(ctx.settings);
  auto admin = AdminService(store.admins).Create(request, CliActor());
  sodium_memzero(request.password.data(), request.password.size());
  if (!admin) return ctx.out.Fail(admin.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print(AdminInfoJson(*admin));
  } else {
    std::cout << "admin " << admin->username << " added\n";
  }
  return kExitOk;
}

int RunAdminList(const Context& ctx) {
  if (!ctx.args.positional.empty()) {
    return ctx.out.Fail(
        {ErrorKind::kInvalidInput, "usage", "unexpected " + ctx.args.positional[0]});
  }
  Store store(ctx.settings);
  auto admins = AdminService(store.admins).List();
  if (!admins) return ctx.out.Fail(admins.error());
  if (ctx.out.json_mode()) {
    json out = json::array();
    for (const auto& a : *admins) out.push_back(AdminInfoJson(a));
    ctx.out.Print(out);
    return kExitOk;
  }
  for (const auto& a : *admins) {
    std::cout << a.username << "  " << a.display_name << "  " << a.created_at
              << (a.disabled ? "  (disabled)" : "") << "\n";
  }
  return kExitOk;
}

// Each admin's availability as the panel and the visitors see it (presence in Redis).
int RunAdminPresence(const Context& ctx) {
  if (!ctx.args.positional.empty()) {
    return ctx.out.Fail(
        {ErrorKind::kInvalidInput, "usage", "unexpected " + ctx.args.positional[0]});
  }
  Store store(ctx.settings);
  auto admins = AdminService(store.admins).List();
  if (!admins) return ctx.out.Fail(admins.error());
  RedisPresenceStore redis(ctx.settings.redis);
  const auto& p = ctx.settings.presence;
  PresenceService presence(
      redis, SystemClock(),
      PresenceOptions{std::chrono::seconds(p.ttl_s), std::chrono::seconds(p.beat_s),
                      std::chrono::seconds(p.idle_s)});
  auto agents = presence.List();
  if (!agents) return ctx.out.Fail(agents.error());
  auto state_of = [&](std::uint64_t id) {
    for (const auto& agent : *agents) {
      if (agent.admin_id == id) return AgentStateName(agent.state);
    }
    return AgentStateName(AgentState::kOffline);
  };
  bool anyone = false;
  for (const auto& agent : *agents) anyone = anyone || agent.state == AgentState::kOnline;
  const char* visitors = anyone ? "online" : "away";
  if (ctx.out.json_mode()) {
    json list = json::array();
    for (const auto& a : *admins) {
      list.push_back(json{{"username", a.username}, {"state", state_of(a.id)}});
    }
    ctx.out.Print(json{{"admins", list}, {"visitorsSee", visitors}});
    return kExitOk;
  }
  for (const auto& a : *admins) std::cout << a.username << "  " << state_of(a.id) << "\n";
  std::cout << "visitors see: " << visitors << "\n";
  return kExitOk;
}

int RunAdminRemove(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "admin remove needs one USERNAME"});
  }
  Store store(ctx.settings);
  auto removed = AdminService(store.admins).Remove(ctx.args.positional[0], CliAdminActor());
  if (!removed) return ctx.out.Fail(removed.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print({{"removed", removed->username}});
  } else {
    std::cout << "admin " << removed->username << " removed\n";
  }
  return kExitOk;
}

int RunAdminPasswd(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "admin passwd needs one USERNAME"});
  }
  auto password = PasswordFrom(ctx.args, "admin passwd");
  if (!password) return ctx.out.Fail(password.error());
  PasswordChange change{std::move(password).value(), std::nullopt, std::nullopt};
  Store store(ctx.settings);
  auto admin =
      AdminService(store.admins).SetPassword(ctx.args.positional[0], change, CliAdminActor());
  sodium_memzero(change.password.data(), change.password.size());
  if (!admin) return ctx.out.Fail(admin.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print({{"username", admin->username}, {"passwordChanged", true}});
  } else {
    std::cout << "password of " << admin->username << " changed; its sessions ended\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> AdminCommands() {
  return {
      {{"admin", "add"},
       {{"password-stdin", false, false}, {"password", true, false}, {"display-name", true, false}},
       "edgechatctl admin add USERNAME (--password-stdin | --password P) [--display-name N]\n"
       "  Creates a panel admin; the password is stored as an Argon2id hash.\n",
       RunAdminAdd},
      {{"admin", "list"}, {}, "edgechatctl admin list\n  The panel's admins.\n", RunAdminList},
      {{"admin", "presence"},
       {},
       "edgechatctl admin presence\n"
       "  Each admin's availability (online, away, offline) and what visitors see.\n",
       RunAdminPresence},
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
  };
}

}  // namespace edgechat::ctl
