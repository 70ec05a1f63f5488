#include <gtest/gtest.h>

#include "store/migrations.hpp"

namespace edgechat::worker {
namespace {

TEST(Migrations, SplitsAtSemicolonEndingALine) {
  auto s = SplitSqlStatements(
      "-- header comment\n"
      "CREATE TABLE a (\n"
      "  id INT, -- trailing words stay\n"
      "  -- a whole-line comment inside\n"
      "  name VARCHAR(10)\n"
      ");\n"
      "\n"
      "INSERT INTO a VALUES (1, 'x;y');\n"
      "INSERT INTO a VALUES (2, 'z');   \n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], "CREATE TABLE a (\nid INT, -- trailing words stay\nname VARCHAR(10)\n)");
  EXPECT_EQ(s[1], "INSERT INTO a VALUES (1, 'x;y')");
  EXPECT_EQ(s[2], "INSERT INTO a VALUES (2, 'z')");
}

TEST(Migrations, KeepsAFinalStatementWithoutSemicolon) {
  auto s = SplitSqlStatements("SELECT 1;\nSELECT 2\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1], "SELECT 2");
}

TEST(Migrations, BlankAndCommentOnlyTextHasNoStatements) {
  EXPECT_TRUE(SplitSqlStatements("").empty());
  EXPECT_TRUE(SplitSqlStatements("-- only\n\n  -- comments\n;\n").empty());
}

TEST(Migrations, HandlesCrLf) {
  auto s = SplitSqlStatements("SELECT 1;\r\nSELECT 2;\r\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "SELECT 1");
}

TEST(Migrations, FileNames) {
  unsigned v = 0;
  EXPECT_TRUE(ParseMigrationFileName("001_initial.sql", v));
  EXPECT_EQ(v, 1u);
  EXPECT_TRUE(ParseMigrationFileName("012_events.sql", v));
  EXPECT_EQ(v, 12u);
  EXPECT_FALSE(ParseMigrationFileName("01_short.sql", v));
  EXPECT_FALSE(ParseMigrationFileName("001initial.sql", v));
  EXPECT_FALSE(ParseMigrationFileName("001_initial.sql.bak", v));
  EXPECT_FALSE(ParseMigrationFileName("README.md", v));
}

TEST(Migrations, MissingDirectoryIsNotFound) {
  auto files = ListMigrationFiles("/nonexistent/sql");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().code, "not_found");
}

}  // namespace
}  // namespace edgechat::worker
