// The visitor context rules (common/visitor_context.hpp): clip, strip, drop; never refuse.
#include <gtest/gtest.h>

#include "common/text.hpp"
#include "common/visitor_context.hpp"

namespace edgechat::worker {
namespace {

VisitorContext Normal(VisitorContext raw) {
  return NormalizeVisitorContext(std::move(raw));
}

TEST(VisitorContext, KeepsAnOrdinaryContextAndDropsTheFragment) {
  VisitorContext c = Normal({"https://shop.example/cart?item=3#token=secret", "  Cart — Shop ",
                             "http://search.example/?q=chat", "fa-IR", "Asia/Tehran", "Firefox"});
  EXPECT_EQ(c.page_url, "https://shop.example/cart?item=3");
  EXPECT_EQ(c.page_title, "Cart — Shop");
  EXPECT_EQ(c.referrer, "http://search.example/?q=chat");
  EXPECT_EQ(c.language, "fa-IR");
  EXPECT_EQ(c.time_zone, "Asia/Tehran");
  EXPECT_EQ(c.browser, "firefox");
}

TEST(VisitorContext, UrlsMustBeHttpWithAHost) {
  for (const char* bad :
       {"javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "//shop.example/",
        "https://", "http:///path", "ftp://x.example/", "https://user:pw@shop.example/",
        "https://shop.example/a b", "https://shop.example/\"><script>"}) {
    EXPECT_EQ(Normal({bad, "", bad, "", "", ""}).page_url, "") << bad;
    EXPECT_EQ(Normal({"", "", bad, "", "", ""}).referrer, "") << bad;
  }
  EXPECT_EQ(Normal({"HTTPS://Shop.example", "", "", "", "", ""}).page_url, "HTTPS://Shop.example");
}

TEST(VisitorContext, AnOverlongUrlIsDroppedNotClipped) {
  std::string url = "https://shop.example/" + std::string(kMaxContextUrlLength, 'a');
  EXPECT_EQ(Normal({url, "", "", "", "", ""}).page_url, "");
  std::string fits = "https://shop.example/" + std::string(kMaxContextUrlLength - 21, 'a');
  EXPECT_EQ(Normal({fits, "", "", "", "", ""}).page_url, fits);
}

TEST(VisitorContext, TitlesAreClippedInCodePointsWithAnEllipsis) {
  std::string persian;
  for (int i = 0; i < 300; ++i) persian += "س";
  VisitorContext c = Normal({"", persian, "", "", "", ""});
  EXPECT_TRUE(IsValidUtf8(c.page_title));
  EXPECT_EQ(CountCodePoints(c.page_title), kMaxContextTitleLength);
  EXPECT_TRUE(c.page_title.ends_with("\u2026"));
}

TEST(VisitorContext, ControlAndBidiCharactersAreStripped) {
  VisitorContext c = Normal({"",
                             std::string("a\x01"
                                         "b\x7f"
                                         "c\r\nd\u202e"
                                         "e\u2067"
                                         "f\xc2\x85g"),
                             "", "", "", ""});
  EXPECT_EQ(c.page_title, "abcdefg");
  EXPECT_EQ(Normal({"https://shop.example/\n", "", "", "", "", ""}).page_url,
            "https://shop.example/");
}

TEST(VisitorContext, InvalidUtf8EmptiesTheField) {
  VisitorContext c = Normal({"https://shop.example/\xff", "bad \xc3\x28", "", "", "", ""});
  EXPECT_EQ(c.page_url, "");
  EXPECT_EQ(c.page_title, "");
}

TEST(VisitorContext, LanguageZoneAndBrowserFollowTheirShapes) {
  EXPECT_EQ(Normal({"", "", "", "en-US", "", ""}).language, "en-US");
  for (const char* bad :
       {"-en", "en_US", "e n", "<b>", "1en", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
    EXPECT_EQ(Normal({"", "", "", bad, "", ""}).language, "") << bad;
  }
  EXPECT_EQ(Normal({"", "", "", "", "America/Argentina/Buenos_Aires", ""}).time_zone,
            "America/Argentina/Buenos_Aires");
  for (const char* bad : {"../../etc/passwd", "/etc/localtime", "Europe/<b>", "a b"}) {
    EXPECT_EQ(Normal({"", "", "", "", bad, ""}).time_zone, "") << bad;
  }
  EXPECT_EQ(Normal({"", "", "", "", "", "Chrome"}).browser, "chrome");
  EXPECT_EQ(Normal({"", "", "", "", "", "<script>"}).browser, "other");
  EXPECT_EQ(Normal({"", "", "", "", "", ""}).browser, "");
  EXPECT_TRUE(Normal({}).empty());
}

TEST(VisitorName, VerifiedNameElseTheGuestNumber) {
  EXPECT_EQ(VisitorDisplayName(1234, std::nullopt), "Visitor 1234");
  EXPECT_EQ(VisitorDisplayName(1234, std::string("  ")), "Visitor 1234");
  EXPECT_EQ(VisitorDisplayName(7, std::string(" Sara ")), "Sara");
}

}  // namespace
}  // namespace edgechat::worker
