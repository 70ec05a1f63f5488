// The external API's routing, status codes and error shapes over an in-memory store.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/external_api.hpp"
#include "common/ids.hpp"
#include "recording_typing.hpp"
#include "shared/guest_token.hpp"

namespace edgechat::worker {
namespace {

using nlohmann::json;

class FakeStore : public ChatStore {
 public:
  bool down = false;
  int site_lookups = 0;
  int joint_lookups = 0;
  Site site;
  std::vector<std::pair<Guest, std::string>> guests;  // with token hash
  std::vector<Message> messages;
  bool resolved = false;  // the guest's conversation; a guest message reopens it

  FakeStore() {
    site.id = 1;
    site.key = "ek_aaaaaaaaaaaaaaaaaaaaaaaa";
    site.title = "Chat";
    site.primary_color = "#2563eb";
  }

  Result<std::optional<Site>> FindSiteByKey(std::string_view key) override {
    ++site_lookups;
    if (down) return Error{ErrorKind::kUnavailable, "db_unavailable", "down"};
    if (key == site.key) return std::optional<Site>(site);
    return std::optional<Site>();
  }
  Result<std::string> CreateGuest(std::uint64_t site_id, const std::string& public_id,
                                  const std::string& token_hash, unsigned) override {
    if (down) return Error{ErrorKind::kUnavailable, "db_unavailable", "down"};
    guests.push_back(
        {Guest{guests.size() + 1, public_id, site_id, "x", 0, std::nullopt}, token_hash});
    return std::string("2027-01-01T00:00:00.000Z");
  }
  Result<std::optional<Guest>> FindGuest(std::uint64_t site_id,
                                         const std::string& token_hash) override {
    if (down) return Error{ErrorKind::kUnavailable, "db_unavailable", "down"};
    for (const auto& [g, h] : guests)
      if (h == token_hash && g.site_id == site_id) return std::optional<Guest>(g);
    return std::optional<Guest>();
  }
  // Like the MySQL store: one lookup, and the guest must belong to the key's site.
  Result<std::optional<SiteGuest>> FindSiteAndGuest(std::string_view key,
                                                    const std::string& token_hash) override {
    ++joint_lookups;
    if (down) return Error{ErrorKind::kUnavailable, "db_unavailable", "down"};
    if (key != site.key) return std::optional<SiteGuest>();
    for (const auto& [g, h] : guests)
      if (h == token_hash && g.site_id == site.id) return std::optional<SiteGuest>({site, g});
    return std::optional<SiteGuest>();
  }
  HistoryPage last_page;  // what the last LoadHistory was asked for
  Result<History> LoadHistory(const Guest&, const HistoryPage& page) override {
    last_page = page;
    History h;
    if (!messages.empty()) {
      h.conversation_id = 1;
      h.status = resolved ? "resolved" : "open";
    }
    h.messages = messages;
    return h;
  }
  Result<PostedMessage> PostGuestMessage(const Site&, const Guest&, const std::string& text,
                                         const std::optional<std::string>& client_id) override {
    if (down) return Error{ErrorKind::kUnavailable, "db_unavailable", "down"};
    for (const auto& m : messages)
      if (client_id && m.client_id == client_id) return PostedMessage{m, false, std::nullopt};
    Message m{messages.size() + 1, 1, "guest", text, client_id, "2026-01-01T00:00:00.000Z", {}};
    messages.push_back(m);
    std::optional<EventNotice> reopened;
    if (resolved) reopened = EventNotice{90, 1, 1, "status", R"({"status":"open"})"};
    resolved = false;
    return PostedMessage{m, true, EventNotice{m.id, 1, 1, "message", "{}"}, reopened};
  }
  Result<ReactionChange> SetReaction(const Guest&, std::uint64_t message_id,
                                     const std::optional<std::string>& value) override {
    for (auto& m : messages) {
      if (m.id != message_id) continue;
      if (m.author != "agent") return Error{ErrorKind::kConflict, "not_reactable", "no"};
      m.reaction = value;
      return ReactionChange{message_id, value, EventNotice{99, 1, 1, "reaction", "{}"}};
    }
    return Error{ErrorKind::kNotFound, "message_not_found", "no"};
  }
  // The MySQL store's rule: a message of the conversation, forward only, an event past a reply.
  std::uint64_t guest_read = 0;
  Result<GuestRead> MarkGuestRead(const Guest&, std::uint64_t message_id) override {
    if (down) return Error{ErrorKind::kUnavailable, "db_unavailable", "down"};
    bool known = false;
    for (const auto& m : messages) known = known || m.id == message_id;
    if (!known) return Error{ErrorKind::kNotFound, "message_not_found", "No such message."};
    GuestRead read{std::max(guest_read, message_id), std::nullopt};
    if (message_id <= guest_read) return read;
    bool passed = false;
    for (const auto& m : messages)
      passed = passed || (m.author != "guest" && m.id > guest_read && m.id <= message_id);
    guest_read = message_id;
    if (passed) read.event = EventNotice{100 + message_id, 1, 1, "read", "{}"};
    return read;
  }
  Result<std::vector<EventNotice>> EventsAfter(std::uint64_t, std::uint64_t, unsigned) override {
    return std::vector<EventNotice>{};
  }
  Result<std::uint64_t> LastEventId(std::uint64_t) override {
    return static_cast<std::uint64_t>(messages.size());
  }
  std::map<std::string, std::uint64_t> tickets;  // hash -> guest id
  unsigned ticket_ttl = 0;
  Status CreateStreamTicket(std::uint64_t guest_id, const std::string& ticket_hash,
                            unsigned ttl_seconds) override {
    if (down) return Error{ErrorKind::kUnavailable, "db_unavailable", "down"};
    tickets[ticket_hash] = guest_id;
    ticket_ttl = ttl_seconds;
    return Ok{};
  }
  // Like the MySQL store: single-use, and only for the site of the ticket's guest.
  Result<std::optional<SiteGuest>> RedeemStreamTicket(std::string_view key,
                                                      const std::string& ticket_hash) override {
    if (down) return Error{ErrorKind::kUnavailable, "db_unavailable", "down"};
    auto it = tickets.find(ticket_hash);
    if (key != site.key || it == tickets.end()) return std::optional<SiteGuest>();
    Guest guest = guests.at(it->second - 1).first;
    tickets.erase(it);
    return std::optional<SiteGuest>({site, guest});
  }
};

class RecordingPublisher : public EventPublisher {
 public:
  std::vector<EventNotice> published;
  void Publish(const EventNotice& n) override { published.push_back(n); }
};

class ExternalApiTest : public ::testing::Test {
 protected:
  FakeStore store;
  RecordingPublisher events;
  ExternalApi api{store, SodiumRandom(), events, nullptr};

  HttpResponse Call(const std::string& method, const std::string& path,
                    std::map<std::string, std::string> headers = {}, std::string body = "") {
    HttpRequest r{method, path, std::move(headers), std::move(body)};
    auto response = api.Handle(r);
    EXPECT_TRUE(response.has_value());
    return response.value_or(HttpResponse{});
  }
  std::map<std::string, std::string> Key() { return {{"site-key", store.site.key}}; }
  std::string NewToken() {
    auto r = Call("POST", "/api/v1/external/guests", Key());
    EXPECT_EQ(r.status, 201);
    return json::parse(r.body)["token"];
  }
  std::map<std::string, std::string> Auth(const std::string& token) {
    auto h = Key();
    h["authorization"] = "Bearer " + token;
    return h;
  }
  static std::string ErrorCode(const HttpResponse& r) { return json::parse(r.body)["error"]; }
  static std::optional<std::string> HeaderOf(const HttpResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return std::nullopt;
  }
};

TEST_F(ExternalApiTest, NotOurPath) {
  HttpRequest r{"GET", "/other", {}, ""};
  EXPECT_FALSE(api.Handle(r).has_value());
}

TEST_F(ExternalApiTest, SiteKeyMissingOrUnknown) {
  auto missing = Call("GET", "/api/v1/external/config");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(ErrorCode(missing), "missing_site_key");
  auto unknown = Call("GET", "/api/v1/external/config", {{"site-key", "ek_nope"}});
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(ErrorCode(unknown), "unknown_site_key");
}

TEST_F(ExternalApiTest, EdgeHeaderIsAccepted) {
  auto r = Call("GET", "/api/v1/external/config", {{"x-edgechat-site-key", store.site.key}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["title"], "Chat");
}

TEST_F(ExternalApiTest, GuestCreation) {
  auto r = Call("POST", "/api/v1/external/guests", Key());
  ASSERT_EQ(r.status, 201);
  json j = json::parse(r.body);
  EXPECT_TRUE(shared::LooksLikeGuestToken(j["token"].get<std::string>()));
  EXPECT_EQ(j["guestId"].get<std::string>().substr(0, 2), "g_");
  // Only the hash is stored.
  EXPECT_EQ(store.guests.at(0).second, Sha256Hex(j["token"].get<std::string>()));
}

TEST_F(ExternalApiTest, MessagesNeedAValidToken) {
  EXPECT_EQ(ErrorCode(Call("GET", "/api/v1/external/messages", Key())), "invalid_token");
  auto bad = Call("GET", "/api/v1/external/messages", Auth(std::string(43, 'a')));
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(ErrorCode(bad), "invalid_token");
}

TEST_F(ExternalApiTest, GuestRoutesResolveSiteAndGuestInOneLookup) {
  std::string token = NewToken();
  int sites_before = store.site_lookups;
  auto r = Call("POST", "/api/v1/external/messages", Auth(token), R"({"text":"hi"})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(Call("GET", "/api/v1/external/messages", Auth(token)).status, 200);
  EXPECT_EQ(store.joint_lookups, 2);
  EXPECT_EQ(store.site_lookups, sites_before);
}

TEST_F(ExternalApiTest, GuestRoutesReportUnknownSiteBeforeBadToken) {
  std::string token = NewToken();
  auto headers = Auth(token);
  headers["site-key"] = "ek_bbbbbbbbbbbbbbbbbbbbbbbb";  // a well-formed key of no site
  auto unknown = Call("POST", "/api/v1/external/messages", headers, R"({"text":"hi"})");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(ErrorCode(unknown), "unknown_site_key");
  headers.erase("authorization");
  EXPECT_EQ(ErrorCode(Call("GET", "/api/v1/external/messages", headers)), "unknown_site_key");
  // A guest of another site: the token does not match within this site.
  store.guests.at(0).first.site_id = 2;
  auto other = Call("GET", "/api/v1/external/messages", Auth(token));
  EXPECT_EQ(other.status, 401);
  EXPECT_EQ(ErrorCode(other), "invalid_token");
  EXPECT_TRUE(store.messages.empty());
}

TEST_F(ExternalApiTest, GuestRoutesAnswer503WhenTheDatabaseIsDown) {
  std::string token = NewToken();
  store.down = true;
  auto r = Call("POST", "/api/v1/external/messages", Auth(token), R"({"text":"hi"})");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "2");
}

TEST_F(ExternalApiTest, TypingIsAnnouncedForTheGuestsConversationAndNeverStored) {
  RecordingTyping typing;
  ExternalApi with_typing{store, SodiumRandom(), events, nullptr, &typing};
  std::string token = NewToken();
  auto call = [&](const std::string& method, std::string body) {
    HttpRequest r{method, "/api/v1/external/typing", Auth(token), std::move(body)};
    return with_typing.Handle(r).value_or(HttpResponse{});
  };
  EXPECT_EQ(call("POST", "").status, 204);
  EXPECT_TRUE(typing.sent.empty()) << "no conversation yet: nobody to tell";
  for (auto& entry : store.guests) entry.first.conversation_id = 5;
  EXPECT_EQ(call("POST", "{}").status, 204);
  ASSERT_EQ(typing.sent.size(), 1u);
  EXPECT_EQ(typing.sent[0].conversation_id, 5u);
  EXPECT_EQ(typing.sent[0].from, TypingNotice::From::kGuest);
  EXPECT_EQ(call("POST", R"({"text":"x"})").status, 400);
  EXPECT_EQ(call("POST", "[]").status, 400);
  EXPECT_EQ(call("GET", "").status, 405);
  EXPECT_EQ(typing.sent.size(), 1u);
  EXPECT_TRUE(events.published.empty()) << "typing is no event";
  EXPECT_TRUE(store.messages.empty());
  HttpRequest anonymous{"POST", "/api/v1/external/typing", Key(), ""};
  EXPECT_EQ(with_typing.Handle(anonymous)->status, 401);
}

TEST_F(ExternalApiTest, PostThenRetryIsIdempotent) {
  std::string token = NewToken();
  auto first = Call("POST", "/api/v1/external/messages", Auth(token),
                    R"({"text":"  hi  ","clientId":"c1"})");
  ASSERT_EQ(first.status, 201);
  EXPECT_EQ(json::parse(first.body)["message"]["text"], "hi");
  auto again =
      Call("POST", "/api/v1/external/messages", Auth(token), R"({"text":"hi","clientId":"c1"})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["message"]["id"], json::parse(first.body)["message"]["id"]);
  EXPECT_EQ(store.messages.size(), 1u);
  EXPECT_EQ(events.published.size(), 1u);  // the retry announces nothing
  auto history = Call("GET", "/api/v1/external/messages", Auth(token));
  EXPECT_EQ(json::parse(history.body)["messages"].size(), 1u);
  EXPECT_EQ(json::parse(history.body)["lastEventId"], 1);
}

TEST_F(ExternalApiTest, MessageToResolvedConversationAnnouncesReopenFirst) {
  std::string token = NewToken();
  store.resolved = true;
  auto posted = Call("POST", "/api/v1/external/messages", Auth(token), R"({"text":"back"})");
  ASSERT_EQ(posted.status, 201);
  ASSERT_EQ(events.published.size(), 2u);
  EXPECT_EQ(events.published[0].type, "status");
  EXPECT_EQ(events.published[1].type, "message");
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/external/messages", Auth(token)).body)["status"],
            "open");
  Call("POST", "/api/v1/external/messages", Auth(token), R"({"text":"still here"})");
  ASSERT_EQ(events.published.size(), 3u);  // already open: the message only
  EXPECT_EQ(events.published[2].type, "message");
}

TEST_F(ExternalApiTest, Reactions) {
  std::string token = NewToken();
  store.messages.push_back(Message{1, 1, "agent", "hello", {}, "t", {}});
  store.messages.push_back(Message{2, 1, "guest", "hi", {}, "t", {}});
  auto put = [&](const std::string& path, const std::string& body) {
    return Call("PUT", path, Auth(token), body);
  };
  auto liked = put("/api/v1/external/messages/1/reaction", R"({"value":"like"})");
  EXPECT_EQ(liked.status, 200);
  EXPECT_EQ(json::parse(liked.body), json::parse(R"({"messageId":1,"reaction":"like"})"));
  EXPECT_EQ(events.published.size(), 1u);
  auto cleared = put("/api/v1/external/messages/1/reaction", R"({"value":null})");
  EXPECT_TRUE(json::parse(cleared.body)["reaction"].is_null());
  EXPECT_EQ(put("/api/v1/external/messages/2/reaction", R"({"value":"like"})").status, 409);
  EXPECT_EQ(put("/api/v1/external/messages/9/reaction", R"({"value":"like"})").status, 404);
  EXPECT_EQ(ErrorCode(put("/api/v1/external/messages/1/reaction", R"({"value":"love"})")),
            "invalid_reaction");
  EXPECT_EQ(put("/api/v1/external/messages/x/reaction", R"({"value":"like"})").status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/external/messages/1/reaction", Auth(token)).status, 405);
}

TEST(Routes, ReadInput) {
  EXPECT_EQ(ParseReadInput(R"({"upToMessageId":12})").value(), 12u);
  for (const char* bad :
       {R"({"upToMessageId":0})", R"({"upToMessageId":-3})", R"({"upToMessageId":1.5})",
        R"({"upToMessageId":"12"})", R"({"upToMessageId":null})", R"({})"}) {
    auto parsed = ParseReadInput(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, "invalid_message_id") << bad;
  }
  for (const char* bad : {"", "[]", "nope", R"({"upToMessageId":1,"guestId":"x"})"}) {
    auto parsed = ParseReadInput(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, "invalid_json") << bad;
  }
}

TEST_F(ExternalApiTest, ReadReceiptsMoveForwardOnlyAndAnnounceAReadReply) {
  std::string token = NewToken();
  store.messages.push_back(Message{1, 1, "guest", "hi", {}, "t", {}});
  store.messages.push_back(Message{2, 1, "agent", "hello", {}, "t", {}});
  store.messages.push_back(Message{3, 1, "guest", "thanks", {}, "t", {}});
  auto read = [&](const std::string& body) {
    return Call("POST", "/api/v1/external/read", Auth(token), body);
  };
  EXPECT_EQ(read(R"({"upToMessageId":1})").status, 204);
  EXPECT_TRUE(events.published.empty()) << "no reply read yet";
  EXPECT_EQ(read(R"({"upToMessageId":2})").status, 204);
  ASSERT_EQ(events.published.size(), 1u);
  EXPECT_EQ(events.published[0].type, "read");
  EXPECT_EQ(read(R"({"upToMessageId":1})").status, 204);
  EXPECT_EQ(store.guest_read, 2u) << "never back";
  EXPECT_EQ(read(R"({"upToMessageId":3})").status, 204);
  EXPECT_EQ(events.published.size(), 1u) << "only the visitor's own message passed";
  auto unknown = read(R"({"upToMessageId":99})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCode(unknown), "message_not_found");
  EXPECT_EQ(ErrorCode(read(R"({"upToMessageId":"2"})")), "invalid_message_id");
  EXPECT_EQ(read(R"({"upToMessageId":"2"})").status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/external/read", Key(), R"({"upToMessageId":2})").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/external/read", Auth(token)).status, 405);
}

TEST_F(ExternalApiTest, EventsRejectsBadLastEventId) {
  std::string token = NewToken();
  auto h = Auth(token);
  h["last-event-id"] = "abc";
  auto r = Call("GET", "/api/v1/external/events", h);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "invalid_last_event_id");
}

TEST(Routes, ReactionRouteId) {
  EXPECT_EQ(ReactionRouteId("messages/12/reaction"), 12u);
  EXPECT_FALSE(ReactionRouteId("messages/0/reaction").has_value());
  EXPECT_FALSE(ReactionRouteId("messages//reaction").has_value());
  EXPECT_FALSE(ReactionRouteId("messages/1a/reaction").has_value());
  EXPECT_FALSE(ReactionRouteId("messages/12/reactions").has_value());
  EXPECT_FALSE(ReactionRouteId("messages/99999999999999999999/reaction").has_value());
}

TEST_F(ExternalApiTest, HistoryPagesAreCheckedBeforeTheStore) {
  std::string token = NewToken();
  auto get = [&](const std::string& query) {
    return Call("GET", "/api/v1/external/messages" + query, Auth(token));
  };
  ASSERT_EQ(get("").status, 200);
  EXPECT_EQ(store.last_page.limit, kHistoryPageDefault);
  EXPECT_FALSE(store.last_page.before.has_value());
  ASSERT_EQ(get("?before=41&limit=200").status, 200);
  EXPECT_EQ(store.last_page.limit, 200u);
  EXPECT_EQ(store.last_page.before, 41u);
  for (const char* bad : {"?limit=0", "?limit=201", "?limit=", "?limit=-5", "?limit=ten",
                          "?limit=5x", "?limit=99999999999999999999"}) {
    auto r = get(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(ErrorCode(r), "invalid_limit") << bad;
  }
  for (const char* bad : {"?before=0", "?before=", "?before=abc", "?before=1.5", "?before=-1"}) {
    auto r = get(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(ErrorCode(r), "invalid_before") << bad;
  }
}

TEST(Routes, LastEventId) {
  EXPECT_FALSE(ParseLastEventId(std::nullopt)->has_value());
  EXPECT_FALSE(ParseLastEventId(std::string(""))->has_value());
  EXPECT_EQ(ParseLastEventId(std::string("42"))->value(), 42u);
  EXPECT_FALSE(ParseLastEventId(std::string("-1")).ok());
  EXPECT_FALSE(ParseLastEventId(std::string("1e3")).ok());
}

TEST_F(ExternalApiTest, BadBodies) {
  std::string token = NewToken();
  auto post = [&](const std::string& body) {
    return Call("POST", "/api/v1/external/messages", Auth(token), body);
  };
  EXPECT_EQ(ErrorCode(post("{")), "invalid_json");
  EXPECT_EQ(ErrorCode(post("[]")), "invalid_json");
  EXPECT_EQ(ErrorCode(post(R"({"text":"   "})")), "invalid_text");
  EXPECT_EQ(ErrorCode(post(R"({"text":5})")), "invalid_text");
  EXPECT_EQ(ErrorCode(post(R"({"text":")" + std::string(2001, 'a') + "\"}")), "invalid_text");
  EXPECT_EQ(ErrorCode(post(R"({"text":"hi","clientId":"bad id"})")), "invalid_client_id");
  EXPECT_EQ(post("{").status, 400);
}

TEST_F(ExternalApiTest, LockedSiteRefusesMessages) {
  std::string token = NewToken();
  store.site.locked = true;
  store.site.locked_message = "Back tomorrow";
  auto r = Call("POST", "/api/v1/external/messages", Auth(token), R"({"text":"hi"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ErrorCode(r), "site_locked");
  EXPECT_EQ(json::parse(r.body)["message"], "Back tomorrow");
}

TEST_F(ExternalApiTest, DatabaseDownIs503WithRetryAfter) {
  store.down = true;
  auto r = Call("GET", "/api/v1/external/config", Key());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(ErrorCode(r), "unavailable");
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "2");
}

TEST_F(ExternalApiTest, MethodsAndRoutes) {
  EXPECT_EQ(Call("DELETE", "/api/v1/external/config", Key()).status, 405);
  EXPECT_EQ(Call("GET", "/api/v1/external/guests", Key()).status, 405);
  EXPECT_EQ(Call("GET", "/api/v1/external/nothing", Key()).status, 404);
}

// The worker reads Authorization with the edge's grammar (shared::BearerToken): every spelling it
// accepts is one the edge keyed a per-guest limit on, and every other one finds no guest.
TEST_F(ExternalApiTest, AuthorizationIsReadWithTheEdgesGrammar) {
  std::string token = NewToken();
  auto with = [&](const std::string& authorization) {
    auto headers = Key();
    headers["authorization"] = authorization;
    return Call("GET", "/api/v1/external/messages", headers);
  };
  for (const std::string& good : {"Bearer " + token, "bearer " + token, "BEARER  " + token}) {
    EXPECT_EQ(with(good).status, 200) << good;
  }
  for (const std::string& odd :
       {"Bearer\t" + token, "Bearer " + token + " ", "Bearer " + token + " x", " Bearer " + token,
        "Bearer" + token, "Basic " + token, "Bearer " + token + "=", "Bearer " + token + token}) {
    auto r = with(odd);
    EXPECT_EQ(r.status, 401) << odd;
    EXPECT_EQ(ErrorCode(r), "invalid_token") << odd;
  }
}

TEST_F(ExternalApiTest, AStreamTicketOpensTheGuestsEventsOnceWithoutAnyHeaderButTheKey) {
  std::vector<std::pair<std::uint64_t, std::optional<std::uint64_t>>> opened;
  ExternalApi with_streams{store, SodiumRandom(), events,
                           [&](const Guest& guest, std::optional<std::uint64_t> last) {
                             opened.emplace_back(guest.id, last);
                             return std::shared_ptr<StreamSource>();
                           }};
  auto call = [&](const std::string& method, const std::string& path,
                  std::map<std::string, std::string> headers) {
    HttpRequest r{method, path, std::move(headers), ""};
    return with_streams.Handle(r).value_or(HttpResponse{});
  };
  std::string token = NewToken();
  EXPECT_EQ(call("POST", "/api/v1/external/events/ticket", Key()).status, 401)
      << "a ticket needs the guest's token";
  EXPECT_EQ(call("GET", "/api/v1/external/events/ticket", Auth(token)).status, 405);

  auto made = call("POST", "/api/v1/external/events/ticket", Auth(token));
  ASSERT_EQ(made.status, 201) << made.body;
  std::string ticket = json::parse(made.body)["ticket"];
  EXPECT_EQ(json::parse(made.body)["expiresIn"], 30);
  EXPECT_TRUE(shared::LooksLikeGuestToken(ticket)) << "as strong as a token";
  EXPECT_EQ(store.ticket_ttl, 30u);
  ASSERT_EQ(store.tickets.count(Sha256Hex(ticket)), 1u) << "stored as its hash only";

  // A foreign key does not consume it, and says so before anything about the ticket.
  auto foreign = call("GET", "/api/v1/external/events?ticket=" + ticket,
                      {{"site-key", "ek_bbbbbbbbbbbbbbbbbbbbbbbb"}});
  EXPECT_EQ(foreign.status, 401);
  EXPECT_EQ(ErrorCode(foreign), "unknown_site_key");

  auto first = call("GET", "/api/v1/external/events?ticket=" + ticket + "&lastEventId=7", Key());
  EXPECT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].first, 1u);
  EXPECT_EQ(opened[0].second, std::optional<std::uint64_t>(7)) << "resume point from the query";

  auto again = call("GET", "/api/v1/external/events?ticket=" + ticket, Key());
  EXPECT_EQ(again.status, 401) << "single use";
  EXPECT_EQ(ErrorCode(again), "invalid_ticket");
  EXPECT_EQ(ErrorCode(call("GET", "/api/v1/external/events?ticket=nope", Key())), "invalid_ticket");
  auto bad_resume = call("POST", "/api/v1/external/events/ticket", Auth(token));
  std::string second = json::parse(bad_resume.body)["ticket"];
  EXPECT_EQ(
      call("GET", "/api/v1/external/events?ticket=" + second + "&lastEventId=x", Key()).status,
      400);
  EXPECT_EQ(opened.size(), 1u);
}

}  // namespace
}  // namespace edgechat::worker
