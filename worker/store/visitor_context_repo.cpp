#include "store/visitor_context_repo.hpp"

#include "common/text.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {

Status SaveVisitorContext(ConnectionPool& pool, std::uint64_t guest_id,
                          const VisitorContext& context) {
  return WithConnection<Ok>(pool, [&](DbConnection& c) -> Status {
    auto stmt = Prepare(c,
                        "INSERT INTO guest_context (guest_id, page_url, page_title, referrer, "
                        "language, time_zone, browser) "
                        "SELECT id, ?, ?, ?, ?, ?, ? FROM guests WHERE id = ? "
                        "ON DUPLICATE KEY UPDATE page_url = VALUES(page_url), "
                        "page_title = VALUES(page_title), referrer = VALUES(referrer), "
                        "language = VALUES(language), time_zone = VALUES(time_zone), "
                        "browser = VALUES(browser), updated_at = CURRENT_TIMESTAMP(6)");
    stmt->setString(1, context.page_url);
    stmt->setString(2, context.page_title);
    stmt->setString(3, context.referrer);
    stmt->setString(4, context.language);
    stmt->setString(5, context.time_zone);
    stmt->setString(6, context.browser);
    stmt->setUInt64(7, guest_id);
    stmt->executeUpdate();
    return Ok{};
  });
}

std::optional<StoredVisitorContext> LoadVisitorContext(DbConnection& c, std::uint64_t guest_id) {
  auto stmt = Prepare(c,
                      "SELECT page_url, page_title, referrer, language, time_zone, browser, "
                      "updated_at FROM guest_context WHERE guest_id = ?");
  stmt->setUInt64(1, guest_id);
  auto rs = Query(*stmt);
  if (!rs->next()) return std::nullopt;
  StoredVisitorContext out;
  out.context.page_url = rs->getString("page_url");
  out.context.page_title = rs->getString("page_title");
  out.context.referrer = rs->getString("referrer");
  out.context.language = rs->getString("language");
  out.context.time_zone = rs->getString("time_zone");
  out.context.browser = rs->getString("browser");
  out.updated_at = MysqlUtcToIso(std::string(rs->getString("updated_at")));
  return out;
}

}  // namespace edgechat::worker
