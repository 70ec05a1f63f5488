-- Verified identity of the host site's logged-in users (docs/server-api.md, "Verified identity").
-- A secret key made from now on also keeps a copy sealed with libsodium's crypto_secretbox under
-- the worker's identity.key_file (hex of the 24-byte nonce then the box): the worker opens it to check the
-- HMAC of an identity token. A database leak alone reveals no key. Keys made before have none
-- (NULL): they serve the server API only.
ALTER TABLE site_secret_keys ADD COLUMN sealed_key VARCHAR(255) CHARACTER SET ascii NULL;

-- A verified guest: the host's own user id, unique per site, so the same user finds the same
-- conversation on every device; name and email as the last verified token gave them.
ALTER TABLE guests
  ADD COLUMN external_user_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN verified_name VARCHAR(200) NULL,
  ADD COLUMN verified_email VARCHAR(254) NULL,
  ADD COLUMN verified_at DATETIME(6) NULL,
  ADD UNIQUE KEY uq_guests_site_user (site_id, external_user_id);

-- A verified guest has one token per device (browser) that exchanged an identity token; every
-- call with one of them must also carry a valid identity token of the same user.
CREATE TABLE guest_tokens (
  token_hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  guest_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at DATETIME(6) NOT NULL,
  KEY ix_guest_tokens_guest (guest_id),
  CONSTRAINT fk_guest_tokens_guest FOREIGN KEY (guest_id) REFERENCES guests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
