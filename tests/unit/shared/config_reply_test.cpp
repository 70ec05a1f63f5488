#include "shared/config_reply.hpp"

#include <gtest/gtest.h>

namespace edgechat::shared {
namespace {

using nlohmann::json;

TEST(ConfigReply, WithoutEnforcedLimits) {
  std::optional<std::string> locale;
  json reply = ConfigReply(SiteLook{"Chat with us", "#2563eb", true, "Closed", locale}, nullptr);
  EXPECT_EQ(reply, json::parse(R"({"title":"Chat with us","primaryColor":"#2563eb","locked":true,
      "lockedMessage":"Closed","locale":null,"limits":{"maxMessageLength":2000}})"));
}

TEST(ConfigReply, TheEnforcerAddsItsLimits) {
  std::optional<std::string> locale = "fa";
  SiteLimits limits;
  limits.messages = 3;
  limits.message = "Slow down";
  json reply = ConfigReply(SiteLook{"Hi", "#000000", false, "", locale}, &limits);
  EXPECT_EQ(reply["locale"], "fa");
  EXPECT_EQ(reply["limits"], json::parse(R"({"maxMessageLength":2000,"messages":3,
      "windowSeconds":60,"burst":5,"message":"Slow down"})"));
}

}  // namespace
}  // namespace edgechat::shared
