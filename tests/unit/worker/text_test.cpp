#include <gtest/gtest.h>

#include "common/text.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {
namespace {

TEST(Utf8, AcceptsValidText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("hello"));
  EXPECT_TRUE(IsValidUtf8("سلام"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x91\x8B"));  // U+1F44B
}

TEST(Utf8, RejectsMalformedText) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("سلام"), 4u);
  EXPECT_EQ(CountCodePoints("\xF0\x9F\x91\x8B"), 1u);
}

TEST(Text, TrimsUnicodeWhitespace) {
  EXPECT_EQ(TrimText("  hi \n"), "hi");
  EXPECT_EQ(TrimText("\xC2\xA0hi\xE3\x80\x80"), "hi");      // NBSP, ideographic space
  EXPECT_EQ(TrimText("\xE2\x80\x8B\xEF\xBB\xBFhi"), "hi");  // ZWSP, BOM
  EXPECT_EQ(TrimText("a b"), "a b");
  EXPECT_EQ(TrimText(" \t "), "");
}

TEST(Text, ValidateMessageText) {
  auto ok = ValidateMessageText("  hello  ");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "hello");
  EXPECT_EQ(ValidateMessageText("   ").error().code, "invalid_text");
  EXPECT_EQ(ValidateMessageText("\xC3").error().code, "invalid_text");
  EXPECT_EQ(ValidateMessageText(std::string("a\0b", 3)).error().code, "invalid_text");
}

TEST(Text, LengthLimitCountsCodePointsAfterTrimming) {
  std::string persian;
  for (int i = 0; i < 2000; ++i) persian += "س";  // 4000 bytes, 2000 code points
  EXPECT_TRUE(ValidateMessageText("  " + persian + "  ").ok());
  EXPECT_FALSE(ValidateMessageText(persian + "س").ok());
}

TEST(Text, ClientIds) {
  EXPECT_TRUE(IsValidClientId("c-1_2.3:4"));
  EXPECT_TRUE(IsValidClientId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidClientId(""));
  EXPECT_FALSE(IsValidClientId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidClientId("with space"));
  EXPECT_FALSE(IsValidClientId("سلام"));
}

TEST(Text, MysqlDatetimeToIso) {
  EXPECT_EQ(MysqlUtcToIso("2026-01-02 03:04:05.678901"), "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(MysqlUtcToIso("2026-01-02 03:04:05"), "2026-01-02T03:04:05.000Z");
  EXPECT_EQ(MysqlUtcToIso("garbage"), "garbage");
}

TEST(Text, DatesTheWorkerWritesComeFromTheClockItIsGiven) {
  using namespace std::chrono;
  // 2026-01-02 03:04:05.678901 UTC, as a fake wall clock would give it.
  sys_time<microseconds> t =
      sys_days(year(2026) / 1 / 2) + hours(3) + minutes(4) + seconds(5) + microseconds(678901);
  EXPECT_EQ(MysqlUtcMicros(t), "2026-01-02 03:04:05.678901");
  EXPECT_EQ(MysqlUtcMicros(sys_days(year(2026) / 12 / 31)), "2026-12-31 00:00:00.000000");
  // A guest's expiry: whole days later, to the second, across a year's end.
  EXPECT_EQ(MysqlUtcPlusDays(t, 180), "2026-07-01 03:04:05.000000");
  EXPECT_EQ(MysqlUtcPlusDays(sys_days(year(2026) / 12 / 31) + hours(23), 1),
            "2027-01-01 23:00:00.000000");
}

}  // namespace
}  // namespace edgechat::worker
