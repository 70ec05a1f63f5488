#include "mail/smtp_transport.hpp"

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <string_view>

#include "mail/curl_handle.hpp"

namespace edgechat::worker {
namespace {

struct Reader {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t ReadBody(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* reader = static_cast<Reader*>(user);
  std::size_t room = size * count;
  std::size_t left = reader->data.size() - reader->offset;
  std::size_t n = left < room ? left : room;
  std::memcpy(buffer, reader->data.data() + reader->offset, n);
  reader->offset += n;
  return n;
}

}  // namespace

bool InitCurlGlobal() {
  return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

Status SmtpTransport::Send(const OutgoingMail& mail) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Error{ErrorKind::kInternal, "smtp_error", "curl_easy_init failed"};
  CURL* c = curl.get();
  const bool smtps = settings_.tls == "smtps";
  std::string url = std::string(smtps ? "smtps://" : "smtp://") + settings_.relay_host + ":" +
                    std::to_string(settings_.relay_port) + "/edgechat";
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (!smtps) {
    long use_ssl = settings_.tls == "starttls"            ? CURLUSESSL_ALL
                   : settings_.tls == "starttls_optional" ? CURLUSESSL_TRY
                                                          : CURLUSESSL_NONE;
    curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl);
  }
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, settings_.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, settings_.verify_tls ? 2L : 0L);
  if (!settings_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout_ms));
  std::string from = "<" + mail.from + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  std::unique_ptr<curl_slist, SlistDeleter> rcpt(
      curl_slist_append(nullptr, ("<" + mail.to + ">").c_str()));
  if (!rcpt) return Error{ErrorKind::kInternal, "smtp_error", "out of memory"};
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  Reader reader{mail.data, 0};
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadBody);
  curl_easy_setopt(c, CURLOPT_READDATA, &reader);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  char detail[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return Ok{};
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  std::string message = "SMTP " + settings_.relay_host + ":" +
                        std::to_string(settings_.relay_port) + ": " + curl_easy_strerror(rc);
  if (detail[0] != '\0') message += " (" + std::string(detail) + ")";
  if (code != 0) message += ", reply " + std::to_string(code);
  // A 5xx on the recipient is for good; everything else (down, timeout, 4xx, TLS) may heal.
  if (code >= 500 && code < 600) return Error{ErrorKind::kInvalidInput, "smtp_refused", message};
  return Error{ErrorKind::kUnavailable, "smtp_unavailable", message};
}

}  // namespace edgechat::worker
