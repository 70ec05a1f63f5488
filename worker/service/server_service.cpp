#include "service/server_service.hpp"

#include <algorithm>

#include "common/text.hpp"
#include "shared/ascii.hpp"

namespace edgechat::worker {
namespace {

Error Invalid(const char* code, std::string message) {
  return Error{ErrorKind::kInvalidInput, code, std::move(message)};
}

std::optional<std::uint64_t> Number(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

Result<unsigned> PageLimit(const std::optional<std::string>& limit) {
  if (!limit) return kServerPageDefault;
  auto value = Number(*limit, kServerPageMax);
  if (!value || *value == 0) {
    return Invalid("invalid_limit",
                   "limit must be a number from 1 to " + std::to_string(kServerPageMax));
  }
  return static_cast<unsigned>(*value);
}

}  // namespace

std::optional<std::string> IsoToMysqlUtc(std::string_view iso) {
  auto digits = [&](std::size_t pos, std::size_t n) {
    if (pos + n > iso.size()) return false;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (iso[i] < '0' || iso[i] > '9') return false;
    }
    return true;
  };
  if (!(digits(0, 4) && iso.size() >= 20 && iso[4] == '-' && digits(5, 2) && iso[7] == '-' &&
        digits(8, 2) && iso[10] == 'T' && digits(11, 2) && iso[13] == ':' && digits(14, 2) &&
        iso[16] == ':' && digits(17, 2) && iso.back() == 'Z')) {
    return std::nullopt;
  }
  std::string fraction;
  std::string_view rest = iso.substr(19, iso.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 7 || !digits(20, rest.size() - 1)) {
      return std::nullopt;
    }
    fraction = std::string(rest.substr(1));
  }
  fraction.resize(6, '0');
  return std::string(iso.substr(0, 10)) + " " + std::string(iso.substr(11, 8)) + "." + fraction;
}

Status ServerService::CheckSite(const SecretKeyCaller& caller, std::uint64_t id) {
  EC_TRY(site, conversations_.SiteOf(id));
  // Another site's conversation answers exactly as a missing one: no oracle across sites.
  if (!site || *site != caller.site_key) {
    return Error{ErrorKind::kNotFound, "not_found", "No such conversation."};
  }
  return Ok{};
}

Result<ConversationPage> ServerService::List(const SecretKeyCaller& caller,
                                             const ServerListQuery& query) {
  ConversationFilter filter;
  filter.site_key = caller.site_key;
  filter.by_id = true;
  filter.status = query.status;
  if (query.updated_since) {
    filter.updated_since = IsoToMysqlUtc(*query.updated_since);
    if (!filter.updated_since) {
      return Invalid("invalid_filter",
                     "updatedSince must be an ISO-8601 UTC time like 2026-12-06T07:00:00.000Z");
    }
  }
  if (query.cursor) {
    filter.before_id = Number(*query.cursor, 999999999999999999ULL);
    if (!filter.before_id) return Invalid("invalid_cursor", "cursor is not one this API gave");
  }
  EC_TRY_ASSIGN(filter.limit, PageLimit(query.limit));
  unsigned wanted = filter.limit;
  filter.limit = wanted + 1;  // one more tells whether there is a next page
  EC_TRY(rows, service_.List(filter));
  ConversationPage page;
  if (rows.size() > wanted) {
    rows.resize(wanted);
    page.next_cursor = std::to_string(rows.back().id);
  }
  page.conversations = std::move(rows);
  return page;
}

Result<ConversationSummary> ServerService::Show(const SecretKeyCaller& caller, std::uint64_t id) {
  auto checked = CheckSite(caller, id);
  if (!checked) return checked.error();
  EC_TRY(detail, service_.Show(id));
  return detail.summary;
}

Result<MessagePage> ServerService::Messages(const SecretKeyCaller& caller, std::uint64_t id,
                                            const std::optional<std::string>& after,
                                            const std::optional<std::string>& limit) {
  std::uint64_t after_id = 0;
  if (after) {
    auto value = Number(*after, 999999999999999999ULL);
    if (!value) return Invalid("invalid_cursor", "after must be a message id");
    after_id = *value;
  }
  EC_TRY(page_limit, PageLimit(limit));
  auto checked = CheckSite(caller, id);
  if (!checked) return checked.error();
  return conversations_.Messages(id, after_id, page_limit);
}

Result<AgentReply> ServerService::Post(const SecretKeyCaller& caller, std::uint64_t id,
                                       const ServerMessageInput& input) {
  if (input.author != "agent" && input.author != "system") {
    return Invalid("invalid_author", "author must be agent or system");
  }
  auto checked = CheckSite(caller, id);
  if (!checked) return checked.error();
  return service_.Post(id, input.author, input.text, input.client_id);
}

Result<bool> ServerService::SetStatus(const SecretKeyCaller& caller, std::uint64_t id,
                                      const std::string& status) {
  auto checked = CheckSite(caller, id);
  if (!checked) return checked.error();
  return service_.SetStatus(id, status);
}

Status ValidateAttribute(const std::string& name, const std::optional<std::string>& value) {
  auto name_char = [](char c) {
    return shared::IsAsciiAlnum(c) || c == '_' || c == '.' || c == '-';
  };
  bool name_ok = !name.empty() && name.size() <= kMaxAttributeName &&
                 ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')) &&
                 std::all_of(name.begin(), name.end(), name_char);
  if (!name_ok) {
    return Invalid("invalid_attribute",
                   "An attribute name is a letter, then up to 63 letters, digits, _ . or -.");
  }
  if (!value) return Ok{};
  bool control = std::any_of(value->begin(), value->end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (control || !IsValidUtf8(*value) || CountCodePoints(*value) > kMaxAttributeValue) {
    return Invalid("invalid_attribute", "The value of \"" + name + "\" must be text of at most " +
                                            std::to_string(kMaxAttributeValue) +
                                            " characters, without control characters.");
  }
  return Ok{};
}

Result<std::uint64_t> ServerService::VisitorOf(const SecretKeyCaller& caller,
                                               const std::string& guest_id) {
  EC_TRY(found, attributes_.GuestOfSite(guest_id, caller.site_key));
  if (!found) return Error{ErrorKind::kNotFound, "not_found", "No such visitor."};
  return *found;
}

Result<Attributes> ServerService::VisitorAttributes(const SecretKeyCaller& caller,
                                                    const std::string& guest_id) {
  EC_TRY(row, VisitorOf(caller, guest_id));
  return attributes_.Read(row);
}

Result<Attributes> ServerService::SetVisitorAttributes(const SecretKeyCaller& caller,
                                                       const std::string& guest_id,
                                                       const AttributeChanges& changes) {
  if (changes.size() > kMaxAttributes) {
    return Invalid("too_many_attributes",
                   "A visitor has at most " + std::to_string(kMaxAttributes) + " attributes.");
  }
  for (const auto& [name, value] : changes) {
    auto valid = ValidateAttribute(name, value);
    if (!valid) return valid.error();
  }
  EC_TRY(row, VisitorOf(caller, guest_id));
  return attributes_.Change(row, changes, kMaxAttributes);
}

Result<ErasedVisitor> ServerService::EraseVisitor(const SecretKeyCaller& caller,
                                                  const std::string& guest_id) {
  EC_TRY(row, VisitorOf(caller, guest_id));
  EC_TRY(erased,
         attributes_.Erase(row, caller.site_key, guest_id, Actor{"server:" + caller.key_prefix}));
  if (erased.event) events_.Publish(*erased.event);
  return erased;
}

}  // namespace edgechat::worker
