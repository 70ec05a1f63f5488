-- Signed webhooks (docs/webhooks.md): a site's endpoints, and their deliveries as rows of the one
-- outbox (sql/009) on channel 'webhook', written in the transaction of the event they announce.
CREATE TABLE webhook_endpoints (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  site_id BIGINT UNSIGNED NOT NULL,
  url VARCHAR(2048) NOT NULL,
  -- The event types it wants, comma-separated (conversation.created, message.created, ...).
  events VARCHAR(500) CHARACTER SET ascii NOT NULL,
  enabled TINYINT(1) NOT NULL DEFAULT 1,
  -- Off: loopback, private, link-local, CGNAT, multicast ... addresses are refused at delivery.
  allow_private TINYINT(1) NOT NULL DEFAULT 0,
  -- The signing secret ("whsec_..."): the worker must read it to sign. With identity.key_file
  -- configured it is stored sealed (secret_sealed = 1: hex of crypto_secretbox nonce and box,
  -- common/secret_box); without, readable, and a reader of this table can forge deliveries to
  -- this endpoint (docs/webhooks.md).
  secret VARCHAR(255) CHARACTER SET ascii NOT NULL,
  secret_sealed TINYINT(1) NOT NULL DEFAULT 0,
  secret_rotated_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY ix_webhook_endpoints_site (site_id, id),
  CONSTRAINT fk_webhook_endpoints_site FOREIGN KEY (site_id) REFERENCES sites (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The outbox learns what webhooks need; mail rows leave these NULL.
ALTER TABLE outbox
  -- Rows with the same key are delivered one at a time in id order: a row is not claimed while
  -- an earlier row of its key is neither delivered nor given up (a webhook's: endpoint and
  -- conversation).
  ADD COLUMN ordering_key VARCHAR(191) CHARACTER SET ascii NULL,
  -- The webhook endpoint of the row (its delivery log); no foreign key, so removing an endpoint
  -- keeps its log and gives its pending rows up at their next attempt.
  ADD COLUMN endpoint_id BIGINT UNSIGNED NULL,
  -- The event type, for the delivery log.
  ADD COLUMN event_type VARCHAR(64) CHARACTER SET ascii NULL,
  -- The last attempt's HTTP status (NULL: none, or no response) and time.
  ADD COLUMN last_status INT NULL,
  ADD COLUMN last_attempt_at DATETIME(6) NULL,
  -- Set by "send again": the retry window starts over from here instead of created_at.
  ADD COLUMN resent_at DATETIME(6) NULL,
  ADD KEY ix_outbox_ordering (channel, ordering_key, id),
  ADD KEY ix_outbox_endpoint (endpoint_id, id);
