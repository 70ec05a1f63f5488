// A site's office hours as stored (sql/011_office_hours.sql): the service's canonical text
// forms, which worker/service/office_hours.hpp writes and reads back. No row: always open.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "store/audit_repo.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

struct OfficeHoursRow {
  std::uint64_t site_id = 0;
  std::string time_zone;
  std::string week;      // seven ';'-separated fields, Monday first, of "HH:MM-HH:MM,..."
  std::string holidays;  // "YYYY-MM-DD,..."
  std::string away_text;
};

class OfficeHoursRepo {
 public:
  virtual ~OfficeHoursRepo() = default;
  virtual Result<std::optional<OfficeHoursRow>> Get(std::uint64_t site_id) = 0;
  // Every site's row (the presence watch).
  virtual Result<std::vector<OfficeHoursRow>> All() = 0;
  // Replace or remove, audited ("site.hours" / "site.hours.clear", target the site key) in the
  // same transaction.
  virtual Status Put(const OfficeHoursRow& row, const std::string& site_key,
                     const Actor& actor) = 0;
  virtual Status Remove(std::uint64_t site_id, const std::string& site_key, const Actor& actor) = 0;
};

class MysqlOfficeHoursRepo : public OfficeHoursRepo {
 public:
  explicit MysqlOfficeHoursRepo(ConnectionPool& pool) : pool_(pool) {}
  Result<std::optional<OfficeHoursRow>> Get(std::uint64_t site_id) override;
  Result<std::vector<OfficeHoursRow>> All() override;
  Status Put(const OfficeHoursRow& row, const std::string& site_key, const Actor& actor) override;
  Status Remove(std::uint64_t site_id, const std::string& site_key, const Actor& actor) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
