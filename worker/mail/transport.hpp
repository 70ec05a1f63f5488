// A mail transport: hands one finished message to a relay. SMTP over libcurl is the one we ship
// (smtp_transport.hpp); tests may put a fake behind the same interface.
#pragma once

#include <string>

#include "shared/result.hpp"

namespace edgechat::worker {

struct OutgoingMail {
  std::string from;  // envelope sender
  std::string to;    // envelope recipient
  std::string data;  // the whole RFC 5322 message, CRLF line ends
};

class MailTransport {
 public:
  virtual ~MailTransport() = default;
  // Ok once the relay accepted the message. kUnavailable for a failure worth retrying (relay down,
  // timeout, 4xx); kInvalidInput when the relay refused it for good (5xx on the recipient).
  virtual Status Send(const OutgoingMail& mail) = 0;
};

}  // namespace edgechat::worker
