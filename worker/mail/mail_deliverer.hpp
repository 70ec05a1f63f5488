// The mail channel of the outbox: turns an outbox row's payload into a MIME message (rendered in
// the recipient's language, Message-ID from the row's id) and hands it to the transport.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "mail/transport.hpp"
#include "store/outbox_repo.hpp"

namespace edgechat::worker {

struct MailIdentity {
  std::string from;       // address
  std::string from_name;  // display name
};

// Builds the message for an outbox row of channel "mail". kInvalidInput for a payload that can
// never make a mail (bad JSON, bad address).
Result<OutgoingMail> MailForOutboxItem(const OutboxItem& item, const MailIdentity& identity,
                                       std::chrono::system_clock::time_point now);

// A Deliver function for OutboxSender: MailForOutboxItem, then transport.Send.
std::function<Status(const OutboxItem&)> MailDeliverer(
    MailTransport& transport, MailIdentity identity,
    std::function<std::chrono::system_clock::time_point()> clock);

}  // namespace edgechat::worker
