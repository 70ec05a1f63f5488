// Owning handles for libcurl's easy handle and header lists (SMTP and webhook transports).
#pragma once

#include <curl/curl.h>

#include <memory>

namespace edgechat::worker {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using CurlList = std::unique_ptr<curl_slist, SlistDeleter>;

}  // namespace edgechat::worker
