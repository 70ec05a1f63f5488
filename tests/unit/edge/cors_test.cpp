#include "core/cors.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace edgechat::core {
namespace {

using shared::Origin;
using shared::OriginSet;
using shared::ParseAllowedOrigin;

class CorsTest : public ::testing::Test {
 protected:
  CorsTest() : chat_(ParseAllowedOrigin("https://chat.example").value()) {
    site_.Add(ParseAllowedOrigin("https://shop.example").value());
    site_.Add(ParseAllowedOrigin("*.example.org").value());
  }

  std::map<std::string, std::string> Headers(const CorsDecision& decision) {
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i < decision.header_count; i++) {
      out[std::string(decision.headers[i].name)] = std::string(decision.headers[i].value);
    }
    return out;
  }

  Origin chat_;
  OriginSet site_;
};

TEST_F(CorsTest, NoOriginIsNotCorsButStillVaries) {
  CorsDecision decision = DecideCors(chat_, std::nullopt, false, site_);
  EXPECT_EQ(decision.outcome, CorsOutcome::kNotCors);
  auto headers = Headers(decision);
  EXPECT_EQ(headers["Vary"], "Origin");
  EXPECT_FALSE(headers.contains("Access-Control-Allow-Origin"));
}

TEST_F(CorsTest, ChatOriginIsFirstParty) {
  CorsDecision decision = DecideCors(chat_, "https://chat.example", false, OriginSet{});
  EXPECT_EQ(decision.outcome, CorsOutcome::kAllowed);
  auto headers = Headers(decision);
  EXPECT_EQ(headers["Access-Control-Allow-Origin"], "https://chat.example");
  EXPECT_EQ(headers["Vary"], "Origin");
  EXPECT_EQ(headers["Access-Control-Expose-Headers"], "Retry-After");
}

TEST_F(CorsTest, WithoutAWhitelistOnlyTheChatOriginIsGranted) {
  EXPECT_EQ(DecideCors(chat_, "https://chat.example", true, nullptr).outcome,
            CorsOutcome::kAllowed);
  EXPECT_EQ(DecideCors(chat_, "https://shop.example", true, nullptr).outcome, CorsOutcome::kDenied);
  EXPECT_EQ(DecideCors(chat_, std::nullopt, true, nullptr).outcome, CorsOutcome::kNotCors);
}

TEST_F(CorsTest, WhitelistedOriginsAreEchoed) {
  for (std::string_view origin : {"https://shop.example", "https://a.example.org"}) {
    CorsDecision decision = DecideCors(chat_, origin, false, site_);
    EXPECT_EQ(decision.outcome, CorsOutcome::kAllowed) << origin;
    EXPECT_EQ(Headers(decision)["Access-Control-Allow-Origin"], origin);
  }
}

TEST_F(CorsTest, OthersAreDeniedWithoutAGrant) {
  for (std::string_view origin :
       {"null", "https://evil.test", "http://shop.example", "https://shop.example:8443",
        "https://example.org", "https://shop.example.evil.test", "https://chat.example.evil.test",
        "*", "", "https://shop.example/", "https://a@shop.example"}) {
    CorsDecision decision = DecideCors(chat_, origin, false, site_);
    EXPECT_EQ(decision.outcome, CorsOutcome::kDenied) << origin;
    auto headers = Headers(decision);
    EXPECT_EQ(headers["Vary"], "Origin") << origin;
    EXPECT_FALSE(headers.contains("Access-Control-Allow-Origin")) << origin;
  }
}

TEST_F(CorsTest, PreflightGrantsMethodsHeadersAndMaxAge) {
  CorsDecision decision = DecideCors(chat_, "https://shop.example", true, site_);
  EXPECT_EQ(decision.outcome, CorsOutcome::kAllowed);
  auto headers = Headers(decision);
  EXPECT_EQ(headers["Access-Control-Allow-Origin"], "https://shop.example");
  EXPECT_EQ(headers["Access-Control-Max-Age"], "7200");
  EXPECT_NE(headers["Access-Control-Allow-Headers"].find("Site-Key"), std::string::npos);
  EXPECT_NE(headers["Access-Control-Allow-Headers"].find("Authorization"), std::string::npos);
  EXPECT_NE(headers["Access-Control-Allow-Headers"].find("Edgechat-Identity"), std::string::npos);
  EXPECT_NE(headers["Access-Control-Allow-Methods"].find("PUT"), std::string::npos);
  EXPECT_EQ(headers["Vary"], "Origin");
  EXPECT_FALSE(headers.contains("Access-Control-Allow-Credentials"));

  CorsDecision denied = DecideCors(chat_, "https://evil.test", true, site_);
  EXPECT_EQ(denied.outcome, CorsOutcome::kDenied);
  EXPECT_FALSE(Headers(denied).contains("Access-Control-Max-Age"));
}

}  // namespace
}  // namespace edgechat::core
