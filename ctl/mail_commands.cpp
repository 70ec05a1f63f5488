// admin mail: shows or changes an admin's mail preferences over MailPreferencesService.
#include <charconv>
#include <iostream>

#include "ctl/commands.hpp"
#include "json/admin_json.hpp"
#include "service/mail_preferences_service.hpp"

namespace edgechat::ctl {

using namespace edgechat::worker;

namespace {

Result<std::optional<bool>> OnOffFlag(const ParsedArgs& args, const char* flag) {
  auto v = args.Get(flag);
  if (!v) return std::optional<bool>();
  if (*v == "on") return std::optional<bool>(true);
  if (*v == "off") return std::optional<bool>(false);
  return Error{ErrorKind::kInvalidInput, "usage", std::string("--") + flag + " must be on or off"};
}

int RunAdminMail(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "admin mail needs one USERNAME"});
  }
  MailPreferencesChange change;
  change.email = ctx.args.Get("email");
  change.locale = ctx.args.Get("locale");
  auto new_conversation = OnOffFlag(ctx.args, "new-conversation");
  if (!new_conversation) return ctx.out.Fail(new_conversation.error());
  change.new_conversation = *new_conversation;
  if (auto minutes = ctx.args.Get("unanswered-minutes")) {
    unsigned parsed = 0;
    auto [end, ec] = std::from_chars(minutes->data(), minutes->data() + minutes->size(), parsed);
    if (ec != std::errc() || end != minutes->data() + minutes->size()) {
      return ctx.out.Fail({ErrorKind::kInvalidInput, "usage",
                           "--unanswered-minutes must be a whole number (0 turns it off)"});
    }
    change.unanswered_minutes = parsed;
  }
  const bool changing =
      change.email || change.locale || change.new_conversation || change.unanswered_minutes;
  Store store(ctx.settings);
  MailPreferencesService service(store.mail_preferences);
  auto prefs = changing ? service.Update(ctx.args.positional[0], change)
                        : service.Get(ctx.args.positional[0]);
  if (!prefs) return ctx.out.Fail(prefs.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print(MailPreferencesJson(*prefs));
    return kExitOk;
  }
  std::cout << "mail of " << prefs->username << ": "
            << (prefs->email.empty() ? "(no address: no mail)" : prefs->email) << ", "
            << prefs->locale << ", new conversations " << (prefs->new_conversation ? "on" : "off")
            << ", unanswered after "
            << (prefs->unanswered_minutes == 0
                    ? std::string("off")
                    : std::to_string(prefs->unanswered_minutes) + " minutes")
            << "\n";
  return kExitOk;
}

}  // namespace

std::vector<Command> MailCommands() {
  return {
      {{"admin", "mail"},
       {{"email", true, false},
        {"locale", true, false},
        {"new-conversation", true, false},
        {"unanswered-minutes", true, false}},
       "edgechatctl admin mail USERNAME [--email ADDRESS] [--locale en|fa]\n"
       "    [--new-conversation on|off] [--unanswered-minutes N]\n"
       "  Shows, or changes, where the admin's mails go and which they get: a mail for each new\n"
       "  conversation, and one when a visitor's message waits N minutes (0: never). An empty\n"
       "  --email stops every mail.\n",
       RunAdminMail},
  };
}

}  // namespace edgechat::ctl
