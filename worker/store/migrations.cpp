#include "store/migrations.hpp"

#include <cppconn/statement.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/ids.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {
namespace {

bool IsBlankChar(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view TrimBlank(std::string_view s) {
  while (!s.empty() && IsBlankChar(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlankChar(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<std::string> SplitSqlStatements(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::string_view trimmed = TrimBlank(line);
    if (trimmed.starts_with("--")) continue;
    if (!trimmed.empty() && trimmed.back() == ';') {
      trimmed.remove_suffix(1);
      current.append(TrimBlank(trimmed));
      std::string statement(TrimBlank(current));
      if (!statement.empty()) out.push_back(std::move(statement));
      current.clear();
      continue;
    }
    if (!trimmed.empty()) {
      current.append(trimmed);
      current.push_back('\n');
    }
  }
  std::string rest(TrimBlank(current));
  if (!rest.empty()) out.push_back(std::move(rest));
  return out;
}

bool ParseMigrationFileName(std::string_view file_name, unsigned& version) {
  if (!file_name.ends_with(".sql")) return false;
  std::size_t digits = 0;
  while (digits < file_name.size() && file_name[digits] >= '0' && file_name[digits] <= '9')
    ++digits;
  if (digits < 3 || digits > 9 || digits >= file_name.size() || file_name[digits] != '_')
    return false;
  version = 0;
  for (std::size_t i = 0; i < digits; ++i) version = version * 10 + (file_name[i] - '0');
  return true;
}

Result<std::vector<MigrationFile>> ListMigrationFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error{ErrorKind::kNotFound, "not_found",
                 "SQL directory " + dir + " does not exist (pass --sql-dir)"};
  }
  std::vector<MigrationFile> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    unsigned version;
    if (!ParseMigrationFileName(name, version)) continue;
    files.push_back(MigrationFile{version, name, entry.path().string()});
  }
  if (ec)
    return Error{ErrorKind::kInternal, "io_error", "cannot list " + dir + ": " + ec.message()};
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].version == files[i - 1].version) {
      return Error{ErrorKind::kConflict, "conflict",
                   "two migrations share version " + std::to_string(files[i].version) + ": " +
                       files[i - 1].name + ", " + files[i].name};
    }
  }
  return files;
}

Result<std::vector<MigrationOutcome>> ApplyMigrations(ConnectionPool& pool,
                                                      const std::vector<MigrationFile>& files) {
  using Outcomes = std::vector<MigrationOutcome>;
  return WithConnection<Outcomes>(pool, [&](DbConnection& c) -> Result<Outcomes> {
    std::unique_ptr<sql::Statement> ddl(c.raw().createStatement());
    ddl->execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INT UNSIGNED NOT NULL PRIMARY KEY,"
        " name VARCHAR(255) NOT NULL,"
        " checksum CHAR(64) CHARACTER SET ascii NOT NULL,"
        " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci");
    std::map<unsigned, std::string> applied;
    {
      auto stmt = Prepare(c, "SELECT version, checksum FROM schema_migrations");
      auto rs = Query(*stmt);
      while (rs->next()) applied[rs->getUInt("version")] = rs->getString("checksum");
    }
    Outcomes outcomes;
    for (const auto& file : files) {
      std::ifstream in(file.path, std::ios::binary);
      if (!in) return Error{ErrorKind::kInternal, "io_error", "cannot read " + file.path};
      std::stringstream buffer;
      buffer << in.rdbuf();
      std::string text = buffer.str();
      MigrationOutcome outcome{file, Sha256Hex(text), false};
      if (auto it = applied.find(file.version); it != applied.end()) {
        if (it->second != outcome.checksum) {
          return Error{ErrorKind::kConflict, "checksum_mismatch",
                       file.name + " changed after it was applied (recorded checksum " +
                           it->second.substr(0, 12) + "..., file " +
                           outcome.checksum.substr(0, 12) + "...): add a new migration instead"};
        }
        outcomes.push_back(std::move(outcome));
        continue;
      }
      // MySQL commits DDL implicitly, so a migration is not atomic: keep each one small.
      for (const auto& statement : SplitSqlStatements(text)) {
        try {
          ddl->execute(statement);
        } catch (const sql::SQLException& e) {
          if (IsConnectionError(e)) throw;
          return Error{
              ErrorKind::kInternal, "migration_failed",
              file.name + ": " + e.what() + "\nin statement:\n" + statement.substr(0, 400)};
        }
      }
      auto record = Prepare(c,
                            "INSERT INTO schema_migrations (version, name, checksum) "
                            "VALUES (?, ?, ?)");
      record->setUInt(1, file.version);
      record->setString(2, file.name);
      record->setString(3, outcome.checksum);
      record->executeUpdate();
      outcome.applied_now = true;
      outcomes.push_back(std::move(outcome));
    }
    return outcomes;
  });
}

}  // namespace edgechat::worker
