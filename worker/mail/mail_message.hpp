// Building mails: MIME (multipart/alternative, plain text and HTML, UTF-8), header safety (no
// CR/LF ever reaches a header; non-ASCII header text becomes RFC 2047 encoded-words), HTML
// escaping of every user text, and the mails edgechat sends rendered in English or Persian.
// Pure functions: no network, no database.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace edgechat::worker {

// The parts of a mail a template fills in.
struct MailContent {
  std::string subject;  // one line of UTF-8
  std::string text;     // text/plain body
  std::string html;     // text/html body (already escaped)
};

struct MailHeaders {
  std::string from;        // address only, checked by shared::CheckMailAddress
  std::string from_name;   // display name, may be non-ASCII; "" for none
  std::string to;          // address only
  std::string message_id;  // "<...>", from MessageIdFor
  std::string date;        // RFC 5322 date, from MailDate
};

// `text` for a header: ASCII without control characters passes as it is; anything else becomes
// RFC 2047 "=?UTF-8?B?...?=" words (each at most 75 characters, split on UTF-8 boundaries). CR, LF
// and other control characters are replaced by spaces first, so no input can start a new header.
std::string EncodeHeaderText(std::string_view text);

// `text` safe inside HTML text and attribute values: & < > " ' escaped.
std::string HtmlEscape(std::string_view text);

// The stable Message-ID of an outbox row: "<edgechat.outbox.ID@DOMAIN>", DOMAIN taken from the
// sender address. The same row always gives the same id, so a resend is recognisable.
std::string MessageIdFor(std::uint64_t outbox_id, std::string_view from_address);

// An RFC 5322 date for a Unix time (UTC, "+0000").
std::string MailDate(std::int64_t unix_seconds);

// The whole message (headers and body, CRLF line ends, bodies base64 so any UTF-8 and any line
// length survive). `boundary` separates the parts (must not occur in base64 text: use one with a
// character outside that alphabet, as BoundaryFor does). Refuses bad addresses or a Message-ID
// with CR/LF.
Result<std::string> BuildMime(const MailHeaders& headers, const MailContent& content,
                              std::string_view boundary);

// A boundary derived from the outbox id: stable, so a resend is byte-identical apart from Date.
std::string BoundaryFor(std::uint64_t outbox_id);

// What a mail to an agent is about, as the outbox payload carries it.
struct AgentMailFacts {
  std::string kind;       // "new_conversation" or "unanswered"
  std::string locale;     // "fa" renders Persian (RTL); anything else English
  std::string site_name;  // user text
  std::uint64_t conversation_id = 0;
  std::string text;       // the guest's message (user text)
  unsigned minutes = 0;   // for "unanswered": how long it waited
  std::string panel_url;  // "" for none; else a link to the panel
};

// Renders a mail to an agent. User text is escaped in HTML and kept to one line in the subject.
MailContent RenderAgentMail(const AgentMailFacts& facts);

}  // namespace edgechat::worker
