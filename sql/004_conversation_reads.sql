-- What the admins have read of each conversation: the panel's unread count is the number of
-- guest messages after last_read_message_id. Shared by all admins (one team inbox).
CREATE TABLE conversation_reads (
  conversation_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  last_read_message_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_conversation_reads_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
