#include "shared/server_api.hpp"

#include <gtest/gtest.h>

#include <string>

#include "shared/registry.hpp"

namespace edgechat::shared {
namespace {

const std::string kKey = "esk_" + std::string(40, 'a');

TEST(SecretKey, ShapeIsPrefixAndFortyLettersOrDigits) {
  EXPECT_TRUE(IsValidSecretKey(kKey));
  EXPECT_TRUE(IsValidSecretKey("esk_" + std::string(20, 'Z') + std::string(20, '7')));
  EXPECT_FALSE(IsValidSecretKey("esk_" + std::string(39, 'a')));
  EXPECT_FALSE(IsValidSecretKey("esk_" + std::string(41, 'a')));
  EXPECT_FALSE(IsValidSecretKey("ek_" + std::string(41, 'a')));
  EXPECT_FALSE(IsValidSecretKey("esk_" + std::string(39, 'a') + "-"));
}

TEST(SecretKey, BearerGrammar) {
  EXPECT_EQ(SecretKeyBearer("Bearer " + kKey), kKey);
  EXPECT_EQ(SecretKeyBearer("bEaReR   " + kKey), kKey);
  EXPECT_FALSE(SecretKeyBearer(kKey));
  EXPECT_FALSE(SecretKeyBearer("Bearer\t" + kKey));
  EXPECT_FALSE(SecretKeyBearer("Bearer " + kKey + " "));
  EXPECT_FALSE(SecretKeyBearer("Basic " + kKey));
  EXPECT_FALSE(SecretKeyBearer("Bearer"));
  EXPECT_FALSE(SecretKeyBearer("Bearer "));
}

TEST(ServerRoutes, ClassifiesEveryRouteAndItsId) {
  EXPECT_EQ(ClassifyServerRoute("/api/v1/server/conversations").route, ServerRoute::kConversations);
  auto one = ClassifyServerRoute("/api/v1/server/conversations/42");
  EXPECT_EQ(one.route, ServerRoute::kConversation);
  EXPECT_EQ(one.conversation_id, 42u);
  EXPECT_EQ(ClassifyServerRoute("/api/v1/server/conversations/7/messages").route,
            ServerRoute::kMessages);
  EXPECT_EQ(ClassifyServerRoute("/api/v1/server/conversations/7/resolve").route,
            ServerRoute::kResolve);
  EXPECT_EQ(ClassifyServerRoute("/api/v1/server/conversations/7/reopen").route,
            ServerRoute::kReopen);
  for (const char* bad :
       {"/api/v1/server/", "/api/v1/server/conversations/", "/api/v1/server/conversations/0",
        "/api/v1/server/conversations/07", "/api/v1/server/conversations/-1",
        "/api/v1/server/conversations/1234567890123456789", "/api/v1/server/conversations/1/other",
        "/api/v1/server/conversationsx", "/api/v1/external/conversations"}) {
    EXPECT_EQ(ClassifyServerRoute(bad).route, ServerRoute::kUnknown) << bad;
  }
}

TEST(ServerRoutes, VisitorsAreKnownByTheirGuestId) {
  const std::string guest = "g_" + std::string(12, 'a') + std::string(12, '9');
  auto match = ClassifyServerRoute("/api/v1/server/visitors/" + guest + "/attributes");
  EXPECT_EQ(match.route, ServerRoute::kVisitorAttributes);
  EXPECT_EQ(match.guest_id, guest);
  for (const std::string& bad :
       {"g_" + std::string(23, 'a'), "g_" + std::string(25, 'a'), "x_" + std::string(24, 'a'),
        "g_" + std::string(23, 'a') + "-", std::string("")}) {
    EXPECT_EQ(ClassifyServerRoute("/api/v1/server/visitors/" + bad + "/attributes").route,
              ServerRoute::kUnknown)
        << bad;
  }
  EXPECT_EQ(ClassifyServerRoute("/api/v1/server/visitors/" + guest).route, ServerRoute::kVisitor);
  EXPECT_EQ(ClassifyServerRoute("/api/v1/server/visitors/" + guest).guest_id, guest);
  EXPECT_EQ(ClassifyServerRoute("/api/v1/server/visitors/" + guest + "/other").route,
            ServerRoute::kUnknown);
}

TEST(ServerRoutes, MethodsFollowTheTable) {
  EXPECT_TRUE(ServerMethodAllowed(ServerRoute::kMessages, "GET"));
  EXPECT_TRUE(ServerMethodAllowed(ServerRoute::kMessages, "POST"));
  EXPECT_FALSE(ServerMethodAllowed(ServerRoute::kMessages, "PUT"));
  EXPECT_FALSE(ServerMethodAllowed(ServerRoute::kConversation, "POST"));
  EXPECT_FALSE(ServerMethodAllowed(ServerRoute::kResolve, "GET"));
  EXPECT_FALSE(ServerMethodAllowed(ServerRoute::kUnknown, "GET"));
  EXPECT_FALSE(ServerMethodAllowed(ServerRoute::kConversations, ""));
  EXPECT_EQ(ServerRouteTable().size(), 7u);
  EXPECT_TRUE(ServerMethodAllowed(ServerRoute::kVisitor, "DELETE"));
  EXPECT_TRUE(ServerMethodAllowed(ServerRoute::kVisitorAttributes, "PUT"));
  EXPECT_FALSE(ServerMethodAllowed(ServerRoute::kVisitorAttributes, "POST"));
  for (const ServerRouteSpec& spec : ServerRouteTable()) {
    std::string path(spec.path);
    auto at = path.find("{id}");
    if (at != std::string::npos) path.replace(at, 4, "9");
    at = path.find("{guestId}");
    if (at != std::string::npos) path.replace(at, 9, "g_" + std::string(24, 'x'));
    EXPECT_EQ(ClassifyServerRoute(path).route, spec.route) << path;
  }
}

TEST(RegistrySecretKeys, HashesMapToTheirSiteAndBadOnesAreSkipped) {
  const std::string a(64, 'a');
  const std::string b(64, 'b');
  const std::string both(64, 'c');
  std::string doc = R"({"revision": 3, "sites": [
    {"key": "ek_AAAAAAAAAAAAAAAAAAAAAAAA", "secretKeyHashes": [")" +
                    a + R"(", ")" + both +
                    R"(", "nothex", 5]},
    {"key": "ek_BBBBBBBBBBBBBBBBBBBBBBBB", "secretKeyHashes": [")" +
                    b + R"(", ")" + both + R"("]}]})";
  auto registry = ParseRegistry(doc);
  ASSERT_TRUE(registry.ok());
  ASSERT_NE(registry->FindBySecretKeyHash(a), nullptr);
  EXPECT_EQ(registry->FindBySecretKeyHash(a)->key, "ek_AAAAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(registry->FindBySecretKeyHash(b)->key, "ek_BBBBBBBBBBBBBBBBBBBBBBBB");
  EXPECT_EQ(registry->FindBySecretKeyHash(both), nullptr);  // claimed by two sites: neither
  EXPECT_EQ(registry->FindBySecretKeyHash(std::string(64, 'd')), nullptr);
  EXPECT_EQ(registry->FindBySecretKeyHash("nothex"), nullptr);
  EXPECT_FALSE(registry->warnings.empty());
}

TEST(RegistrySecretKeys, TheWorkersDocumentRoundTrips) {
  RegistryEntry entry;
  entry.key = "ek_AAAAAAAAAAAAAAAAAAAAAAAA";
  entry.secret_key_hashes = {std::string(64, 'e')};
  auto registry = ParseRegistry(RegistryDocument(1, {entry}).dump());
  ASSERT_TRUE(registry.ok());
  ASSERT_NE(registry->FindBySecretKeyHash(std::string(64, 'e')), nullptr);
}

}  // namespace
}  // namespace edgechat::shared
