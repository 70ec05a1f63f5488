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

class AttributeRepo {
 public:
  virtual ~AttributeRepo() = default;
  virtual Result<std::optional<std::uint64_t>> GuestOfSite(const std::string& public_id,
                                                           const std::string& site_key) = 0;
  virtual Result<Attributes> Read(std::uint64_t guest_id) = 0;
  virtual Result<Attributes> Change(std::uint64_t guest_id, const AttributeChanges& changes,
                                    std::size_t max_count) = 0;
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

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
