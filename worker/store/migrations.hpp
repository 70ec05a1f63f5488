// Schema migrations: sql/NNN_name.sql files applied in order and recorded in schema_migrations.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

// Splits a migration into statements: a statement ends at a line whose last non-blank character
// is `;`. Lines starting with `--` (after blanks) are comments and dropped. Blank statements are
// skipped; the `;` itself is not part of the statement.
std::vector<std::string> SplitSqlStatements(std::string_view text);

struct MigrationFile {
  unsigned version = 0;  // NNN
  std::string name;      // file name, e.g. "001_initial.sql"
  std::string path;
};

// Parses "NNN_name.sql" (three or more digits); false for other names.
bool ParseMigrationFileName(std::string_view file_name, unsigned& version);

// The migration files of `dir`, sorted by version; duplicate versions are an error.
Result<std::vector<MigrationFile>> ListMigrationFiles(const std::string& dir);

struct MigrationOutcome {
  MigrationFile file;
  std::string checksum;      // hex SHA-256 of the file
  bool applied_now = false;  // false: it was already applied
};

// Applies the files not yet recorded, in order. A recorded migration whose file changed since is
// an error ("checksum_mismatch"). Stops at the first failure.
Result<std::vector<MigrationOutcome>> ApplyMigrations(ConnectionPool& pool,
                                                      const std::vector<MigrationFile>& files);

}  // namespace edgechat::worker
