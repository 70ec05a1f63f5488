// Webhook delivery rules: which address a delivery may use, which event types are announced,
// and the endpoint field checks.
#include <gtest/gtest.h>

#include "mail/webhook_deliverer.hpp"
#include "service/webhook_service.hpp"
#include "store/webhook_repo.hpp"

namespace edgechat::worker {
namespace {

TEST(PickWebhookAddress, RefusesPrivateAndMappedFormsUnlessAllowed) {
  EXPECT_EQ(PickWebhookAddress("h", {"93.184.216.34"}, false).value(), "93.184.216.34");
  for (const char* bad :
       {"127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fe80::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "100.64.0.1", "0.0.0.0", "fd12::1", "224.0.0.1"}) {
    auto r = PickWebhookAddress("h", {bad}, false);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "address_refused");
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(PickWebhookAddress("h", {"127.0.0.1"}, true).value(), "127.0.0.1");
  // Metadata stays refused even with private addresses allowed.
  EXPECT_FALSE(PickWebhookAddress("h", {"169.254.169.254"}, true));
  // The first allowed address is used; the refused one never is.
  EXPECT_EQ(PickWebhookAddress("h", {"127.0.0.1", "2606:4700::1"}, false).value(), "2606:4700::1");
}

TEST(WebhookTypeOfEvent, MapsAnnouncedEventsOnly) {
  using nlohmann::json;
  EXPECT_EQ(WebhookTypeOfEvent("message", json::object()), "message.created");
  EXPECT_EQ(WebhookTypeOfEvent("reaction", json::object()), "reaction.changed");
  EXPECT_EQ(WebhookTypeOfEvent("status", json{{"status", "resolved"}}), "conversation.resolved");
  EXPECT_EQ(WebhookTypeOfEvent("status", json{{"status", "open"}}), "conversation.reopened");
  EXPECT_EQ(WebhookTypeOfEvent("read", json::object()), "");
  EXPECT_EQ(WebhookTypeOfEvent("erased", json::object()), "");
  EXPECT_NE(WebhookOrderingKey(1, 2), WebhookOrderingKey(2, 1));
}

TEST(CheckWebhookFields, RefusesBadUrlsAndUnknownTypes) {
  WebhookEndpointFields f{"https://example.com/hook", {"message.created"}, true, false};
  EXPECT_TRUE(CheckWebhookFields(f));
  f.events = {};
  EXPECT_EQ(CheckWebhookFields(f).error().code, "invalid_events");
  f.events = {"message.deleted"};
  EXPECT_EQ(CheckWebhookFields(f).error().code, "invalid_events");
  f.events = {"visitor.identified"};
  EXPECT_TRUE(CheckWebhookFields(f));
  f.url = "http://example.com/hook";
  EXPECT_EQ(CheckWebhookFields(f).error().code, "invalid_url");
  f.allow_private = true;
  EXPECT_TRUE(CheckWebhookFields(f));
  f.url = "https://169.254.169.254/";
  EXPECT_EQ(CheckWebhookFields(f).error().code, "invalid_url");
}

}  // namespace
}  // namespace edgechat::worker
