#include "registry/redis_presence.hpp"

#include <charconv>
#include <string>

namespace edgechat::worker {

namespace {

std::string KeyOf(std::uint64_t admin_id) {
  return kPresenceKeyPrefix + std::to_string(admin_id);
}

// The admin id of a presence key, or 0 for a key of another shape.
std::uint64_t AdminIdOf(const std::string& key) {
  std::string_view rest(key);
  const std::string_view prefix(kPresenceKeyPrefix);
  if (!rest.starts_with(prefix)) return 0;
  rest.remove_prefix(prefix.size());
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
  if (rest.empty() || ec != std::errc() || end != rest.data() + rest.size()) return 0;
  return id;
}

Error Unexpected(const char* what) {
  return Error{ErrorKind::kUnavailable, "redis_unavailable",
               std::string("unexpected Redis reply to ") + what};
}

}  // namespace

Status RedisPresenceStore::Put(const PresenceRecord& record, std::chrono::seconds ttl) {
  std::lock_guard lock(mu_);
  auto reply = redis_.Command({"SET", KeyOf(record.admin_id), EncodePresence(record), "PX",
                               std::to_string(ttl.count() * 1000)});
  if (!reply) return reply.error();
  return Ok{};
}

Status RedisPresenceStore::Remove(std::uint64_t admin_id) {
  std::lock_guard lock(mu_);
  auto reply = redis_.Command({"DEL", KeyOf(admin_id)});
  if (!reply) return reply.error();
  return Ok{};
}

Result<std::vector<PresenceRecord>> RedisPresenceStore::All() {
  std::lock_guard lock(mu_);
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    auto reply = redis_.Command(
        {"SCAN", cursor, "MATCH", std::string(kPresenceKeyPrefix) + "*", "COUNT", "1000"});
    if (!reply) return reply.error();
    if (reply->kind != RedisReply::Kind::kArray || reply->elements.size() != 2) {
      return Unexpected("SCAN");
    }
    cursor = reply->elements[0].text;
    for (const auto& key : reply->elements[1].elements) keys.push_back(key.text);
  } while (cursor != "0");
  std::vector<PresenceRecord> out;
  if (keys.empty()) return out;
  std::vector<std::string> args{"MGET"};
  args.insert(args.end(), keys.begin(), keys.end());
  auto values = redis_.Command(args);
  if (!values) return values.error();
  if (values->kind != RedisReply::Kind::kArray || values->elements.size() != keys.size()) {
    return Unexpected("MGET");
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const RedisReply& value = values->elements[i];
    const std::uint64_t id = AdminIdOf(keys[i]);
    // Expired between SCAN and MGET (nil), or not ours: skipped.
    if (id == 0 || value.kind != RedisReply::Kind::kString) continue;
    auto record = DecodePresence(id, value.text);
    if (record) out.push_back(*record);
  }
  return out;
}

}  // namespace edgechat::worker
