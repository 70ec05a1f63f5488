-- Read receipts and visitor context (docs/api.md).
-- What the visitor has read of their conversation: the frame reports it (POST read) when replies
-- are on screen; it only moves forward. The admins' side is conversation_reads (004).
CREATE TABLE conversation_guest_reads (
  conversation_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  last_read_message_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_conversation_guest_reads_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Where the visitor was when they last wrote: the host page (origin and path, no query or
-- fragment), its title, the referrer (origin and path), language, time zone and browser family.
-- Bounded and validated by the worker (worker/service/visitor_context.hpp); the newest message's
-- context replaces the one before. Gone with the guest (and with an erasure).
CREATE TABLE guest_context (
  guest_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  page_url VARCHAR(1024) NULL,
  page_title VARCHAR(300) NULL,
  referrer VARCHAR(1024) NULL,
  language VARCHAR(35) CHARACTER SET ascii COLLATE ascii_bin NULL,
  time_zone VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  browser VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_guest_context_guest FOREIGN KEY (guest_id) REFERENCES guests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
