-- Retention of conversation events (worker/store/event_retention.cpp, `events.retention_days`).
-- Old events are deleted in small batches, never the newest event of a conversation. One row:
-- pruned_through is the highest event id deleted so far, raised in the same transaction as each
-- batch. A stream resuming after an id below it may have missed deleted events, so it gets one
-- `reset` event instead and reloads the history (docs/api.md).
CREATE TABLE event_retention (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  pruned_through BIGINT UNSIGNED NOT NULL DEFAULT 0,
  pruned_at DATETIME(6) NULL,
  CONSTRAINT ck_event_retention_one_row CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO event_retention (id, pruned_through) VALUES (1, 0);
