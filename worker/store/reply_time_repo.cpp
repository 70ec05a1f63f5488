#include "store/reply_time_repo.hpp"

#include "store/mysql_util.hpp"

namespace edgechat::worker {

Result<std::vector<ReplySample>> MysqlReplySampleSource::Samples(
    std::optional<std::uint64_t> site_id, std::int64_t since_unix_s) {
  using Rows = std::vector<ReplySample>;
  return WithConnection<Rows>(pool_, [&](DbConnection& c) -> Result<Rows> {
    // DATETIME arithmetic from the epoch, not UNIX_TIMESTAMP: independent of the session's zone
    // (every stored time is UTC).
    // Two statements rather than "(? IS NULL OR c.site_id = ?)", which would hide the site's
    // index from the optimizer.
    auto stmt = Prepare(
        c,
        std::string(
            "SELECT c.site_id, "
            "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', g.created_at) DIV 1000 AS asked_ms, "
            "(SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', MIN(a.created_at)) DIV 1000 "
            " FROM messages a WHERE a.conversation_id = c.id AND a.author = 'agent' AND a.id > "
            "g.id) "
            "AS answered_ms "
            "FROM conversations c "
            "JOIN messages g ON g.id = (SELECT MIN(m.id) FROM messages m "
            "  WHERE m.conversation_id = c.id AND m.author = 'guest') "
            "WHERE ") +
            (site_id ? "c.site_id = ? AND " : "") +
            "c.last_message_at >= TIMESTAMPADD(SECOND, ?, '1970-01-01 00:00:00') "
            "AND g.created_at >= TIMESTAMPADD(SECOND, ?, '1970-01-01 00:00:00')");
    unsigned i = 1;
    if (site_id) stmt->setUInt64(i++, *site_id);
    stmt->setInt64(i++, since_unix_s);
    stmt->setInt64(i, since_unix_s);
    auto rs = Query(*stmt);
    Rows out;
    while (rs->next()) {
      ReplySample s;
      s.site_id = rs->getUInt64("site_id");
      s.asked_ms = rs->getInt64("asked_ms");
      if (!rs->isNull("answered_ms")) s.answered_ms = rs->getInt64("answered_ms");
      out.push_back(s);
    }
    return out;
  });
}

}  // namespace edgechat::worker
