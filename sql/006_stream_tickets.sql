-- Stream tickets: a client that can only use EventSource (no request headers) trades its guest
-- token for a ticket, then opens GET /api/v1/external/events?key=SITE_KEY&ticket=TICKET. A ticket
-- is single-use (deleted when redeemed) and short-lived; only its SHA-256 is stored, as for
-- guest tokens. Expired ones are swept when new ones are made.
CREATE TABLE stream_tickets (
  ticket_hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  guest_id BIGINT UNSIGNED NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  KEY ix_stream_tickets_expires (expires_at),
  CONSTRAINT fk_stream_tickets_guest FOREIGN KEY (guest_id) REFERENCES guests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
