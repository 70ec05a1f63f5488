#include "store/office_hours_repo.hpp"

#include <nlohmann/json.hpp>

#include "store/mysql_util.hpp"

namespace edgechat::worker {

namespace {

constexpr const char* kColumns = "site_id, time_zone, week, holidays, away_text";

OfficeHoursRow RowOf(sql::ResultSet& rs) {
  return OfficeHoursRow{rs.getUInt64("site_id"), rs.getString("time_zone"), rs.getString("week"),
                        rs.getString("holidays"), rs.getString("away_text")};
}

}  // namespace

Result<std::optional<OfficeHoursRow>> MysqlOfficeHoursRepo::Get(std::uint64_t site_id) {
  using Found = std::optional<OfficeHoursRow>;
  return WithConnection<Found>(pool_, [&](DbConnection& c) -> Result<Found> {
    auto stmt =
        Prepare(c, std::string("SELECT ") + kColumns + " FROM site_office_hours WHERE site_id = ?");
    stmt->setUInt64(1, site_id);
    auto rs = Query(*stmt);
    if (!rs->next()) return Found{};
    return Found{RowOf(*rs)};
  });
}

Result<std::vector<OfficeHoursRow>> MysqlOfficeHoursRepo::All() {
  using Rows = std::vector<OfficeHoursRow>;
  return WithConnection<Rows>(pool_, [&](DbConnection& c) -> Result<Rows> {
    auto stmt = Prepare(c, std::string("SELECT ") + kColumns + " FROM site_office_hours");
    auto rs = Query(*stmt);
    Rows out;
    while (rs->next()) out.push_back(RowOf(*rs));
    return out;
  });
}

Status MysqlOfficeHoursRepo::Put(const OfficeHoursRow& row, const std::string& site_key,
                                 const Actor& actor) {
  return WithTransaction<Ok>(pool_, [&](DbConnection& c) -> Status {
    auto stmt = Prepare(c,
                        "INSERT INTO site_office_hours (site_id, time_zone, week, holidays, "
                        "away_text) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
                        "time_zone = VALUES(time_zone), week = VALUES(week), "
                        "holidays = VALUES(holidays), away_text = VALUES(away_text)");
    stmt->setUInt64(1, row.site_id);
    stmt->setString(2, row.time_zone);
    stmt->setString(3, row.week);
    stmt->setString(4, row.holidays);
    stmt->setString(5, row.away_text);
    stmt->executeUpdate();
    AppendAudit(c, actor, "site.hours", site_key,
                AuditDetail(nlohmann::json{{"timeZone", row.time_zone}, {"week", row.week}}));
    return Ok{};
  });
}

Status MysqlOfficeHoursRepo::Remove(std::uint64_t site_id, const std::string& site_key,
                                    const Actor& actor) {
  return WithTransaction<Ok>(pool_, [&](DbConnection& c) -> Status {
    auto stmt = Prepare(c, "DELETE FROM site_office_hours WHERE site_id = ?");
    stmt->setUInt64(1, site_id);
    stmt->executeUpdate();
    AppendAudit(c, actor, "site.hours.clear", site_key, "{}");
    return Ok{};
  });
}

}  // namespace edgechat::worker
