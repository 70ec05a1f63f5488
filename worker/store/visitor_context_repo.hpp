// A guest's context as stored (sql/018_visitor_context.sql): the latest one a message carried,
// already cleaned by NormalizeVisitorContext (common/visitor_context.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/visitor_context.hpp"
#include "shared/result.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

struct StoredVisitorContext {
  VisitorContext context;
  std::string updated_at;  // ISO-8601
};

// Replaces the guest's context (an unknown guest stores nothing).
Status SaveVisitorContext(ConnectionPool& pool, std::uint64_t guest_id,
                          const VisitorContext& context);
// The guest's context on an open connection, if any.
std::optional<StoredVisitorContext> LoadVisitorContext(DbConnection& c, std::uint64_t guest_id);

}  // namespace edgechat::worker
