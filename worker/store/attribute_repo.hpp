// A guest's attributes (sql/010_visitor_attributes.sql), set by the site's server through the
// server API. The rules on names, values and counts are ServerService's; the count is checked
// again here, inside the transaction that changes the map, so two concurrent calls cannot pass it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "shared/result.hpp"
#include "store/audit_repo.hpp"
#include "store/event_notice.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

using Attributes = std::map<std::string, std::string>;
// name -> new value, or std::nullopt to remove it.
using AttributeChanges = std::map<std::string, std::optional<std::string>>;

// A guest by its public id, only if it belongs to site `site_key`: its row id, else std::nullopt.
Result<std::optional<std::uint64_t>> GuestOfSite(ConnectionPool& pool, const std::string& public_id,
                                                 const std::string& site_key);
Result<Attributes> ReadAttributes(ConnectionPool& pool, std::uint64_t guest_id);
// Applies `changes` in one transaction (the guest's row locked); more than `max_count` attributes
// afterwards is Error{kInvalidInput, "too_many_attributes"} and changes nothing.
Result<Attributes> ChangeAttributes(ConnectionPool& pool, std::uint64_t guest_id,
                                    const AttributeChanges& changes, std::size_t max_count);

// What erasing a visitor removed, and the event that tells its streams.
struct ErasedVisitor {
  std::uint64_t messages = 0;
  std::uint64_t reactions = 0;
  std::uint64_t attributes = 0;
  std::optional<EventNotice> event;  // "erased", when the visitor has a conversation
};

// Erases a visitor's data in one transaction: its conversation's messages (their reactions with
// them) and events (they carry the texts), its own reactions, its attributes; the conversation
// row stays, empty, with one "erased" event so its streams (guest and admin) drop what they show.
// Audited ("visitor.erase", target the site key) in the same transaction.
Result<ErasedVisitor> EraseVisitor(ConnectionPool& pool, std::uint64_t guest_id,
                                   const std::string& site_key, const std::string& public_id,
                                   const Actor& actor);

class AttributeRepo {
 public:
  virtual ~AttributeRepo() = default;
  virtual Result<std::optional<std::uint64_t>> GuestOfSite(const std::string& public_id,
                                                           const std::string& site_key) = 0;
  virtual Result<Attributes> Read(std::uint64_t guest_id) = 0;
  virtual Result<Attributes> Change(std::uint64_t guest_id, const AttributeChanges& changes,
                                    std::size_t max_count) = 0;
  virtual Result<ErasedVisitor> Erase(std::uint64_t guest_id, const std::string& site_key,
                                      const std::string& public_id, const Actor& actor) = 0;
};

class MysqlAttributeRepo : public AttributeRepo {
 public:
  explicit MysqlAttributeRepo(ConnectionPool& pool) : pool_(pool) {}
  Result<std::optional<std::uint64_t>> GuestOfSite(const std::string& public_id,
                                                   const std::string& site_key) override {
    return worker::GuestOfSite(pool_, public_id, site_key);
  }
  Result<Attributes> Read(std::uint64_t guest_id) override {
    return ReadAttributes(pool_, guest_id);
  }
  Result<Attributes> Change(std::uint64_t guest_id, const AttributeChanges& changes,
                            std::size_t max_count) override {
    return ChangeAttributes(pool_, guest_id, changes, max_count);
  }
  Result<ErasedVisitor> Erase(std::uint64_t guest_id, const std::string& site_key,
                              const std::string& public_id, const Actor& actor) override {
    return EraseVisitor(pool_, guest_id, site_key, public_id, actor);
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
