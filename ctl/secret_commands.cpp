// secret add|list|revoke over SiteService (a site's secret keys).
#include <iostream>

#include "ctl/commands.hpp"

namespace edgechat::ctl {

// The CLI is a front end over the worker's store and services.
using namespace edgechat::worker;

using nlohmann::json;

namespace {

// The CLI's secret key object (the admin API's without siteKey: the command names the site).
json SecretJson(const SecretKeyInfo& k) {
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return json{{"id", k.id},
              {"prefix", k.prefix},
              {"label", k.label},
              {"createdAt", k.created_at},
              {"lastUsedAt", opt(k.last_used_at)},
              {"revokedAt", opt(k.revoked_at)},
              {"canSignIdentities", k.can_sign_identities}};
}

int RunSecretAdd(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "secret add needs one site KEY"});
  }
  Store store(ctx.settings);
  // A configured key file that cannot be read would make a key that cannot sign identities:
  // refuse instead, naming the setting.
  if (!ctx.settings.identity_key_file.empty() && !store.identity_box) {
    auto box = SecretBox::FromFile(ctx.settings.identity_key_file);
    return ctx.out.Fail({ErrorKind::kInvalidInput, "invalid_config",
                         "identity.key_file " + ctx.settings.identity_key_file + ": " +
                             (box ? std::string("unreadable") : box.error().message)});
  }
  auto created =
      CliSiteService(store, ctx.settings)
          .AddSecretKey(ctx.args.positional[0], ctx.args.Get("label").value_or(""), CliActor());
  if (!created) return ctx.out.Fail(created.error());
  if (ctx.out.json_mode()) {
    json out = SecretJson(created->info);
    out["secret"] = created->secret;
    ctx.out.Print(out);
  } else {
    std::cout << created->secret << "\n";
    ctx.out.Note("this secret key is shown once; store it now");
  }
  return kExitOk;
}

int RunSecretList(const Context& ctx) {
  if (ctx.args.positional.size() != 1) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage", "secret list needs one site KEY"});
  }
  Store store(ctx.settings);
  auto keys = CliSiteService(store, ctx.settings).ListSecretKeys(ctx.args.positional[0]);
  if (!keys) return ctx.out.Fail(keys.error());
  if (ctx.out.json_mode()) {
    json out = json::array();
    for (const auto& k : *keys) out.push_back(SecretJson(k));
    ctx.out.Print(out);
    return kExitOk;
  }
  for (const auto& k : *keys) {
    std::cout << "#" << k.id << "  " << k.prefix << "...  " << (k.revoked_at ? "revoked" : "live")
              << "  " << k.created_at << "  " << k.label
              << (k.can_sign_identities ? "" : "  (cannot sign identities; create a new key)")
              << "\n";
  }
  return kExitOk;
}

int RunSecretRevoke(const Context& ctx) {
  if (ctx.args.positional.size() != 2) {
    return ctx.out.Fail({ErrorKind::kInvalidInput, "usage",
                         "secret revoke needs a site KEY and a key ID or prefix"});
  }
  Store store(ctx.settings);
  auto info =
      CliSiteService(store, ctx.settings)
          .RevokeSecretKeyMatching(ctx.args.positional[0], ctx.args.positional[1], CliActor());
  if (!info) return ctx.out.Fail(info.error());
  if (ctx.out.json_mode()) {
    ctx.out.Print(SecretJson(*info));
  } else {
    std::cout << "secret key #" << info->id << " revoked\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> SecretCommands() {
  return {
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
  };
}

}  // namespace edgechat::ctl
