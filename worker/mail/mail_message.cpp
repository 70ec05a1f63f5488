#include "mail/mail_message.hpp"

#include <ctime>

#include "shared/mail_address.hpp"

namespace edgechat::worker {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Base64 in lines of 76 characters, CRLF-terminated (RFC 2045).
std::string Base64Lines(std::string_view in) {
  std::string encoded = Base64(in);
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += 76) {
    out += encoded.substr(i, 76);
    out += "\r\n";
  }
  return out;
}

bool IsContinuationByte(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Control characters (CR and LF among them) become spaces: a header stays one logical line.
std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  return out;
}

bool HasLineBreakOrControl(std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

std::string Truncated(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && IsContinuationByte(static_cast<unsigned char>(text[end]))) --end;
  return std::string(text.substr(0, end)) + "…";
}

}  // namespace

std::string EncodeHeaderText(std::string_view text) {
  std::string line = OneLine(text);
  bool plain = line.size() <= 900;
  for (char c : line) plain = plain && static_cast<unsigned char>(c) < 0x80;
  if (plain) return line;
  // 45 bytes make 60 base64 characters: with "=?UTF-8?B?" and "?=" a word stays within 75.
  std::string out;
  std::size_t i = 0;
  while (i < line.size()) {
    std::size_t end = std::min(line.size(), i + 45);
    while (end < line.size() && end > i &&
           IsContinuationByte(static_cast<unsigned char>(line[end])))
      --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(std::string_view(line).substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string MessageIdFor(std::uint64_t outbox_id, std::string_view from_address) {
  std::size_t at = from_address.rfind('@');
  std::string domain =
      at == std::string_view::npos ? "localhost" : std::string(from_address.substr(at + 1));
  return "<edgechat.outbox." + std::to_string(outbox_id) + "@" + domain + ">";
}

std::string MailDate(std::int64_t unix_seconds) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string BoundaryFor(std::uint64_t outbox_id) {
  // '=' and '_' never occur inside base64 lines ('=' only as padding at the end of the last).
  return "=_edgechat_" + std::to_string(outbox_id) + "_part";
}

Result<std::string> BuildMime(const MailHeaders& headers, const MailContent& content,
                              std::string_view boundary) {
  if (auto ok = shared::CheckMailAddress(headers.from); !ok) return ok.error();
  if (auto ok = shared::CheckMailAddress(headers.to); !ok) return ok.error();
  if (HasLineBreakOrControl(headers.message_id) || HasLineBreakOrControl(headers.date) ||
      HasLineBreakOrControl(boundary)) {
    return Error{ErrorKind::kInvalidInput, "invalid_header", "a header contains a line break"};
  }
  std::string from = "<" + headers.from + ">";
  if (!headers.from_name.empty()) {
    std::string name = EncodeHeaderText(headers.from_name);
    // A plain name is quoted (it may hold specials); an encoded one stands as it is.
    if (name.starts_with("=?")) {
      from = name + " " + from;
    } else {
      std::string quoted;
      for (char c : name) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
      }
      from = "\"" + quoted + "\" " + from;
    }
  }
  std::string b(boundary);
  std::string out;
  out += "From: " + from + "\r\n";
  out += "To: <" + headers.to + ">\r\n";
  out += "Subject: " + EncodeHeaderText(content.subject) + "\r\n";
  out += "Date: " + headers.date + "\r\n";
  out += "Message-ID: " + headers.message_id + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + b + "\"\r\n";
  out += "\r\n";
  out += "--" + b + "\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Lines(content.text);
  out += "--" + b + "\r\n";
  out += "Content-Type: text/html; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Lines(content.html);
  out += "--" + b + "--\r\n";
  return out;
}

MailContent RenderAgentMail(const AgentMailFacts& f) {
  const bool fa = f.locale == "fa";
  const bool unanswered = f.kind == "unanswered";
  const std::string site = Truncated(OneLine(f.site_name), 120);
  const std::string excerpt = Truncated(f.text, 1000);
  const std::string id = std::to_string(f.conversation_id);
  const std::string minutes = std::to_string(f.minutes);
  MailContent m;
  std::string heading;
  std::string lead;
  if (fa) {
    heading = unanswered ? "پیام بی‌پاسخ در " + site : "گفتگوی تازه در " + site;
    lead = unanswered
               ? "پیام یک بازدیدکننده " + minutes +
                     " دقیقه است که بی‌پاسخ مانده است."
               : "یک بازدیدکننده گفتگوی تازه‌ای را آغاز کرد.";
    m.subject = heading + " (#" + id + ")";
  } else {
    heading = unanswered ? "Unanswered message on " + site : "New conversation on " + site;
    lead = unanswered ? "A visitor's message has waited " + minutes + " minutes for a reply."
                      : "A visitor started a new conversation.";
    m.subject = heading + " (#" + id + ")";
  }
  const std::string open_label = fa ? "باز کردن در پنل" : "Open in the panel";
  const std::string message_label = fa ? "پیام:" : "Message:";
  const std::string footer = fa ? "این نامه را edgechat فرستاده است؛ تنظیم آن در پنل است."
                                : "Sent by edgechat; change which mails you get in the panel.";
  m.text = heading + "\n\n" + lead + "\n\n" + message_label + "\n" + excerpt + "\n\n";
  if (!f.panel_url.empty()) m.text += open_label + ": " + f.panel_url + "\n\n";
  m.text += "-- \n" + footer + "\n";
  const std::string dir = fa ? "rtl" : "ltr";
  const std::string lang = fa ? "fa" : "en";
  m.html = "<!DOCTYPE html>\n<html lang=\"" + lang + "\" dir=\"" + dir +
           "\"><head><meta charset=\"utf-8\"><title>" + HtmlEscape(heading) +
           "</title></head>\n<body dir=\"" + dir +
           "\" style=\"font-family:sans-serif\">\n<h1 style=\"font-size:18px\">" +
           HtmlEscape(heading) + "</h1>\n<p>" + HtmlEscape(lead) + "</p>\n<p><strong>" +
           HtmlEscape(message_label) +
           "</strong></p>\n<blockquote dir=\"auto\" "
           "style=\"white-space:pre-wrap\">" +
           HtmlEscape(excerpt) + "</blockquote>\n";
  if (!f.panel_url.empty()) {
    m.html +=
        "<p><a href=\"" + HtmlEscape(f.panel_url) + "\">" + HtmlEscape(open_label) + "</a></p>\n";
  }
  m.html +=
      "<p style=\"color:#666;font-size:12px\">" + HtmlEscape(footer) + "</p>\n</body></html>\n";
  return m;
}

}  // namespace edgechat::worker
