// For repositories of rows that belong to a site (the site itself, its origins, its secret keys):
// changes run with the site's row locked, so concurrent changes to one site apply one after the
// other. Store-internal: includes the MySQL connector.
#pragma once

#include <string>

#include "store/models.hpp"
#include "store/mysql_util.hpp"

namespace edgechat::worker {

// The site with its origins; with `lock`, its row stays locked until the transaction ends.
// Error{kNotFound, "not_found"} for an unknown key.
Result<Site> ReadSite(DbConnection& c, const std::string& site_key, bool lock);

// Runs `change` in one transaction on the site named by `site_key`, its row locked FOR UPDATE;
// an error rolls it all back.
template <typename T, typename Fn>
Result<T> ChangeSite(ConnectionPool& pool, const std::string& site_key, Fn change) {
  return WithTransaction<T>(pool, [&](DbConnection& c) -> Result<T> {
    auto site = ReadSite(c, site_key, /*lock=*/true);
    if (!site) return site.error();
    return change(c, std::move(site.value()));
  });
}

}  // namespace edgechat::worker
