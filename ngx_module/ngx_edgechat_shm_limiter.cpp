#include "ngx_edgechat_shm_limiter.hpp"

#include <algorithm>
#include <cstdint>

namespace edgechat::ngx {
namespace {

struct LimiterShared {
  ngx_atomic_t counters[static_cast<int>(Counter::kCount)];
  ngx_rbtree_t tree;
  ngx_rbtree_node_t sentinel;
  ngx_queue_t lru;  // most recently used at the head
};

struct LimiterNode {
  ngx_rbtree_node_t node;  // node.key: 64-bit hash of the limiter key
  ngx_queue_t lru;
  std::int64_t tat_ms;
  std::int64_t expires_ms;
};

struct Zone {
  LimiterShared* shared;
  ngx_slab_pool_t* pool;
};

std::uint64_t HashKey(std::string_view key) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char byte : key) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

LimiterNode* NodeOf(ngx_rbtree_node_t* node) {
  return reinterpret_cast<LimiterNode*>(node);
}

LimiterNode* NodeOfQueue(ngx_queue_t* link) {
  return reinterpret_cast<LimiterNode*>(reinterpret_cast<u_char*>(link) -
                                        offsetof(LimiterNode, lru));
}

LimiterNode* Find(LimiterShared* shared, ngx_rbtree_key_t key) {
  ngx_rbtree_node_t* node = shared->tree.root;
  ngx_rbtree_node_t* sentinel = shared->tree.sentinel;
  while (node != sentinel) {
    if (key < node->key) {
      node = node->left;
    } else if (key > node->key) {
      node = node->right;
    } else {
      return NodeOf(node);
    }
  }
  return nullptr;
}

void Remove(const Zone& zone, LimiterNode* node) {
  ngx_queue_remove(&node->lru);
  ngx_rbtree_delete(&zone.shared->tree, &node->node);
  ngx_slab_free_locked(zone.pool, node);
}

// Frees expired nodes from the cold end; with force, frees up to `count` nodes regardless.
void Expire(const Zone& zone, std::int64_t now_ms, int count, bool force) {
  for (int i = 0; i < count && !ngx_queue_empty(&zone.shared->lru); i++) {
    LimiterNode* oldest = NodeOfQueue(ngx_queue_last(&zone.shared->lru));
    if (!force && oldest->expires_ms > now_ms) return;
    Remove(zone, oldest);
  }
}

LimiterNode* FindOrCreate(const Zone& zone, ngx_rbtree_key_t key, std::int64_t now_ms) {
  if (LimiterNode* node = Find(zone.shared, key)) {
    ngx_queue_remove(&node->lru);
    ngx_queue_insert_head(&zone.shared->lru, &node->lru);
    if (node->expires_ms <= now_ms) node->tat_ms = 0;
    return node;
  }
  auto* node = static_cast<LimiterNode*>(ngx_slab_alloc_locked(zone.pool, sizeof(LimiterNode)));
  if (node == nullptr) {
    Expire(zone, now_ms, 16, /*force=*/true);  // full: forget the least recently used keys
    node = static_cast<LimiterNode*>(ngx_slab_alloc_locked(zone.pool, sizeof(LimiterNode)));
    if (node == nullptr) return nullptr;
  }
  node->node.key = key;
  node->tat_ms = 0;
  node->expires_ms = now_ms;
  ngx_rbtree_insert(&zone.shared->tree, &node->node);
  ngx_queue_insert_head(&zone.shared->lru, &node->lru);
  return node;
}

ngx_int_t InitZone(ngx_shm_zone_t* shm_zone, void* data) {
  if (data != nullptr) {  // reload: keep the counters of the previous cycle
    shm_zone->data = data;
    return NGX_OK;
  }
  auto* pool = reinterpret_cast<ngx_slab_pool_t*>(shm_zone->shm.addr);
  if (shm_zone->shm.exists) {
    shm_zone->data = pool->data;
    return NGX_OK;
  }
  auto* shared = static_cast<LimiterShared*>(ngx_slab_calloc(pool, sizeof(LimiterShared)));
  if (shared == nullptr) return NGX_ERROR;
  ngx_rbtree_init(&shared->tree, &shared->sentinel, ngx_rbtree_insert_value);
  ngx_queue_init(&shared->lru);
  pool->data = shared;
  shm_zone->data = shared;
  static u_char log_context[] = " in edgechat limiter zone";
  pool->log_ctx = log_context;
  return NGX_OK;
}

}  // namespace

ngx_shm_zone_t* AddLimiterZone(ngx_conf_t* cf, ngx_str_t* name, size_t size, void* module_tag) {
  ngx_shm_zone_t* zone = ngx_shared_memory_add(cf, name, size, module_tag);
  if (zone == nullptr) return nullptr;
  if (zone->data != nullptr) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "duplicate zone \"%V\"", name);
    return nullptr;
  }
  zone->init = InitZone;
  zone->data = reinterpret_cast<void*>(1);  // marks the zone as claimed until InitZone runs
  return zone;
}

const char* CounterName(Counter counter) {
  switch (counter) {
    case Counter::kApiRequests:
      return "apiRequests";
    case Counter::kApiPreflights:
      return "apiPreflights";
    case Counter::kApi2xx:
      return "api2xx";
    case Counter::kApi401:
      return "api401";
    case Counter::kApi403:
      return "api403";
    case Counter::kApi429:
      return "api429";
    case Counter::kApiOther4xx:
      return "apiOther4xx";
    case Counter::kApi5xx:
      return "api5xx";
    case Counter::kLimitRedis:
      return "limitChecksRedis";
    case Counter::kLimitLocal:
      return "limitChecksLocal";
    case Counter::kLimitCached:
      return "limitChecksCached";
    case Counter::kFrames:
      return "frames";
    case Counter::kFramesRefused:
      return "framesRefused";
    case Counter::kWidget:
      return "widget";
    case Counter::kOutcomeAllowed:
      return "outcomeAllowed";
    case Counter::kOutcomeUnauthorized:
      return "outcomeUnauthorized";
    case Counter::kOutcomeForbidden:
      return "outcomeForbidden";
    case Counter::kOutcomeLimited:
      return "outcomeLimited";
    case Counter::kOutcomeOther4xx:
      return "outcomeOther4xx";
    case Counter::kOutcome5xx:
      return "outcome5xx";
    case Counter::kOutcomeOther:
      return "outcomeOther";
    case Counter::kRedisRoundTrips:
      return "redisRoundTrips";
    case Counter::kRedisCommandErrors:
      return "redisCommandErrors";
    case Counter::kRedisConnectionErrors:
      return "redisConnectionErrors";
    case Counter::kCount:
      break;
  }
  return "unknown";
}

void Count(ngx_shm_zone_t* zone, Counter counter) {
  if (zone == nullptr || zone->data == nullptr) return;
  auto* shared = static_cast<LimiterShared*>(zone->data);
  ngx_atomic_fetch_add(&shared->counters[static_cast<int>(counter)], 1);
}

ngx_atomic_uint_t CounterValue(ngx_shm_zone_t* zone, Counter counter) {
  if (zone == nullptr || zone->data == nullptr) return 0;
  auto* shared = static_cast<LimiterShared*>(zone->data);
  return shared->counters[static_cast<int>(counter)];
}

LimitVerdict ShmLimit(ngx_shm_zone_t* shm_zone, const std::vector<core::LimitKey>& keys,
                      std::int64_t now_ms) {
  LimitVerdict verdict;
  if (shm_zone == nullptr || keys.empty()) return verdict;
  Zone zone{static_cast<LimiterShared*>(shm_zone->data),
            reinterpret_cast<ngx_slab_pool_t*>(shm_zone->shm.addr)};
  std::vector<std::int64_t> stored;
  stored.reserve(keys.size());

  ngx_shmtx_lock(&zone.pool->mutex);
  Expire(zone, now_ms, 2, /*force=*/false);
  // Decide from what is stored without creating anything: nodes are made only for an allowed
  // request, so refused keys never push live ones out of a full zone.
  for (const core::LimitKey& key : keys) {
    LimiterNode* node = Find(zone.shared, HashKey(key.key));
    stored.push_back(node != nullptr && node->expires_ms > now_ms ? node->tat_ms : 0);
  }
  core::GcraBatchDecision decision = core::GcraCheckAll(keys, stored, now_ms);
  verdict.allowed = decision.allowed;
  verdict.retry_after_ms = decision.retry_after_ms;
  if (decision.allowed) {
    // Looked up again one at a time: making a node may evict another, so no pointer is kept.
    for (std::size_t i = 0; i < keys.size(); i++) {
      LimiterNode* node = FindOrCreate(zone, HashKey(keys[i].key), now_ms);
      if (node == nullptr) continue;  // zone exhausted even after eviction: fail open
      node->tat_ms = decision.new_tats[i];
      node->expires_ms = decision.new_tats[i] + 1000;
    }
  }
  ngx_shmtx_unlock(&zone.pool->mutex);
  return verdict;
}

}  // namespace edgechat::ngx
