// The commands of edgechatctl, one file per noun: each turns argv into a service's input, calls
// the service and prints its result (ctl/output.hpp). main.cpp dispatches.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "ctl/args.hpp"
#include "ctl/output.hpp"
#include "service/admin_service.hpp"
#include "service/conversation_service.hpp"
#include "service/site_service.hpp"
#include "store/admin_repo.hpp"
#include "store/audit_repo.hpp"
#include "store/conversation_repo.hpp"
#include "store/office_hours_repo.hpp"
#include "store/outbox_repo.hpp"
#include "store/pool.hpp"
#include "store/secret_key_repo.hpp"
#include "store/site_repo.hpp"

namespace edgechat::ctl {

// What a command runs with.
struct Context {
  const ParsedArgs& args;
  const worker::Settings& settings;
  const Output& out;
};

struct Command {
  std::vector<std::string> words;
  std::vector<FlagSpec> flags;
  const char* usage;
  int (*run)(const Context&);
};

std::vector<Command> SiteCommands();
std::vector<Command> SecretCommands();
std::vector<Command> AdminCommands();
std::vector<Command> MailCommands();  // admin mail
std::vector<Command> ConversationCommands();
std::vector<Command> MaintenanceCommands();  // migrate, events prune, messages list
std::vector<Command> DoctorCommands();       // doctor

// The actor the audit log records for CLI changes: "cli:<login>".
worker::Actor CliActor();

// The database of one command and the repositories over it (the pool connects on first use).
struct Store {
  explicit Store(const worker::Settings& settings)
      : pool(settings.db),
        sites(pool),
        secret_keys(pool),
        admins(pool),
        conversations(pool),
        mail_preferences(pool),
        office_hours(pool) {}
  worker::ConnectionPool pool;
  worker::MysqlSiteRepo sites;
  worker::MysqlSecretKeyRepo secret_keys;
  worker::MysqlAdminRepo admins;
  worker::MysqlConversationRepo conversations;
  worker::MysqlMailPreferencesRepo mail_preferences;
  worker::MysqlOfficeHoursRepo office_hours;
};

// The site service as the CLI wires it: every change is published to Redis at once (a Redis
// that is down is a warning: a running worker republishes within a second).
worker::SiteService CliSiteService(Store& store, const worker::Settings& settings);

}  // namespace edgechat::ctl
