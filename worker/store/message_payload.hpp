// The message object an event stores as its data (message events written by the message and
// conversation repositories). The guest and admin APIs show the same object
// (json/json_shapes.hpp, MessageJson), so a stream and a history read agree.
#pragma once

#include <nlohmann/json.hpp>

#include "store/models.hpp"

namespace edgechat::worker {

nlohmann::json MessagePayload(const Message& message);

}  // namespace edgechat::worker
