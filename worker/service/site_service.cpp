#include "service/site_service.hpp"

#include <algorithm>
#include <utility>

#include "service/rules.hpp"
#include "shared/ascii.hpp"
#include "shared/origin.hpp"
#include "shared/site_defaults.hpp"

namespace edgechat::worker {

namespace {

bool IsLocaleTag(const std::string& locale) {
  return locale.size() <= kMaxLocaleLength && std::all_of(locale.begin(), locale.end(), [](char c) {
           return shared::IsAsciiAlnum(c) || c == '-';
         });
}

Result<std::string> NormalizeOrigin(const std::string& origin) {
  auto normalized = shared::NormalizeAllowedOrigin(origin);
  if (!normalized) {
    return Error{ErrorKind::kInvalidInput, "invalid_origin",
                 "origin " + origin + ": " + normalized.error().message};
  }
  return std::move(normalized).value();
}

}  // namespace

Result<SitePatch> ValidateSiteSettings(const SiteChanges& in) {
  SitePatch p;
  EC_TRY_ASSIGN(p.name, rules::OptionalText("name", in.name, 1, kMaxSiteNameLength));
  EC_TRY_ASSIGN(p.title, rules::OptionalText("title", in.title, 1, kMaxSiteTitleLength));
  if (in.primary_color) {
    EC_TRY_ASSIGN(p.primary_color, shared::ParseColor(*in.primary_color));
  }
  p.locked = in.locked;
  EC_TRY_ASSIGN(p.locked_message,
                rules::OptionalText("lockedMessage", in.locked_message, 0, kMaxSiteMessageLength));
  if (in.locale) {
    if (!IsLocaleTag(*in.locale)) {
      return Error{ErrorKind::kInvalidInput, "invalid_locale",
                   "locale must be a language tag such as fa or en (or none)"};
    }
    p.locale = *in.locale;
  }
  p.is_main = in.main;
  EC_TRY_ASSIGN(p.limit_messages,
                rules::Number("limits.messages", in.limit_messages, 1, kMaxLimitMessages));
  EC_TRY_ASSIGN(
      p.limit_window_seconds,
      rules::Number("limits.windowSeconds", in.limit_window_seconds, 1, kMaxLimitWindowSeconds));
  EC_TRY_ASSIGN(p.limit_burst, rules::Number("limits.burst", in.limit_burst, 0, kMaxLimitBurst));
  EC_TRY_ASSIGN(p.limit_message,
                rules::OptionalText("limits.message", in.limit_message, 0, kMaxSiteMessageLength));
  return p;
}

Result<std::vector<std::string>> NormalizeOrigins(const std::vector<std::string>& origins) {
  std::vector<std::string> out;
  for (const auto& origin : origins) {
    auto normalized = NormalizeOrigin(origin);
    if (!normalized) return normalized.error();
    if (std::find(out.begin(), out.end(), *normalized) == out.end()) out.push_back(*normalized);
  }
  return out;
}

SiteService::SiteService(SiteRepo& sites, SecretKeyRepo& secret_keys, RandomFill random,
                         std::function<void()> registry_changed)
    : sites_(sites),
      secret_keys_(secret_keys),
      random_(std::move(random)),
      registry_changed_(std::move(registry_changed)) {}

void SiteService::Changed() {
  if (registry_changed_) registry_changed_();
}

Result<std::vector<Site>> SiteService::List() {
  return sites_.List();
}

Result<Site> SiteService::Find(const std::string& site_key) {
  return sites_.Find(site_key);
}

Result<Site> SiteService::Create(const SiteChanges& changes, const Actor& actor) {
  auto patch = ValidateSiteSettings(changes);
  if (!patch) return patch.error();
  if (!patch->name) return Error{ErrorKind::kInvalidInput, "invalid_text", "name is required"};
  if (!changes.remove_origins.empty()) {
    return Error{ErrorKind::kInvalidInput, "invalid_input", "a new site has no origins to remove"};
  }
  auto origins = NormalizeOrigins(changes.add_origins);
  if (!origins) return origins.error();
  SitePatch settings = std::move(patch).value();
  NewSite site;
  site.name = *settings.name;
  if (settings.title) site.title = *settings.title;
  if (settings.primary_color) site.primary_color = *settings.primary_color;
  site.is_main = settings.is_main.value_or(false);
  site.origins = std::move(origins).value();
  site.key = NewSiteKey(random_);
  // The rest (lock, limits, locale) applies in the transaction that creates the site: no
  // moment where it is live unlocked or with default limits.
  settings.name.reset();
  settings.title.reset();
  settings.primary_color.reset();
  settings.is_main.reset();
  auto created = sites_.Create(site, settings, actor);
  if (!created) return created.error();
  Changed();
  return created;
}

Result<Site> SiteService::Update(const std::string& site_key, const SiteChanges& changes,
                                 const Actor& actor) {
  auto patch = ValidateSiteSettings(changes);
  if (!patch) return patch.error();
  auto remove = NormalizeOrigins(changes.remove_origins);
  if (!remove) return remove.error();
  auto add = NormalizeOrigins(changes.add_origins);
  if (!add) return add.error();
  Result<Site> updated =
      remove->empty() && add->empty()
          ? sites_.Update(site_key, *patch, actor)
          : sites_.Change(site_key,
                          SiteChange{std::move(patch).value(), std::move(remove).value(),
                                     std::move(add).value()},
                          actor);
  if (!updated) return updated.error();
  Changed();
  return updated;
}

Status SiteService::Remove(const std::string& site_key, const Actor& actor) {
  auto removed = sites_.Remove(site_key, actor);
  if (!removed) return removed.error();
  Changed();
  return removed;
}

Result<Site> SiteService::AddOrigin(const std::string& site_key, const std::string& origin,
                                    const Actor& actor) {
  auto normalized = NormalizeOrigin(origin);
  if (!normalized) return normalized.error();
  auto site = sites_.AddOrigin(site_key, *normalized, actor);
  if (!site) return site.error();
  Changed();
  return site;
}

Result<Site> SiteService::RemoveOrigin(const std::string& site_key, const std::string& origin,
                                       const Actor& actor) {
  auto normalized = NormalizeOrigin(origin);
  if (!normalized) return normalized.error();
  auto site = sites_.RemoveOrigin(site_key, *normalized, actor);
  if (!site) return site.error();
  Changed();
  return site;
}

Result<Site> SiteService::RotateKey(const std::string& site_key, const Actor& actor) {
  auto site = sites_.RegenerateKey(site_key, NewSiteKey(random_), actor);
  if (!site) return site.error();
  Changed();
  return site;
}

Result<std::vector<SecretKeyInfo>> SiteService::ListSecretKeys(const std::string& site_key) {
  return secret_keys_.List(site_key);
}

Result<CreatedSecretKey> SiteService::AddSecretKey(const std::string& site_key,
                                                   const std::string& label, const Actor& actor) {
  auto text = rules::Text("label", label, 0, kMaxSecretLabelLength);
  if (!text) return text.error();
  std::string secret = NewSecretKey(random_);
  auto info = secret_keys_.Create(site_key, secret, *text, actor);
  if (!info) return info.error();
  Changed();
  return CreatedSecretKey{std::move(info).value(), std::move(secret)};
}

Result<SecretKeyInfo> SiteService::RevokeSecretKey(const std::string& site_key,
                                                   std::uint64_t key_id, const Actor& actor) {
  auto info = secret_keys_.Revoke(site_key, key_id, actor);
  if (!info) return info.error();
  Changed();
  return info;
}

Result<SecretKeyInfo> SiteService::RevokeSecretKeyMatching(const std::string& site_key,
                                                           const std::string& id_or_prefix,
                                                           const Actor& actor) {
  auto keys = secret_keys_.List(site_key);
  if (!keys) return keys.error();
  std::optional<std::uint64_t> id;
  for (const auto& k : *keys) {
    if (std::to_string(k.id) == id_or_prefix || k.prefix == id_or_prefix) {
      if (id)
        return Error{ErrorKind::kConflict, "conflict",
                     "several keys match " + id_or_prefix + ": give the id"};
      id = k.id;
    }
  }
  if (!id)
    return Error{ErrorKind::kNotFound, "not_found",
                 "no secret key " + id_or_prefix + " on this site"};
  return RevokeSecretKey(site_key, *id, actor);
}

}  // namespace edgechat::worker
