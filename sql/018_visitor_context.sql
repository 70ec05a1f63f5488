-- A visitor's context (docs/api.md, POST /api/v1/external/messages, "context"): the host page's
-- URL and title at the visitor's latest message, the referrer, language, time zone and browser
-- family, as the widget captured them and the worker cleaned them (worker/common/
-- visitor_context.hpp: http(s) URLs without fragment, control characters stripped, lengths
-- capped). One row per guest, replaced at each message that carries a context; gone with the
-- guest. No page content, no cookies.
CREATE TABLE guest_context (
  guest_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  page_url VARCHAR(1000) NOT NULL DEFAULT '',
  page_title VARCHAR(200) NOT NULL DEFAULT '',
  referrer VARCHAR(1000) NOT NULL DEFAULT '',
  language VARCHAR(35) CHARACTER SET ascii NOT NULL DEFAULT '',
  time_zone VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
  browser VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT '',
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_guest_context_guest FOREIGN KEY (guest_id) REFERENCES guests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
