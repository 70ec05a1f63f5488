#include "store/attribute_repo.hpp"

#include <nlohmann/json.hpp>

#include "store/event_repo.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {
namespace {

Attributes LoadAttributes(DbConnection& c, std::uint64_t guest_id) {
  auto stmt =
      Prepare(c, "SELECT name, value FROM guest_attributes WHERE guest_id = ? ORDER BY name");
  stmt->setUInt64(1, guest_id);
  auto rs = Query(*stmt);
  Attributes out;
  while (rs->next()) out[rs->getString("name")] = rs->getString("value");
  return out;
}

}  // namespace

Result<std::optional<std::uint64_t>> GuestOfSite(ConnectionPool& pool, const std::string& public_id,
                                                 const std::string& site_key) {
  using Found = std::optional<std::uint64_t>;
  return WithConnection<Found>(pool, [&](DbConnection& c) -> Result<Found> {
    auto stmt = Prepare(c,
                        "SELECT g.id FROM guests g JOIN sites s ON s.id = g.site_id "
                        "WHERE g.public_id = ? AND s.site_key = ?");
    stmt->setString(1, public_id);
    stmt->setString(2, site_key);
    auto rs = Query(*stmt);
    if (!rs->next()) return Found{};
    return Found{rs->getUInt64("id")};
  });
}

Result<Attributes> ReadAttributes(ConnectionPool& pool, std::uint64_t guest_id) {
  return WithConnection<Attributes>(
      pool, [&](DbConnection& c) -> Result<Attributes> { return LoadAttributes(c, guest_id); });
}

Result<Attributes> ChangeAttributes(ConnectionPool& pool, std::uint64_t guest_id,
                                    const AttributeChanges& changes, std::size_t max_count) {
  return WithTransaction<Attributes>(pool, [&](DbConnection& c) -> Result<Attributes> {
    auto lock = Prepare(c, "SELECT id FROM guests WHERE id = ? FOR UPDATE");
    lock->setUInt64(1, guest_id);
    if (!Query(*lock)->next()) {
      return Error{ErrorKind::kNotFound, "not_found", "No such visitor."};
    }
    auto upsert = Prepare(c,
                          "INSERT INTO guest_attributes (guest_id, name, value) VALUES (?, ?, ?) "
                          "ON DUPLICATE KEY UPDATE value = VALUES(value)");
    auto remove = Prepare(c, "DELETE FROM guest_attributes WHERE guest_id = ? AND name = ?");
    for (const auto& [name, value] : changes) {
      if (value) {
        upsert->setUInt64(1, guest_id);
        upsert->setString(2, name);
        upsert->setString(3, *value);
        upsert->executeUpdate();
      } else {
        remove->setUInt64(1, guest_id);
        remove->setString(2, name);
        remove->executeUpdate();
      }
    }
    Attributes after = LoadAttributes(c, guest_id);
    if (after.size() > max_count) {
      return Error{ErrorKind::kInvalidInput, "too_many_attributes",
                   "A visitor has at most " + std::to_string(max_count) + " attributes."};
    }
    return after;
  });
}

Result<ErasedVisitor> EraseVisitor(ConnectionPool& pool, std::uint64_t guest_id,
                                   const std::string& site_key, const std::string& public_id,
                                   const Actor& actor) {
  return WithTransaction<ErasedVisitor>(pool, [&](DbConnection& c) -> Result<ErasedVisitor> {
    auto lock = Prepare(c, "SELECT id FROM guests WHERE id = ? FOR UPDATE");
    lock->setUInt64(1, guest_id);
    if (!Query(*lock)->next()) return Error{ErrorKind::kNotFound, "not_found", "No such visitor."};
    ErasedVisitor out;
    auto find = Prepare(c, "SELECT id FROM conversations WHERE guest_id = ? FOR UPDATE");
    find->setUInt64(1, guest_id);
    auto rs = Query(*find);
    std::optional<std::uint64_t> conversation;
    if (rs->next()) conversation = rs->getUInt64("id");
    auto reactions = Prepare(c, "DELETE FROM reactions WHERE guest_id = ?");
    reactions->setUInt64(1, guest_id);
    out.reactions = reactions->executeUpdate();
    auto attributes = Prepare(c, "DELETE FROM guest_attributes WHERE guest_id = ?");
    attributes->setUInt64(1, guest_id);
    out.attributes = attributes->executeUpdate();
    if (conversation) {
      auto prev =
          Prepare(c, "SELECT COALESCE(MAX(id), 0) AS id FROM events WHERE conversation_id = ?");
      prev->setUInt64(1, *conversation);
      auto prs = Query(*prev);
      std::uint64_t prev_id = prs->next() ? prs->getUInt64("id") : 0;
      auto messages = Prepare(c, "DELETE FROM messages WHERE conversation_id = ?");
      messages->setUInt64(1, *conversation);
      out.messages = messages->executeUpdate();
      auto events = Prepare(c, "DELETE FROM events WHERE conversation_id = ?");
      events->setUInt64(1, *conversation);
      events->executeUpdate();
      auto touch = Prepare(c, "UPDATE conversations SET last_message_at = NULL WHERE id = ?");
      touch->setUInt64(1, *conversation);
      touch->executeUpdate();
      nlohmann::json data = {{"conversationId", *conversation}};
      out.event = InsertEventAfter(c, *conversation, guest_id, "erased", data.dump(), prev_id);
    }
    AppendAudit(c, actor, "visitor.erase", site_key,
                AuditDetail({{"guestId", public_id},
                             {"conversationId", conversation ? nlohmann::json(*conversation)
                                                             : nlohmann::json(nullptr)},
                             {"messages", out.messages},
                             {"reactions", out.reactions},
                             {"attributes", out.attributes}}));
    return out;
  });
}

}  // namespace edgechat::worker
