#include "shared/http_shapes.hpp"

#include <gtest/gtest.h>

namespace edgechat::shared {
namespace {

TEST(Etag, StrongAndContentDerived) {
  std::string a = StrongEtag("console.log(1)");
  EXPECT_EQ(a.front(), '"');
  EXPECT_EQ(a.back(), '"');
  EXPECT_EQ(a, StrongEtag("console.log(1)"));
  EXPECT_NE(a, StrongEtag("console.log(2)"));
  EXPECT_NE(StrongEtag(""), StrongEtag(std::string(1, '\0')));
}

TEST(Etag, IfNoneMatch) {
  std::string etag = StrongEtag("x");
  EXPECT_TRUE(IfNoneMatchMatches(etag, etag));
  EXPECT_TRUE(IfNoneMatchMatches("W/" + etag, etag));
  EXPECT_TRUE(IfNoneMatchMatches("\"other\", " + etag, etag));
  EXPECT_TRUE(IfNoneMatchMatches(" * ", etag));
  EXPECT_FALSE(IfNoneMatchMatches("\"other\"", etag));
  EXPECT_FALSE(IfNoneMatchMatches("", etag));
  EXPECT_FALSE(IfNoneMatchMatches(etag.substr(1), etag));
}

TEST(ErrorJson, ShapeAndEscaping) {
  EXPECT_EQ(ErrorJson("missing_site_key", "A \"Site-Key\" is required."),
            R"({"error":"missing_site_key","message":"A \"Site-Key\" is required."})");
  EXPECT_NO_THROW(ErrorJson("x", "\xff\xfe"));
}

}  // namespace
}  // namespace edgechat::shared
