// edgechatctl: configuration and inspection of edgechat from the shell. See docs/cli.md.
// Dispatch, help and the overview; the commands live in one file per noun (ctl/commands.hpp).
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "ctl/commands.hpp"

namespace edgechat::ctl {

// The CLI is a front end over the worker's store and services.
using namespace edgechat::worker;

Actor CliActor() {
  const char* user = std::getenv("USER");
  return Actor{std::string("cli:") + (user != nullptr && *user != '\0' ? user : "unknown")};
}

namespace {

// Every command, in the order of docs/cli.md and of the overview.
std::vector<Command> AllCommands() {
  std::vector<Command> maintenance = MaintenanceCommands();  // migrate, messages list, prune
  std::vector<Command> all;
  auto append = [&all](std::vector<Command> more) {
    for (auto& c : more) all.push_back(std::move(c));
  };
  all.push_back(maintenance.at(0));
  append(AdminCommands());
  append(MailCommands());
  append(WebhookCommands());
  append(SiteCommands());
  append(SecretCommands());
  all.push_back(maintenance.at(1));
  append(ConversationCommands());
  all.push_back(maintenance.at(2));
  all.push_back(maintenance.at(3));  // registry republish
  append(DoctorCommands());
  return all;
}

void PrintOverview(const std::vector<Command>& commands, std::ostream& out) {
  out << "usage: edgechatctl [--config FILE] [--json] COMMAND ...\n\ncommands:\n";
  for (const auto& c : commands) {
    std::string first_line(c.usage, std::string_view(c.usage).find('\n'));
    out << "  " << first_line << "\n";
  }
  out << "\nEvery command accepts --help, --json and --config FILE (else $EDGECHAT_CONFIG,\n"
         "else /etc/edgechat/edgechat.conf if it exists).\n"
         "Exit codes: 0 ok, 1 failure, 2 bad usage, 3 not found or conflict,\n"
         "4 database unreachable.\n";
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::vector<Command> commands = AllCommands();
  CommandLine line = SplitCommand(args, 2);
  const Command* command = nullptr;
  for (const auto& c : commands) {
    if (c.words == line.words) command = &c;
  }
  if (command == nullptr) {
    bool wants_help = (std::find(args.begin(), args.end(), "--help") != args.end() ||
                       std::find(args.begin(), args.end(), "-h") != args.end());
    PrintOverview(commands, wants_help ? std::cout : std::cerr);
    if (wants_help) return kExitOk;
    if (!line.words.empty()) {
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
  Output out(parsed->Has("json"));
  if (parsed->Has("help")) {
    std::cout << "usage: " << command->usage;
    return kExitOk;
  }
  auto env = ProcessEnv();
  auto settings = LoadSettings(ConfigPathFrom(parsed->Get("config"), env), env);
  if (!settings) return out.Fail(settings.error());
  return command->run(Context{*parsed, *settings, out});
}

}  // namespace
}  // namespace edgechat::ctl

int main(int argc, char** argv) {
  return edgechat::ctl::Main(argc, argv);
}
