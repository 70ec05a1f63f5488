// conversations list|show|reply|resolve|reopen|export over ConversationService; events reach the
// guests' streams through Redis.
#include <iostream>

#include "ctl/commands.hpp"
#include "events/redis_relay.hpp"
#include "json/admin_json.hpp"
#include "json/json_shapes.hpp"

namespace edgechat::ctl {

// The CLI is a front end over the worker's store and services.
using namespace edgechat::worker;

using nlohmann::json;

namespace {

Result<std::uint64_t> ConversationIdArg(const ParsedArgs& args) {
  if (args.positional.size() != 1)
    return Error{ErrorKind::kInvalidInput, "usage", "give one conversation ID"};
  auto id = ParsePositive("ID", args.positional[0], 4000000000u);
  if (!id) return Error{ErrorKind::kInvalidInput, "usage", "ID must be a positive number"};
  return static_cast<std::uint64_t>(*id);
}

// The filter flags shared by `conversations list` and `export`: --site, --source, --status,
// --since, and --limit up to max_limit (filter's own limit when absent). The service checks
// source and status.
Result<ConversationFilter> ConversationFilterArgs(const ParsedArgs& args, ConversationFilter filter,
                                                  unsigned max_limit) {
  if (!args.positional.empty())
    return Error{ErrorKind::kInvalidInput, "usage", "unexpected " + args.positional[0]};
  filter.site_key = args.Get("site");
  filter.source = args.Get("source");
  filter.status = args.Get("status");
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

// The services of one conversation command: the store, and Redis for the events.
struct Conversations {
  explicit Conversations(const Settings& settings)
      : store(settings), publisher(settings.redis), service(store.conversations, publisher) {}
  Store store;
  DirectRedisPublisher publisher;
  ConversationService service;
};

int RunConversationsList(const Context& ctx) {
  auto filter = ConversationFilterArgs(ctx.args, ConversationFilter{}, 10000);
  if (!filter) return ctx.out.Fail(filter.error());
  Conversations c(ctx.settings);
  auto rows = c.service.List(*filter);
  if (!rows) return ctx.out.Fail(rows.error());
  if (ctx.out.json_mode()) {
    json out = json::array();
    for (const auto& row : *rows) out.push_back(ConversationSummaryJson(row));
    ctx.out.Print(out);
    return kExitOk;
  }
  for (const auto& row : *rows) {
    std::cout << "#" << row.id << "  " << row.status << "  " << row.site_name << " ("
              << SourceLabel(row.source) << ")  " << row.message_count << " messages  "
              << row.last_message_at.value_or(row.created_at) << "\n";
  }
  return kExitOk;
}

int RunConversationsShow(const Context& ctx) {
  auto id = ConversationIdArg(ctx.args);
  if (!id) return ctx.out.Fail(id.error());
  Conversations c(ctx.settings);
  auto detail = c.service.Show(*id);
  if (!detail) return ctx.out.Fail(detail.error());
  if (ctx.out.json_mode()) {
    json out = ConversationSummaryJson(detail->summary);
    out["messages"] = json::array();
    for (const auto& m : detail->messages) out["messages"].push_back(MessageJson(m));
    out["context"] = VisitorContextJson(detail->context);
    ctx.out.Print(out);
    return kExitOk;
  }
  const auto& s = detail->summary;
  std::cout << "conversation #" << s.id << "  " << s.status << "  " << s.site_name << " ("
            << SourceLabel(s.source) << ")\n";
  if (s.visitor_name) std::cout << "visitor: " << *s.visitor_name << "\n";
  if (detail->context) {
    // Stored cleaned (no control characters), so safe to print as is.
    const VisitorContext& v = detail->context->context;
    for (const auto& [label, value] :
         {std::pair<const char*, const std::string*>{"page", &v.page_url},
          {"title", &v.page_title},
          {"referrer", &v.referrer},
          {"language", &v.language},
          {"time zone", &v.time_zone},
          {"browser", &v.browser}}) {
      if (!value->empty()) std::cout << "  " << label << ": " << *value << "\n";
    }
  }
  for (const auto& m : detail->messages) {
    std::cout << m.created_at << "  #" << m.id << "  " << m.author << ": " << m.text
              << (m.reaction ? "  [" + *m.reaction + "]" : "") << "\n";
  }
  return kExitOk;
}

int RunConversationsReply(const Context& ctx) {
  auto id = ConversationIdArg(ctx.args);
  if (!id) return ctx.out.Fail(id.error());
  auto text = ctx.args.Get("text");
  if (!text)
    return ctx.out.Fail(
        {ErrorKind::kInvalidInput, "usage", "conversations reply needs --text TEXT"});
  Conversations c(ctx.settings);
  auto reply =
      c.service.Reply(*id, ReplyInput{ctx.args.Get("as"), *text, ctx.args.Get("client-id")});
  if (!reply) return ctx.out.Fail(reply.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print({{"message", MessageJson(reply->message)}, {"created", reply->created}});
  } else {
    std::cout << (reply->created ? "sent" : "already sent") << " #" << reply->message.id << "\n";
  }
  return kExitOk;
}

int RunConversationsStatus(const Context& ctx, const std::string& status) {
  auto id = ConversationIdArg(ctx.args);
  if (!id) return ctx.out.Fail(id.error());
  Conversations c(ctx.settings);
  auto changed = c.service.SetStatus(*id, status);
  if (!changed) return ctx.out.Fail(changed.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print({{"id", *id}, {"status", status}, {"changed", *changed}});
  } else {
    std::cout << "conversation #" << *id << " " << status << "\n";
  }
  return kExitOk;
}

int RunConversationsResolve(const Context& ctx) {
  return RunConversationsStatus(ctx, "resolved");
}

int RunConversationsReopen(const Context& ctx) {
  return RunConversationsStatus(ctx, "open");
}

// One JSON object per line: each conversation with all its messages (likes and dislikes too).
int RunConversationsExport(const Context& ctx) {
  ConversationFilter everything;
  everything.limit = 1000000;
  auto filter = ConversationFilterArgs(ctx.args, everything, 1000000);
  if (!filter) return ctx.out.Fail(filter.error());
  Conversations c(ctx.settings);
  auto rows = c.service.List(*filter);
  if (!rows) return ctx.out.Fail(rows.error());
  for (const auto& row : *rows) {
    auto detail = c.service.Show(row.id);
    if (!detail) return ctx.out.Fail(detail.error());
    json line = ConversationSummaryJson(detail->summary);
    line["messages"] = json::array();
    for (const auto& m : detail->messages) line["messages"].push_back(AdminMessageJson(m));
    std::cout << line.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  }
  std::cout.flush();
  return std::cout ? kExitOk
                   : ctx.out.Fail({ErrorKind::kInternal, "internal", "could not write the export"});
}

}  // namespace

std::vector<Command> ConversationCommands() {
  return {
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
  };
}

}  // namespace edgechat::ctl
