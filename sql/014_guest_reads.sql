-- Read receipts (docs/api.md).
-- What the visitor has read of their conversation: the frame reports it (POST read) when replies
-- are on screen; it only moves forward. The admins' side is conversation_reads (004).
CREATE TABLE conversation_guest_reads (
  conversation_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  last_read_message_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_conversation_guest_reads_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

