#include "ngx_edgechat_glue.hpp"

#include <cstring>

#include "shared/http_shapes.hpp"

namespace edgechat::ngx {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         ngx_strncasecmp(reinterpret_cast<u_char*>(const_cast<char*>(a.data())),
                         reinterpret_cast<u_char*>(const_cast<char*>(b.data())), a.size()) == 0;
}

}  // namespace

ngx_str_t PoolString(ngx_pool_t* pool, std::string_view text) {
  ngx_str_t out{0, nullptr};
  if (text.empty()) return out;
  auto* data = static_cast<u_char*>(ngx_pnalloc(pool, text.size()));
  if (data == nullptr) return out;
  std::memcpy(data, text.data(), text.size());
  out.data = data;
  out.len = text.size();
  return out;
}

ngx_table_elt_t* FindRequestHeader(ngx_http_request_t* r, std::string_view name) {
  for (ngx_list_part_t* part = &r->headers_in.headers.part; part != nullptr; part = part->next) {
    auto* headers = static_cast<ngx_table_elt_t*>(part->elts);
    for (ngx_uint_t i = 0; i < part->nelts; i++) {
      if (headers[i].hash != 0 && EqualsIgnoreCase(View(headers[i].key), name)) {
        return &headers[i];
      }
    }
  }
  return nullptr;
}

bool AddHeader(ngx_http_request_t* r, ngx_str_t key, ngx_str_t value) {
  auto* header = static_cast<ngx_table_elt_t*>(ngx_list_push(&r->headers_out.headers));
  if (header == nullptr) return false;
  *header = ngx_table_elt_t{};
  header->hash = 1;
  header->key = key;
  header->value = value;
  return true;
}

bool AddHeader(ngx_http_request_t* r, std::string_view key, std::string_view value) {
  ngx_str_t k = PoolString(r->pool, key);
  ngx_str_t v = PoolString(r->pool, value);
  if (k.data == nullptr || (v.data == nullptr && !value.empty())) return false;
  return AddHeader(r, k, v);
}

ngx_int_t SendStaticBody(ngx_http_request_t* r, ngx_uint_t status, ngx_str_t content_type,
                         ngx_str_t charset, ngx_str_t body) {
  ngx_int_t rc = ngx_http_discard_request_body(r);
  if (rc != NGX_OK) return rc;

  r->headers_out.status = status;
  r->headers_out.content_type = content_type;
  r->headers_out.content_type_len = content_type.len;
  r->headers_out.content_type_lowcase = nullptr;
  r->headers_out.charset = charset;
  r->headers_out.content_length_n = static_cast<off_t>(body.len);
  if (body.len == 0) r->header_only = 1;

  rc = ngx_http_send_header(r);
  if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) return rc;

  auto* buffer = static_cast<ngx_buf_t*>(ngx_calloc_buf(r->pool));
  if (buffer == nullptr) return NGX_ERROR;
  buffer->pos = body.data;
  buffer->last = body.data + body.len;
  buffer->memory = 1;
  buffer->last_buf = (r == r->main) ? 1 : 0;
  buffer->last_in_chain = 1;
  ngx_chain_t out{buffer, nullptr};
  return ngx_http_output_filter(r, &out);
}

ngx_int_t SendBody(ngx_http_request_t* r, ngx_uint_t status, std::string_view content_type,
                   std::string_view charset, std::string_view body) {
  ngx_str_t type = PoolString(r->pool, content_type);
  ngx_str_t set = PoolString(r->pool, charset);
  ngx_str_t copy = PoolString(r->pool, body);
  if ((type.data == nullptr && !content_type.empty()) || (copy.data == nullptr && !body.empty()) ||
      (set.data == nullptr && !charset.empty())) {
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  return SendStaticBody(r, status, type, set, copy);
}

ngx_int_t SendJsonError(ngx_http_request_t* r, ngx_uint_t status, std::string_view code,
                        std::string_view message) {
  try {
    return SendBody(r, status, "application/json", "", shared::ErrorJson(code, message));
  } catch (...) {
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
}

ngx_int_t MethodNotAllowed(ngx_http_request_t* r, std::string_view allow, std::string_view what) {
  if (!AddHeader(r, "Allow", allow)) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  return SendJsonError(r, NGX_HTTP_NOT_ALLOWED, "method_not_allowed", what);
}

}  // namespace edgechat::ngx
