// The commands of edgechatctl, one file per noun: each turns argv into a service's input, calls
// the service and prints its result (ctl/output.hpp). main.cpp dispatches.
#pragma once

#include <memory>
#include <optional>
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
std::vector<Command> MailCommands();     // admin mail
std::vector<Command> WebhookCommands();  // webhook ...
std::vector<Command> ConversationCommands();
std::vector<Command> MaintenanceCommands();  // migrate, events prune, messages list
std::vector<Command> DoctorCommands();       // doctor

// The actor the audit log records for CLI changes: "cli:<login>".
worker::Actor CliActor();

// The database of one command and the repositories over it (the pool connects on first use).
struct Store {
  explicit Store(const worker::Settings& settings)
      : pool(settings.db),
        identity_box(IdentityBoxOf(settings)),
        sites(pool),
        secret_keys(pool, identity_box ? &*identity_box : nullptr),
        admins(pool),
        conversations(pool),
        mail_preferences(pool),
        office_hours(pool) {}
  // identity.key_file, read as the worker reads it: new secret keys keep a sealed copy (identity
  // tokens). A configured file that cannot be read stops `secret add` (RequireIdentityBox).
  static std::optional<worker::SecretBox> IdentityBoxOf(const worker::Settings& settings) {
    if (settings.identity_key_file.empty()) return std::nullopt;
    auto box = worker::SecretBox::FromFile(settings.identity_key_file);
    if (!box) return std::nullopt;
    return std::optional<worker::SecretBox>(std::move(box).value());
  }
  worker::ConnectionPool pool;
  std::optional<worker::SecretBox> identity_box;
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
