#include "store/guest_repo.hpp"

#include "common/text.hpp"
#include "store/mysql_util.hpp"
#include "store/site_repo.hpp"

namespace edgechat::worker {

Result<std::string> MysqlGuestRepo::CreateGuest(std::uint64_t site_id, const std::string& public_id,
                                                const std::string& token_hash, unsigned ttl_days) {
  std::string expires = MysqlUtcPlusDays(clock_(), ttl_days);
  return WithConnection<std::string>(pool_, [&](DbConnection& c) {
    auto stmt = Prepare(c,
                        "INSERT INTO guests (public_id, site_id, token_hash, expires_at) "
                        "VALUES (?, ?, ?, ?)");
    stmt->setString(1, public_id);
    stmt->setUInt64(2, site_id);
    stmt->setString(3, token_hash);
    stmt->setDateTime(4, expires);
    stmt->executeUpdate();
    return Result<std::string>(MysqlUtcToIso(expires));
  });
}

Result<std::optional<Guest>> MysqlGuestRepo::FindGuest(std::uint64_t site_id,
                                                       const std::string& token_hash) {
  return WithConnection<std::optional<Guest>>(pool_, [&](DbConnection& c) {
    auto stmt = Prepare(c,
                        "SELECT id, public_id, site_id, expires_at FROM guests "
                        "WHERE token_hash = ? AND site_id = ? AND expires_at > UTC_TIMESTAMP(6)");
    stmt->setString(1, token_hash);
    stmt->setUInt64(2, site_id);
    auto rs = Query(*stmt);
    if (!rs->next()) return Result<std::optional<Guest>>(std::optional<Guest>());
    Guest g;
    g.id = rs->getUInt64("id");
    g.public_id = rs->getString("public_id");
    g.site_id = rs->getUInt64("site_id");
    g.expires_at = MysqlUtcToIso(std::string(rs->getString("expires_at")));
    return Result<std::optional<Guest>>(std::optional<Guest>(std::move(g)));
  });
}

namespace {

// Columns of a site (s), its guest (g) and the guest's conversation (c), read by SiteGuestFromRow.
std::string SiteGuestColumns() {
  return std::string(kSiteColumnsOfS) +
         ", g.id AS guest_id, g.public_id AS guest_public_id, "
         "g.expires_at AS guest_expires_at, c.id AS conversation_id ";
}

SiteGuest SiteGuestFromRow(sql::ResultSet& rs) {
  SiteGuest found{SiteFromRow(rs), Guest{}};
  found.guest.id = rs.getUInt64("guest_id");
  found.guest.public_id = rs.getString("guest_public_id");
  found.guest.site_id = found.site.id;
  found.guest.expires_at = MysqlUtcToIso(std::string(rs.getString("guest_expires_at")));
  if (!rs.isNull("conversation_id")) found.guest.conversation_id = rs.getUInt64("conversation_id");
  return found;
}

}  // namespace

Result<std::optional<SiteGuest>> MysqlGuestRepo::FindSiteAndGuest(std::string_view site_key,
                                                                  const std::string& token_hash) {
  using Found = std::optional<SiteGuest>;
  return WithConnection<Found>(pool_, [&](DbConnection& c) {
    // The guest must belong to the site of this key: a token never crosses sites.
    auto stmt = Prepare(c, "SELECT " + SiteGuestColumns() +
                               "FROM sites s JOIN guests g ON g.site_id = s.id "
                               "LEFT JOIN conversations c ON c.guest_id = g.id "
                               "WHERE s.site_key = ? AND g.token_hash = ? "
                               "AND g.expires_at > UTC_TIMESTAMP(6)");
    stmt->setString(1, std::string(site_key));
    stmt->setString(2, token_hash);
    auto rs = Query(*stmt);
    if (!rs->next()) return Result<Found>(Found());
    return Result<Found>(Found(SiteGuestFromRow(*rs)));
  });
}

Status MysqlGuestRepo::CreateStreamTicket(std::uint64_t guest_id, const std::string& ticket_hash,
                                          unsigned ttl_seconds) {
  return WithConnection<Ok>(pool_, [&](DbConnection& c) -> Status {
    // Unused tickets would pile up: each new one sweeps a few long-expired ones.
    auto sweep = Prepare(c,
                         "DELETE FROM stream_tickets WHERE expires_at < UTC_TIMESTAMP(6) - "
                         "INTERVAL 1 MINUTE LIMIT 20");
    sweep->executeUpdate();
    auto insert = Prepare(c,
                          "INSERT INTO stream_tickets (ticket_hash, guest_id, expires_at) "
                          "VALUES (?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)");
    insert->setString(1, ticket_hash);
    insert->setUInt64(2, guest_id);
    insert->setUInt(3, ttl_seconds);
    insert->executeUpdate();
    return Ok{};
  });
}

Result<std::optional<SiteGuest>> MysqlGuestRepo::RedeemStreamTicket(
    std::string_view site_key, const std::string& ticket_hash) {
  using Found = std::optional<SiteGuest>;
  return WithTransaction<Found>(pool_, [&](DbConnection& c) -> Result<Found> {
    // The row lock makes the ticket single-use: a concurrent redeem waits, then finds it gone.
    auto stmt = Prepare(c, "SELECT " + SiteGuestColumns() +
                               "FROM stream_tickets t JOIN guests g ON g.id = t.guest_id "
                               "JOIN sites s ON s.id = g.site_id "
                               "LEFT JOIN conversations c ON c.guest_id = g.id "
                               "WHERE t.ticket_hash = ? AND s.site_key = ? "
                               "AND t.expires_at > UTC_TIMESTAMP(6) "
                               "AND g.expires_at > UTC_TIMESTAMP(6) FOR UPDATE");
    stmt->setString(1, ticket_hash);
    stmt->setString(2, std::string(site_key));
    auto rs = Query(*stmt);
    if (!rs->next()) return Found();
    SiteGuest found = SiteGuestFromRow(*rs);
    auto del = Prepare(c, "DELETE FROM stream_tickets WHERE ticket_hash = ?");
    del->setString(1, ticket_hash);
    del->executeUpdate();
    return Found(std::move(found));
  });
}

}  // namespace edgechat::worker
