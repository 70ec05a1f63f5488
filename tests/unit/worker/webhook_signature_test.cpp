// common/webhook_signature: the Edgechat-Signature header, as docs/webhooks.md tells receivers to
// check it.
#include "common/webhook_signature.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace edgechat::worker;

TEST(WebhookSignature, MatchesRfc4231Hmac) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSignature, HeaderSignsTimestampDotBody) {
  const std::string body = R"({"id":"evt_1","type":"message.created"})";
  std::string header = WebhookSignatureHeader("whsec_test", 1700000000, body);
  EXPECT_EQ(header, "t=1700000000,v1=" + HmacSha256Hex("whsec_test", "1700000000." + body));
  EXPECT_TRUE(VerifyWebhookSignature(header, "whsec_test", body, 1700000000));
  EXPECT_TRUE(VerifyWebhookSignature(header, "whsec_test", body, 1700000300));
}

TEST(WebhookSignature, RefusesForgedStaleAndTamperedDeliveries) {
  const std::string body = R"({"id":"evt_1"})";
  std::string header = WebhookSignatureHeader("whsec_test", 1700000000, body);
  EXPECT_FALSE(VerifyWebhookSignature(header, "whsec_other", body, 1700000000));
  EXPECT_FALSE(VerifyWebhookSignature(header, "whsec_test", body + " ", 1700000000));
  EXPECT_FALSE(VerifyWebhookSignature(header, "whsec_test", body, 1700000301));  // replay
  EXPECT_FALSE(VerifyWebhookSignature(header, "whsec_test", body, 1699999699));
  // The timestamp is signed: moving it forward breaks the signature.
  std::string moved = "t=1700000100" + header.substr(header.find(','));
  EXPECT_FALSE(VerifyWebhookSignature(moved, "whsec_test", body, 1700000100));
  EXPECT_FALSE(VerifyWebhookSignature("v1=abc", "whsec_test", body, 1700000000));
  EXPECT_FALSE(VerifyWebhookSignature("t=x,v1=abc", "whsec_test", body, 1700000000));
  EXPECT_FALSE(VerifyWebhookSignature("", "whsec_test", body, 1700000000));
  // A second v1 (a receiver mid-rotation) passes when either matches.
  std::string two = "t=1700000000,v1=" + std::string(64, '0') + header.substr(header.find(",v1="));
  EXPECT_TRUE(VerifyWebhookSignature(two, "whsec_test", body, 1700000000));
}

TEST(WebhookSignature, SecretShape) {
  RandomFill counter = [n = 0](unsigned char* out, std::size_t size) mutable {
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<unsigned char>(n++ % 200);
  };
  std::string secret = NewWebhookSecret(counter);
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_EQ(secret.size(), 6u + 32u);
  EXPECT_NE(NewWebhookSecret(SodiumRandom()), NewWebhookSecret(SodiumRandom()));
}
