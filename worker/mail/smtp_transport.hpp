// SMTP with libcurl: relay host:port, TLS (smtps://, or STARTTLS required or optional), AUTH with
// a user and password, connect and total timeouts. One connection per message (the sender's
// volume is small); curl_global_init must have run before the first use (main does it).
#pragma once

#include "config/config.hpp"
#include "mail/transport.hpp"

namespace edgechat::worker {

class SmtpTransport : public MailTransport {
 public:
  explicit SmtpTransport(MailSettings settings) : settings_(std::move(settings)) {}
  Status Send(const OutgoingMail& mail) override;

 private:
  MailSettings settings_;
};

// Initialises libcurl once per process (before other threads start); false on failure.
bool InitCurlGlobal();

}  // namespace edgechat::worker
