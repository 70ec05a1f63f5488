// Mail without a network or a database: MIME building (headers, RFC 2047, base64 bodies), header
// injection refused, HTML escaping of user text, English and Persian rendering, the backoff math,
// the outbox sender's decisions over a fake outbox, and the mail.* settings.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "mail/backoff.hpp"
#include "mail/mail_deliverer.hpp"
#include "mail/mail_message.hpp"
#include "mail/outbox_sender.hpp"
#include "shared/mail_address.hpp"

namespace edgechat::worker {
namespace {

using std::chrono::milliseconds;

std::string DecodeBase64(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    auto pos = kAlphabet.find(c);
    if (pos == std::string::npos) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// Decodes "=?UTF-8?B?...?=" words joined by folding whitespace.
std::string DecodeWords(const std::string& header) {
  std::string out;
  std::size_t at = 0;
  while ((at = header.find("=?UTF-8?B?", at)) != std::string::npos) {
    std::size_t end = header.find("?=", at + 10);
    out += DecodeBase64(header.substr(at + 10, end - at - 10));
    at = end + 2;
  }
  return out;
}

// The value of header `name` in `mime`, unfolded.
std::string HeaderOf(const std::string& mime, const std::string& name) {
  std::string head = mime.substr(0, mime.find("\r\n\r\n"));
  std::size_t at = head.find(name + ": ");
  if (at == std::string::npos) return "";
  std::string value;
  std::size_t i = at + name.size() + 2;
  for (;;) {
    std::size_t end = head.find("\r\n", i);
    value += head.substr(i, end == std::string::npos ? std::string::npos : end - i);
    if (end == std::string::npos || end + 2 >= head.size() || head[end + 2] != ' ') break;
    i = end + 2;
  }
  return value;
}

MailHeaders Headers() {
  MailHeaders h;
  h.from = "chat@example.org";
  h.from_name = "Support";
  h.to = "agent@example.org";
  h.message_id = MessageIdFor(42, h.from);
  h.date = MailDate(0);
  return h;
}

TEST(MailMessage, AddressesWithLineBreaksOrSpecialsAreRefused) {
  EXPECT_TRUE(shared::CheckMailAddress("agent@example.org"));
  for (const char* bad :
       {"", "agent", "@example.org", "agent@", "a@b@c", "agent@example.org\r\nBcc: x@y",
        "agent @example.org", "<agent@example.org>", "agent@exa..mple", "آژانس@example.org",
        "agent@example.org,other@example.org"}) {
    auto checked = shared::CheckMailAddress(bad);
    ASSERT_FALSE(checked) << bad;
    EXPECT_EQ(checked.error().code, "invalid_email");
  }
  MailHeaders h = Headers();
  h.to = "agent@example.org\r\nBcc: victim@example.org";
  EXPECT_FALSE(BuildMime(h, MailContent{"s", "t", "h"}, BoundaryFor(1)));
  h = Headers();
  h.message_id = "<x@y>\r\nBcc: victim@example.org";
  EXPECT_FALSE(BuildMime(h, MailContent{"s", "t", "h"}, BoundaryFor(1)));
}

TEST(MailMessage, SubjectsNeverStartANewHeader) {
  EXPECT_EQ(EncodeHeaderText("Hello\r\nBcc: victim@example.org"), "Hello  Bcc: victim@example.org");
  auto mime =
      BuildMime(Headers(), MailContent{"Hi\r\nBcc: victim@example.org", "t", "h"}, BoundaryFor(7));
  ASSERT_TRUE(mime);
  EXPECT_EQ(mime->find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(HeaderOf(*mime, "Subject"), "Hi  Bcc: victim@example.org");
}

TEST(MailMessage, NonAsciiHeadersAreEncodedWordsOfAtMost75Characters) {
  std::string persian = "گفتگوی تازه در فروشگاه ما، با یک نام بسیار بلند که باید شکسته شود";
  std::string encoded = EncodeHeaderText(persian);
  EXPECT_TRUE(encoded.starts_with("=?UTF-8?B?"));
  std::size_t start = 0;
  int words = 0;
  while (start < encoded.size()) {
    std::size_t end = encoded.find("\r\n ", start);
    std::string word =
        encoded.substr(start, end == std::string::npos ? std::string::npos : end - start);
    EXPECT_LE(word.size(), 75u) << word;
    ++words;
    if (end == std::string::npos) break;
    start = end + 3;
  }
  EXPECT_GT(words, 1);
  EXPECT_EQ(DecodeWords(encoded), persian);  // split on UTF-8 boundaries: decodes whole
  EXPECT_EQ(EncodeHeaderText("plain ascii"), "plain ascii");
}

TEST(MailMessage, MimeHasStableIdsBothPartsAndDecodesToTheText) {
  MailContent content{"Hello", "line one\nمتن فارسی\n", "<p>x</p>"};
  auto mime = BuildMime(Headers(), content, BoundaryFor(42));
  ASSERT_TRUE(mime);
  EXPECT_EQ(HeaderOf(*mime, "Message-ID"), "<edgechat.outbox.42@example.org>");
  EXPECT_EQ(HeaderOf(*mime, "From"), "\"Support\" <chat@example.org>");
  EXPECT_EQ(HeaderOf(*mime, "To"), "<agent@example.org>");
  EXPECT_EQ(HeaderOf(*mime, "Date"), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(HeaderOf(*mime, "Content-Type"),
            "multipart/alternative; boundary=\"=_edgechat_42_part\"");
  auto plain = mime->find("text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
  auto html = mime->find("text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
  ASSERT_NE(plain, std::string::npos);
  ASSERT_NE(html, std::string::npos);
  std::size_t body = mime->find("\r\n\r\n", plain) + 4;
  EXPECT_EQ(DecodeBase64(mime->substr(body, mime->find("--=_edgechat", body) - body)),
            content.text);
  EXPECT_TRUE(mime->ends_with("--=_edgechat_42_part--\r\n"));
  for (std::size_t at = 0, next; at < mime->size(); at = next + 2) {
    next = mime->find("\r\n", at);
    ASSERT_NE(next, std::string::npos);
    EXPECT_LE(next - at, 998u);
  }
  // The same outbox row gives the same message apart from the date.
  EXPECT_EQ(*mime, *BuildMime(Headers(), content, BoundaryFor(42)));
  MailHeaders persian = Headers();
  persian.from_name = "پشتیبانی";
  auto encoded = BuildMime(persian, content, BoundaryFor(42));
  ASSERT_TRUE(encoded);
  EXPECT_EQ(DecodeWords(HeaderOf(*encoded, "From")), "پشتیبانی");
}

TEST(MailMessage, HtmlEscapesEveryUserText) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  AgentMailFacts f;
  f.kind = "new_conversation";
  f.site_name = "<b>Shop</b>";
  f.text = "<img src=x onerror=alert(1)>";
  f.conversation_id = 9;
  f.panel_url = "https://chat.example/admin/?a=1&b=\"2\"";
  MailContent m = RenderAgentMail(f);
  EXPECT_EQ(m.html.find("<img"), std::string::npos);
  EXPECT_EQ(m.html.find("<b>"), std::string::npos);
  EXPECT_NE(m.html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(m.html.find("href=\"https://chat.example/admin/?a=1&amp;b=&quot;2&quot;\""),
            std::string::npos);
  EXPECT_NE(m.text.find(f.text), std::string::npos);  // plain text keeps it as it is
  EXPECT_EQ(m.subject, "New conversation on <b>Shop</b> (#9)");
  EXPECT_NE(m.html.find("dir=\"ltr\""), std::string::npos);
}

TEST(MailMessage, PersianMailsAreRightToLeft) {
  AgentMailFacts f;
  f.kind = "unanswered";
  f.locale = "fa";
  f.site_name = "فروشگاه";
  f.text = "سلام";
  f.minutes = 10;
  f.conversation_id = 3;
  MailContent m = RenderAgentMail(f);
  EXPECT_EQ(m.subject, "پیام بی‌پاسخ در فروشگاه (#3)");
  EXPECT_NE(m.html.find("<html lang=\"fa\" dir=\"rtl\">"), std::string::npos);
  EXPECT_NE(m.text.find("10 دقیقه"), std::string::npos);
  f.site_name = "Shop\r\nBcc: x@y";
  EXPECT_EQ(RenderAgentMail(f).subject.find('\n'), std::string::npos);
}

TEST(MailDeliverer, PayloadBecomesAMailAndBadPayloadsAreFinal) {
  OutboxItem item;
  item.id = 77;
  item.payload =
      R"({"kind":"new_conversation","to":"agent@example.org","locale":"en","siteName":"Shop",)"
      R"("conversationId":5,"text":"hi","panelUrl":""})";
  auto mail = MailForOutboxItem(item, MailIdentity{"chat@example.org", "edgechat"},
                                std::chrono::system_clock::time_point{});
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->to, "agent@example.org");
  EXPECT_EQ(mail->from, "chat@example.org");
  EXPECT_NE(mail->data.find("Message-ID: <edgechat.outbox.77@example.org>\r\n"), std::string::npos);
  for (const char* bad :
       {"not json", R"({"kind":"new_conversation"})", R"({"kind":"party","to":"a@b.c"})",
        R"({"kind":"unanswered","to":"a@b.c\r\nBcc: d@e.f"})"}) {
    item.payload = bad;
    auto refused = MailForOutboxItem(item, MailIdentity{"chat@example.org", ""}, {});
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().kind, ErrorKind::kInvalidInput);
  }
}

TEST(Backoff, DoublesFromTheBaseUpToTheCapWithEqualJitter) {
  BackoffPolicy p{milliseconds(1000), milliseconds(60000)};
  EXPECT_EQ(BackoffDelay(p, 1, 0.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(p, 1, 0.5), milliseconds(750));
  EXPECT_EQ(BackoffDelay(p, 2, 0.0), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(p, 3, 0.0), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(p, 7, 0.0), milliseconds(30000));  // 64 s capped at 60 s
  EXPECT_EQ(BackoffDelay(p, 1000, 0.0), milliseconds(30000));
  EXPECT_LT(BackoffDelay(p, 1000, 1.0), milliseconds(60000));
  EXPECT_GE(BackoffDelay(p, 1000, 1.0), milliseconds(59999));
  for (unsigned n = 1; n < 20; ++n)
    EXPECT_LE(BackoffDelay(p, n, 0.99), BackoffDelay(p, n + 1, 0.99));
}

// An outbox in memory: items handed out once, with what the sender recorded.
class FakeOutbox : public OutboxStore {
 public:
  std::vector<OutboxItem> due;
  std::vector<std::uint64_t> delivered;
  struct Failure {
    std::uint64_t id;
    milliseconds retry_in;
    bool give_up;
  };
  std::vector<Failure> failed;

  Result<std::vector<OutboxItem>> Claim(const std::string& channel, const std::string& owner,
                                        unsigned limit, milliseconds) override {
    EXPECT_EQ(channel, "mail");
    EXPECT_EQ(owner, "w_test");
    std::vector<OutboxItem> out;
    while (!due.empty() && out.size() < limit) {
      out.push_back(due.front());
      due.erase(due.begin());
    }
    return out;
  }
  Status MarkDelivered(std::uint64_t id) override {
    delivered.push_back(id);
    return Ok{};
  }
  Status MarkFailed(std::uint64_t id, const std::string&, milliseconds retry_in,
                    bool give_up) override {
    failed.push_back({id, retry_in, give_up});
    return Ok{};
  }
};

TEST(OutboxSender, DeliversRetriesWithBackoffAndGivesUp) {
  FakeOutbox outbox;
  outbox.due = {OutboxItem{1, "mail", "k1", "", 1}, OutboxItem{2, "mail", "k2", "", 3},
                OutboxItem{3, "mail", "k3", "", 5}, OutboxItem{4, "mail", "k4", "", 1}};
  OutboxSenderOptions options;
  options.channel = "mail";
  options.owner = "w_test";
  options.max_attempts = 5;
  options.backoff = BackoffPolicy{milliseconds(100), milliseconds(10000)};
  OutboxSender sender(
      outbox, options,
      [](const OutboxItem& item) -> Status {
        if (item.id == 1) return Ok{};
        if (item.id == 4) return Error{ErrorKind::kInvalidInput, "smtp_refused", "550"};
        return Error{ErrorKind::kUnavailable, "smtp_unavailable", "down"};
      },
      {}, [] { return 0.0; });
  auto handled = sender.RunOnce();
  ASSERT_TRUE(handled);
  EXPECT_EQ(*handled, 4u);
  EXPECT_EQ(outbox.delivered, std::vector<std::uint64_t>{1});
  ASSERT_EQ(outbox.failed.size(), 3u);
  EXPECT_EQ(outbox.failed[0].id, 2u);  // third attempt failed: 400 ms, halved by jitter 0
  EXPECT_EQ(outbox.failed[0].retry_in, milliseconds(200));
  EXPECT_FALSE(outbox.failed[0].give_up);
  EXPECT_EQ(outbox.failed[1].id, 3u);  // the last allowed attempt
  EXPECT_TRUE(outbox.failed[1].give_up);
  EXPECT_EQ(outbox.failed[2].id, 4u);  // refused for good: no retry
  EXPECT_TRUE(outbox.failed[2].give_up);
  EXPECT_EQ(*sender.RunOnce(), 0u);
}

std::optional<std::string> NoEnv(const std::string&) {
  return std::nullopt;
}

TEST(MailSettings, OffByDefaultAndCheckedWhenOn) {
  auto off = SettingsFrom({}, NoEnv);
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->mail.enabled);
  auto on = SettingsFrom({{"mail.enabled", "on"},
                          {"mail.from", "chat@example.org"},
                          {"mail.relay", "smtp.example.org:465"},
                          {"mail.tls", "smtps"}},
                         NoEnv);
  ASSERT_TRUE(on) << on.error().message;
  EXPECT_TRUE(on->mail.enabled);
  EXPECT_EQ(on->mail.relay_host, "smtp.example.org");
  EXPECT_EQ(on->mail.relay_port, 465);
  EXPECT_EQ(on->mail.tls, "smtps");
  for (const std::map<std::string, std::string>& bad :
       std::vector<std::map<std::string, std::string>>{
           {{"mail.enabled", "on"}},  // no from
           {{"mail.enabled", "yes"}},
           {{"mail.tls", "maybe"}},
           {{"mail.relay", "smtp.example.org"}},
           {{"mail.relay", "smtp/x:25"}},
           {{"mail.enabled", "on"}, {"mail.from", "a@b.c"}, {"mail.user", "u"}},  // no password
           {{"mail.backoff_base_ms", "5000"}, {"mail.backoff_max_ms", "1000"}}}) {
    auto refused = SettingsFrom(bad, NoEnv);
    ASSERT_FALSE(refused) << bad.begin()->first;
    EXPECT_EQ(refused.error().code, "invalid_config");
  }
}

}  // namespace
}  // namespace edgechat::worker
