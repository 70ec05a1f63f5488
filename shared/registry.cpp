#include "shared/registry.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "shared/config_reply.hpp"
#include "shared/http_shapes.hpp"
#include "shared/ids.hpp"

namespace edgechat::shared {
namespace {

using nlohmann::json;

constexpr std::string_view kCspBase =
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors ";

std::string StringOr(const json& object, const char* name, std::string_view fallback) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::string(fallback);
  return it->get<std::string>();
}

bool BoolOr(const json& object, const char* name, bool fallback) {
  auto it = object.find(name);
  return (it == object.end() || !it->is_boolean()) ? fallback : it->get<bool>();
}

std::uint32_t CountOr(const json& object, const char* name, std::uint32_t fallback,
                      std::uint32_t min, std::uint32_t max) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return fallback;
  std::int64_t value = it->get<std::int64_t>();
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(value, min, max));
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void Precompute(Site& site) {
  json config = ConfigReply(
      SiteLook{site.title, site.primary_color, site.locked, site.locked_message, site.locale},
      &site.limits);
  site.config_json = Dump(config);
  site.frame_csp = FrameContentSecurityPolicy(site.origins);
  site.limited_json = ErrorJson("rate_limited", site.limits.message);
}

Result<Site> ParseSite(const json& item, std::vector<std::string>& warnings) {
  if (!item.is_object())
    return Error{ErrorKind::kInvalidInput, "invalid_site", "a site entry is not an object"};
  Site site;
  site.key = StringOr(item, "key", "");
  if (!IsValidSiteKey(site.key)) {
    return Error{ErrorKind::kInvalidInput, "invalid_site",
                 "site with an invalid key \"" + site.key + "\" skipped"};
  }
  site.name = StringOr(item, "name", "");
  site.title = StringOr(item, "title", kDefaultTitle);
  site.primary_color = StringOr(item, "primaryColor", kDefaultPrimaryColor);
  // Either case is kept as written; only a colour that is not #rrggbb is replaced.
  if (!ParseColor(site.primary_color).ok()) {
    warnings.push_back("site " + site.key + ": primaryColor \"" + site.primary_color +
                       "\" is not #rrggbb; using the default");
    site.primary_color = std::string(kDefaultPrimaryColor);
  }
  site.locked = BoolOr(item, "locked", false);
  site.locked_message = StringOr(item, "lockedMessage", "");
  if (auto it = item.find("locale"); it != item.end() && it->is_string()) {
    site.locale = it->get<std::string>();
  }
  site.main = BoolOr(item, "main", false);

  if (auto it = item.find("origins"); it != item.end() && it->is_array()) {
    for (const json& entry : *it) {
      if (!entry.is_string()) continue;
      Result<Origin> origin = ParseAllowedOrigin(entry.get<std::string>());
      if (!origin) {
        warnings.push_back("site " + site.key + ": origin \"" + entry.get<std::string>() +
                           "\" skipped: " + origin.error().message);
        continue;
      }
      site.origins.Add(origin.value());
    }
  }

  if (auto it = item.find("limits"); it != item.end() && it->is_object()) {
    SiteLimits defaults;
    site.limits.messages = CountOr(*it, "messages", defaults.messages, 1, 1000000);
    site.limits.window_seconds = CountOr(*it, "windowSeconds", defaults.window_seconds, 1, 86400);
    site.limits.burst = CountOr(*it, "burst", defaults.burst, 0, 1000000);
    std::string message = StringOr(*it, "message", "");
    if (!message.empty()) site.limits.message = std::move(message);
  }
  Precompute(site);
  return site;
}

// A hash is 64 lower-case hex digits; one claimed by two sites belongs to neither.
void AddSecretKeyHashes(const json& item, const std::string& site_key, Registry& registry) {
  auto it = item.find("secretKeyHashes");
  if (it == item.end() || !it->is_array()) return;
  for (const json& entry : *it) {
    if (!entry.is_string()) continue;
    const std::string& hash = entry.get_ref<const std::string&>();
    bool hex = hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
                 return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
               });
    if (!hex) {
      registry.warnings.push_back("site " + site_key + ": a secret key hash skipped");
      continue;
    }
    auto [at, added] = registry.secret_keys.emplace(hash, site_key);
    if (!added && at->second != site_key) {
      registry.warnings.push_back("a secret key hash claimed by two sites skipped");
      at->second.clear();  // Find("") is nullptr
    }
  }
}

}  // namespace

json RegistryEntryJson(const RegistryEntry& e) {
  return json{{"key", e.key},
              {"name", e.name},
              {"title", e.title},
              {"primaryColor", e.primary_color},
              {"locked", e.locked},
              {"lockedMessage", e.locked_message},
              {"locale", e.locale ? json(*e.locale) : json(nullptr)},
              {"main", e.main},
              {"origins", e.origins},
              {"limits",
               {{"messages", e.limits.messages},
                {"windowSeconds", e.limits.window_seconds},
                {"burst", e.limits.burst},
                {"message", e.limits.message}}},
              {"secretKeyHashes", e.secret_key_hashes}};
}

json RegistryDocument(std::int64_t revision, const std::vector<RegistryEntry>& sites) {
  json list = json::array();
  for (const RegistryEntry& site : sites) list.push_back(RegistryEntryJson(site));
  return json{{"revision", revision}, {"sites", std::move(list)}};
}

void OriginSet::Add(const Origin& origin) {
  entries_.push_back(origin);
  if (origin.wildcard) {
    wildcards_.push_back(origin);
  } else {
    exact_.insert(origin);
  }
}

bool OriginSet::Contains(const Origin& request) const {
  if (request.wildcard) return false;
  if (!exact_.empty() && exact_.find(request) != exact_.end()) return true;
  return OriginAllowed(wildcards_, request);
}

const Site* Registry::Find(std::string_view key) const {
  auto it = sites.find(key);
  return it == sites.end() ? nullptr : &it->second;
}

const Site* Registry::FindBySecretKeyHash(std::string_view hash) const {
  auto it = secret_keys.find(hash);
  return it == secret_keys.end() ? nullptr : Find(it->second);
}

std::string FrameContentSecurityPolicy(const OriginSet& origins) {
  std::string csp(kCspBase);
  if (origins.empty()) {
    csp += "'none'";
    return csp;
  }
  std::set<std::string> seen;
  bool first = true;
  for (const Origin& origin : origins.entries()) {
    std::string source = origin.ToString();
    if (!seen.insert(source).second) continue;
    if (!first) csp += ' ';
    csp += source;
    first = false;
  }
  return csp;
}

std::string_view UnknownSiteFrameCsp() {
  static constexpr std::string_view kCsp =
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
      "frame-ancestors 'none'";
  return kCsp;
}

Result<Registry> ParseRegistry(std::string_view json_text) {
  json document = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Error{ErrorKind::kInvalidInput, "invalid_registry",
                 "registry document is not valid JSON"};
  }
  if (!document.is_object()) {
    return Error{ErrorKind::kInvalidInput, "invalid_registry",
                 "registry document is not a JSON object"};
  }
  auto sites = document.find("sites");
  if (sites == document.end() || !sites->is_array()) {
    return Error{ErrorKind::kInvalidInput, "invalid_registry",
                 "registry document has no \"sites\" array"};
  }
  Registry registry;
  if (auto it = document.find("revision"); it != document.end() && it->is_number_integer()) {
    registry.revision = it->get<std::int64_t>();
  }
  for (const json& item : *sites) {
    Result<Site> site = ParseSite(item, registry.warnings);
    if (!site) {
      registry.warnings.push_back(site.error().message);
      continue;
    }
    for (const Origin& origin : site->origins.entries()) registry.any_site_origins.Add(origin);
    std::string key = site->key;
    if (!registry.sites.emplace(key, std::move(site).value()).second) {
      registry.warnings.push_back("duplicate site key skipped");
      continue;
    }
    AddSecretKeyHashes(item, key, registry);
  }
  return registry;
}

}  // namespace edgechat::shared
