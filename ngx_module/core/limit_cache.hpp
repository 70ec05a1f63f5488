// What an nginx worker process remembers between Redis limiter calls, so that most requests are
// decided without a Redis round trip while the limits stay shared by every host:
//
// - Leases: when a key has plenty of room, one Redis call charges a small batch of credits for it
//   (GCRA slots taken at once) and the worker spends them locally. Every allowed request was
//   charged in Redis, so hosts can only overshoot by the credits they hold unspent from before a
//   window; leases are small (a fraction of the key's burst capacity, at most max_lease, one when
//   the key is near its limit) and short-lived, which bounds that overshoot (docs/performance.md).
//   A key's lease starts at first_lease and doubles whenever the key ran dry while its top-up was
//   still out (a busy key), halving again when credits expire unspent.
// - Denials: once Redis says a key is limited for T ms, requests with that key are refused
//   locally until then. This is exact: other hosts can only move the key further out.
//
// Plain C++ with an injected clock (now_ms, monotonic), no I/O: the nginx glue asks Check() first
// and reports Redis's answers back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/gcra.hpp"

namespace edgechat::core {

struct LeasePolicy {
  std::uint32_t first_lease = 32;       // a key's first lease (when its capacity allows)
  std::uint32_t max_lease = 4096;       // credits one Redis call may take for a key
  std::uint32_t capacity_share = 16;    // a lease is at most 1/16 of the key's burst capacity
  std::int64_t max_lifetime_ms = 1000;  // unspent credits are dropped after this
  std::int64_t ask_timeout_ms = 1000;   // a lease request with no answer by then is forgotten
};

// The largest lease for a key: capacity / capacity_share clamped to [1, max_lease], where the
// capacity is what GCRA allows at once (burst + 1). Keys with small bursts get 1: exact GCRA.
std::uint32_t LeaseWanted(const GcraParams& params, const LeasePolicy& policy);

// The grant rule of kGcraLeaseLuaScript for one key, in C++ (unit-tested; the script mirrors it):
// 0 when the key is limited, else min(wanted, max(1, available / 2)) where `available` is how
// many requests GCRA would allow right now. Charging the grant adds grant * emission to the TAT.
std::uint32_t LeaseGrant(std::int64_t stored_tat_ms, std::int64_t now_ms, const GcraParams& params,
                         std::uint32_t wanted);

class LimitCache {
 public:
  enum class Outcome {
    kAllowed,  // every key had a local credit; one was spent from each
    kDenied,   // a key is known to be limited; nothing was spent
    kAsk,      // some keys need Redis: charge `ask` there; `reserved` credits were taken here
  };
  struct Ask {
    std::size_t index = 0;     // into the keys given to Check()
    std::uint32_t wanted = 1;  // credits to ask Redis for (one of them is this request's)
    bool lease = false;        // wanted > 1: report the answer with lease = true
  };
  struct Plan {
    Outcome outcome = Outcome::kAsk;
    std::int64_t retry_after_ms = 0;    // kDenied
    std::vector<Ask> ask;               // kAsk
    std::vector<std::size_t> reserved;  // kAsk: refund these if the request is not allowed
    std::vector<Ask> refill;            // kAllowed: top these up in the background (no request)
    std::uint64_t generation = 0;       // answers count only while generation() still equals it
  };

  explicit LimitCache(LeasePolicy policy = {}, std::size_t max_entries = 8192);

  Plan Check(const std::vector<LimitKey>& keys, std::int64_t now_ms);

  // Redis charged `credits` for the key. spent_one: the asking request used one of them.
  void Granted(const LimitKey& key, std::uint32_t credits, bool spent_one, bool lease,
               std::int64_t now_ms);
  // Redis refused the key for retry_after_ms.
  void Denied(const std::string& key, std::int64_t retry_after_ms, bool lease, std::int64_t now_ms);
  // An ask got no usable answer (Redis failed, or another key of the request was refused).
  void AskFailed(const std::string& key, bool lease);
  // Gives back a credit reserved by Check() for a request that was not allowed after all.
  void Refund(const std::string& key, std::int64_t now_ms);

  // Forgets everything (the limits changed). Credits already charged in Redis are lost, which
  // only makes the limit stricter for a moment.
  void Clear() {
    entries_.clear();
    generation_++;
  }
  // Changes on every Clear(): answers to asks made before it no longer apply.
  std::uint64_t generation() const { return generation_; }
  std::size_t size() const { return entries_.size(); }
  const LeasePolicy& policy() const { return policy_; }

 private:
  struct Entry {
    std::uint32_t credits = 0;
    std::int64_t credits_until_ms = 0;
    std::int64_t denied_until_ms = 0;
    std::int64_t lease_asked_ms = -1;  // >= 0 while a lease request is out
    std::uint32_t lease = 0;           // this key's current lease size (0: first_lease)
    bool grown = false;                // the lease already grew while this request was out
  };
  bool HasCredit(const Entry& entry, std::int64_t now_ms) const;
  bool LeaseOut(const Entry& entry, std::int64_t now_ms) const;
  // The lease to ask for now, within LeaseWanted(params).
  std::uint32_t LeaseSize(const Entry* entry, const GcraParams& params) const;
  // The entry for key, created (after making room when full) if absent. Invalidates other
  // entries' pointers.
  Entry* Slot(const std::string& key, std::int64_t now_ms);
  void MakeRoom(std::int64_t now_ms);

  LeasePolicy policy_;
  std::size_t max_entries_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t generation_ = 0;
};

}  // namespace edgechat::core
