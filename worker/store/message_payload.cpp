#include "store/message_payload.hpp"

namespace edgechat::worker {

using nlohmann::json;

json MessagePayload(const Message& m) {
  return json{{"id", m.id},
              {"author", m.author},
              {"text", m.text},
              {"createdAt", m.created_at},
              {"clientId", m.client_id ? json(*m.client_id) : json(nullptr)},
              {"reaction", m.reaction ? json(*m.reaction) : json(nullptr)}};
}

}  // namespace edgechat::worker
