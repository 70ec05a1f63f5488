#include "store/message_repo.hpp"

#include "common/text.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {

Result<std::vector<MessageListing>> ListRecentMessages(ConnectionPool& pool,
                                                       const std::optional<std::string>& site_key,
                                                       unsigned limit) {
  using Rows = std::vector<MessageListing>;
  return WithConnection<Rows>(pool, [&](DbConnection& c) -> Result<Rows> {
    if (site_key) {
      auto check = Prepare(c, "SELECT id FROM sites WHERE site_key = ?");
      check->setString(1, *site_key);
      auto rs = Query(*check);
      if (!rs->next()) return Error{"not_found", "no site with key " + *site_key};
    }
    static constexpr const char* kSelect =
        "SELECT m.id, m.conversation_id, s.site_key, s.name AS site_name, c.source, m.author, "
        "m.body, m.client_id, m.created_at FROM messages m "
        "JOIN conversations c ON c.id = m.conversation_id JOIN sites s ON s.id = c.site_id ";
    sql::PreparedStatement* stmt = nullptr;
    if (site_key) {
      stmt = Prepare(
          c, (std::string(kSelect) + "WHERE s.site_key = ? ORDER BY m.id DESC LIMIT ?").c_str());
      stmt->setString(1, *site_key);
      stmt->setUInt(2, limit);
    } else {
      stmt = Prepare(c, std::string(kSelect) + "ORDER BY m.id DESC LIMIT ?");
      stmt->setUInt(1, limit);
    }
    auto rs = Query(*stmt);
    Rows rows;
    while (rs->next()) {
      MessageListing row;
      row.id = rs->getUInt64("id");
      row.conversation_id = rs->getUInt64("conversation_id");
      row.site_key = rs->getString("site_key");
      row.site_name = rs->getString("site_name");
      row.source = rs->getString("source");
      row.author = rs->getString("author");
      row.text = rs->getString("body");
      row.client_id = OptionalString(*rs, "client_id");
      row.created_at = MysqlUtcToIso(std::string(rs->getString("created_at")));
      rows.push_back(std::move(row));
    }
    return rows;
  });
}

}  // namespace edgechat::worker
