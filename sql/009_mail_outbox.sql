-- The outbox: every mail (and, later, every webhook) the worker must deliver, written in the same
-- transaction as the event that causes it, so a committed event always has its delivery and a
-- rolled-back one none. A sender claims due rows with a lease (claimed_by, lease_until), delivers,
-- then marks them delivered; a row whose lease ran out (its worker died) is claimed again. The
-- idempotency id is stable across attempts (a mail's Message-ID is built from it), so a resend
-- after a crash between the transport's success and the "delivered" write is recognisable.
CREATE TABLE outbox (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  -- The transport: 'mail' today; webhooks will join as another channel.
  channel VARCHAR(32) CHARACTER SET ascii NOT NULL,
  -- What causes it and for whom, unique per channel: a second enqueue of the same thing is a no-op.
  idempotency_key VARCHAR(191) CHARACTER SET ascii NOT NULL,
  -- The channel's own document (for mail: recipient, locale, kind and the facts to render).
  payload MEDIUMTEXT NOT NULL,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  claimed_by VARCHAR(64) CHARACTER SET ascii NULL,
  lease_until DATETIME(6) NULL,
  last_error VARCHAR(500) NULL,
  delivered_at DATETIME(6) NULL,
  -- Set when attempts ran out: kept for the operator, never tried again.
  failed_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_outbox_idempotency (channel, idempotency_key),
  KEY ix_outbox_due (channel, delivered_at, failed_at, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per-admin mail preferences: where an admin's mails go and which ones they want. No row (or an
-- empty email) means no mail.
CREATE TABLE admin_mail_preferences (
  admin_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  email VARCHAR(254) NOT NULL DEFAULT '',
  -- 'en' or 'fa': the language of the mails.
  locale VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'en',
  notify_new_conversation TINYINT(1) NOT NULL DEFAULT 1,
  -- A guest message unanswered this many minutes mails the admin; 0 turns it off.
  unanswered_minutes INT UNSIGNED NOT NULL DEFAULT 0,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_admin_mail_preferences_admin FOREIGN KEY (admin_id) REFERENCES admins (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
