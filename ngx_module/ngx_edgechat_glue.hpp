// Shared helpers for the nginx side of the module: nginx headers under C linkage, pool-owned C++
// objects, and small response builders. Nothing here may let a C++ exception reach nginx.
#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
}

#include <new>
#include <string_view>
#include <utility>

namespace edgechat::ngx {

// Constructs a T whose lifetime is the pool's: the destructor runs from the pool's cleanup list.
// Returns nullptr if the pool is out of memory (or T's constructor threw).
template <typename T, typename... Args>
T* PoolNew(ngx_pool_t* pool, Args&&... args) {
  ngx_pool_cleanup_t* cleanup = ngx_pool_cleanup_add(pool, sizeof(T));
  if (cleanup == nullptr) return nullptr;
  try {
    T* object = new (cleanup->data) T(std::forward<Args>(args)...);
    cleanup->handler = [](void* data) { static_cast<T*>(data)->~T(); };
    return object;
  } catch (...) {
    cleanup->handler = nullptr;
    return nullptr;
  }
}

// Runs fn, logging instead of letting an exception reach nginx's C code (event and timer
// handlers have no way to report one).
template <typename Fn>
void NoThrow(ngx_log_t* log, const char* what, Fn&& fn) noexcept {
  try {
    fn();
  } catch (...) {
    ngx_log_error(NGX_LOG_ALERT, log, 0, "edgechat: %s failed", what);
  }
}

inline std::string_view View(const ngx_str_t& s) {
  return {reinterpret_cast<const char*>(s.data), s.len};
}

// Copies text into the pool; {0, nullptr} on allocation failure (check .data when len > 0).
ngx_str_t PoolString(ngx_pool_t* pool, std::string_view text);

// Finds a request header by name (case-insensitive); nullptr if absent.
ngx_table_elt_t* FindRequestHeader(ngx_http_request_t* r, std::string_view name);

// Adds an output header; the strings must live as long as the request. Returns false on ENOMEM.
bool AddHeader(ngx_http_request_t* r, ngx_str_t key, ngx_str_t value);
bool AddHeader(ngx_http_request_t* r, std::string_view key, std::string_view value);

// Sends a complete response with this body (copied into the request pool), discarding any request
// body first. Returns what a phase or content handler should return.
ngx_int_t SendBody(ngx_http_request_t* r, ngx_uint_t status, std::string_view content_type,
                   std::string_view charset, std::string_view body);

// Like SendBody, but the body memory must outlive the request (configuration memory).
ngx_int_t SendStaticBody(ngx_http_request_t* r, ngx_uint_t status, ngx_str_t content_type,
                         ngx_str_t charset, ngx_str_t body);

// 405 with an Allow header and a JSON error.
ngx_int_t MethodNotAllowed(ngx_http_request_t* r, std::string_view allow, std::string_view what);

// JSON error in the external API's shape.
ngx_int_t SendJsonError(ngx_http_request_t* r, ngx_uint_t status, std::string_view code,
                        std::string_view message);

}  // namespace edgechat::ngx
