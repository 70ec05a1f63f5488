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
                        "SELECT id, public_id, site_id, expires_at, external_user_id FROM guests "
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
    g.external_user_id = OptionalString(*rs, "external_user_id");
    return Result<std::optional<Guest>>(std::optional<Guest>(std::move(g)));
  });
}

namespace {

// Columns of a site (s), its guest (g) and the guest's conversation (c), read by SiteGuestFromRow.
std::string SiteGuestColumns() {
  return std::string(kSiteColumnsOfS) +
         ", g.id AS guest_id, g.public_id AS guest_public_id, "
         "g.expires_at AS guest_expires_at, g.external_user_id AS guest_user_id, "
         "c.id AS conversation_id ";
}

SiteGuest SiteGuestFromRow(sql::ResultSet& rs) {
  SiteGuest found{SiteFromRow(rs), Guest{}};
  found.guest.id = rs.getUInt64("guest_id");
  found.guest.public_id = rs.getString("guest_public_id");
  found.guest.site_id = found.site.id;
  found.guest.expires_at = MysqlUtcToIso(std::string(rs.getString("guest_expires_at")));
  if (!rs.isNull("conversation_id")) found.guest.conversation_id = rs.getUInt64("conversation_id");
  found.guest.external_user_id = OptionalString(rs, "guest_user_id");
  return found;
}

}  // namespace

Result<std::optional<SiteGuest>> MysqlGuestRepo::FindSiteAndGuest(std::string_view site_key,
                                                                  const std::string& token_hash) {
  using Found = std::optional<SiteGuest>;
  return WithConnection<Found>(pool_, [&](DbConnection& c) {
    // The guest must belong to the site of this key: a token never crosses sites. A verified
    // guest's other devices hold tokens of guest_tokens.
    auto stmt = Prepare(c, "SELECT " + SiteGuestColumns() +
                               "FROM sites s JOIN guests g ON g.site_id = s.id "
                               "LEFT JOIN conversations c ON c.guest_id = g.id "
                               "WHERE s.site_key = ? AND g.token_hash = ? "
                               "AND g.expires_at > UTC_TIMESTAMP(6) "
                               "UNION ALL SELECT " +
                               SiteGuestColumns() +
                               "FROM guest_tokens t JOIN guests g ON g.id = t.guest_id "
                               "JOIN sites s ON s.id = g.site_id "
                               "LEFT JOIN conversations c ON c.guest_id = g.id "
                               "WHERE s.site_key = ? AND t.token_hash = ? "
                               "AND t.expires_at > UTC_TIMESTAMP(6) "
                               "AND g.expires_at > UTC_TIMESTAMP(6) LIMIT 1");
    stmt->setString(1, std::string(site_key));
    stmt->setString(2, token_hash);
    stmt->setString(3, std::string(site_key));
    stmt->setString(4, token_hash);
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

namespace {

// Moves what the anonymous guest `from` had to the user's guest `to`, then deletes `from` (and
// with it its token and stream tickets). Returns the number of messages moved.
std::uint64_t MergeGuest(DbConnection& c, std::uint64_t from, std::uint64_t to) {
  auto conversation_of = [&](std::uint64_t guest_id) -> std::uint64_t {
    auto stmt = Prepare(c, "SELECT id FROM conversations WHERE guest_id = ? FOR UPDATE");
    stmt->setUInt64(1, guest_id);
    auto rs = Query(*stmt);
    return rs->next() ? rs->getUInt64("id") : 0;
  };
  std::uint64_t from_conversation = conversation_of(from);
  std::uint64_t to_conversation = conversation_of(to);
  std::uint64_t moved = 0;
  if (from_conversation != 0) {
    auto count = Prepare(c, "SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?");
    count->setUInt64(1, from_conversation);
    auto rs = Query(*count);
    if (rs->next()) moved = rs->getUInt64("n");
    if (to_conversation == 0) {
      // The user had no conversation yet: the anonymous one becomes theirs, events and all.
      auto give = Prepare(c, "UPDATE conversations SET guest_id = ? WHERE id = ?");
      give->setUInt64(1, to);
      give->setUInt64(2, from_conversation);
      give->executeUpdate();
    } else {
      // Both had one: the messages join the user's (ids keep their order). A clientId the user's
      // conversation already has for the same author is dropped from the moved message (only
      // retries compare it), so the unique key never refuses a move.
      auto clash = Prepare(c,
                           "UPDATE messages m JOIN messages u ON u.conversation_id = ? "
                           "AND u.author = m.author AND u.client_id = m.client_id "
                           "SET m.client_id = NULL WHERE m.conversation_id = ?");
      clash->setUInt64(1, to_conversation);
      clash->setUInt64(2, from_conversation);
      clash->executeUpdate();
      auto move = Prepare(c, "UPDATE messages SET conversation_id = ? WHERE conversation_id = ?");
      move->setUInt64(1, to_conversation);
      move->setUInt64(2, from_conversation);
      move->executeUpdate();
      auto touch = Prepare(c,
                           "UPDATE conversations SET status = 'open', last_message_at = "
                           "(SELECT MAX(created_at) FROM messages WHERE conversation_id = ?) "
                           "WHERE id = ?");
      touch->setUInt64(1, to_conversation);
      touch->setUInt64(2, to_conversation);
      touch->executeUpdate();
      auto drop = Prepare(c, "DELETE FROM conversations WHERE id = ?");
      drop->setUInt64(1, from_conversation);
      drop->executeUpdate();
    }
  }
  auto reactions = Prepare(c, "UPDATE reactions SET guest_id = ? WHERE guest_id = ?");
  reactions->setUInt64(1, to);
  reactions->setUInt64(2, from);
  reactions->executeUpdate();
  // The user's own attribute of a name wins; the anonymous guest's others join it.
  auto attributes =
      Prepare(c, "UPDATE IGNORE guest_attributes SET guest_id = ? WHERE guest_id = ?");
  attributes->setUInt64(1, to);
  attributes->setUInt64(2, from);
  attributes->executeUpdate();
  auto gone = Prepare(c, "DELETE FROM guests WHERE id = ? AND external_user_id IS NULL");
  gone->setUInt64(1, from);
  gone->executeUpdate();
  return moved;
}

}  // namespace

Result<VerifiedGuest> MysqlGuestRepo::SignInGuest(const VerifiedGuestInput& input) {
  std::string expires = MysqlUtcPlusDays(clock_(), input.ttl_days);
  return WithTransaction<VerifiedGuest>(pool_, [&](DbConnection& c) -> Result<VerifiedGuest> {
    // Made if missing; a concurrent sign-in of the same user finds the row the other made.
    auto insert = Prepare(c,
                          "INSERT IGNORE INTO guests (public_id, site_id, token_hash, expires_at, "
                          "external_user_id, verified_name, verified_email, verified_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))");
    insert->setString(1, input.new_public_id);
    insert->setUInt64(2, input.site_id);
    insert->setString(3, input.device_token_hash);
    insert->setDateTime(4, expires);
    insert->setString(5, input.user_id);
    if (input.name)
      insert->setString(6, *input.name);
    else
      insert->setNull(6, sql::DataType::VARCHAR);
    if (input.email)
      insert->setString(7, *input.email);
    else
      insert->setNull(7, sql::DataType::VARCHAR);
    bool created = insert->executeUpdate() > 0;
    auto read = Prepare(c,
                        "SELECT id, public_id, expires_at FROM guests "
                        "WHERE site_id = ? AND external_user_id = ? FOR UPDATE");
    read->setUInt64(1, input.site_id);
    read->setString(2, input.user_id);
    auto rs = Query(*read);
    if (!rs->next()) return Error{ErrorKind::kInternal, "db_error", "verified guest not found"};
    VerifiedGuest out;
    out.created = created;
    out.guest.id = rs->getUInt64("id");
    out.guest.public_id = rs->getString("public_id");
    out.guest.site_id = input.site_id;
    out.guest.external_user_id = input.user_id;
    if (!created) {
      auto update = Prepare(c,
                            "UPDATE guests SET verified_name = ?, verified_email = ?, "
                            "verified_at = UTC_TIMESTAMP(6), last_seen_at = UTC_TIMESTAMP(6), "
                            "expires_at = GREATEST(expires_at, ?) WHERE id = ?");
      if (input.name)
        update->setString(1, *input.name);
      else
        update->setNull(1, sql::DataType::VARCHAR);
      if (input.email)
        update->setString(2, *input.email);
      else
        update->setNull(2, sql::DataType::VARCHAR);
      update->setDateTime(3, expires);
      update->setUInt64(4, out.guest.id);
      update->executeUpdate();
      auto device = Prepare(c,
                            "INSERT INTO guest_tokens (token_hash, guest_id, expires_at) "
                            "VALUES (?, ?, ?)");
      device->setString(1, input.device_token_hash);
      device->setUInt64(2, out.guest.id);
      device->setDateTime(3, expires);
      device->executeUpdate();
      // Device tokens of the past pile up: each sign-in sweeps a few long-expired ones.
      auto sweep = Prepare(c,
                           "DELETE FROM guest_tokens WHERE guest_id = ? "
                           "AND expires_at < UTC_TIMESTAMP(6) LIMIT 20");
      sweep->setUInt64(1, out.guest.id);
      sweep->executeUpdate();
    }
    if (input.merge_guest_id && *input.merge_guest_id != out.guest.id) {
      auto anonymous = Prepare(c,
                               "SELECT id FROM guests WHERE id = ? AND site_id = ? "
                               "AND external_user_id IS NULL FOR UPDATE");
      anonymous->setUInt64(1, *input.merge_guest_id);
      anonymous->setUInt64(2, input.site_id);
      if (Query(*anonymous)->next()) {
        out.merged_messages = MergeGuest(c, *input.merge_guest_id, out.guest.id);
        out.merged = true;
      }
    }
    auto expiry = Prepare(c, "SELECT expires_at FROM guests WHERE id = ?");
    expiry->setUInt64(1, out.guest.id);
    auto e = Query(*expiry);
    if (e->next()) out.guest.expires_at = MysqlUtcToIso(std::string(e->getString("expires_at")));
    auto conversation = Prepare(c, "SELECT id FROM conversations WHERE guest_id = ?");
    conversation->setUInt64(1, out.guest.id);
    auto cr = Query(*conversation);
    if (cr->next()) out.guest.conversation_id = cr->getUInt64("id");
    return out;
  });
}

}  // namespace edgechat::worker
