-- Events of each conversation (new messages, reactions, status changes), in commit order per
-- conversation: every writer locks the conversation row before inserting here, so ids within
-- one conversation grow in the order their transactions commit. Event streams resume from an id
-- (SSE Last-Event-ID) by reading this table; Redis pub/sub only says "something new".
CREATE TABLE events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  conversation_id BIGINT UNSIGNED NOT NULL,
  type VARCHAR(32) CHARACTER SET ascii NOT NULL,
  payload MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_events_conversation (conversation_id, id),
  CONSTRAINT fk_events_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
