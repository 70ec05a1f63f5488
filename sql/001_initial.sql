-- edgechat initial schema. utf8mb4 throughout; every timestamp is UTC with microseconds.

CREATE TABLE sites (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  site_key VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  title VARCHAR(200) NOT NULL DEFAULT 'Chat with us',
  primary_color CHAR(7) NOT NULL DEFAULT '#2563eb',
  locked TINYINT(1) NOT NULL DEFAULT 0,
  locked_message VARCHAR(500) NOT NULL DEFAULT '',
  locale VARCHAR(16) NULL,
  is_main TINYINT(1) NOT NULL DEFAULT 0,
  -- Rate limit: rate_limit_messages per rate_limit_window_s seconds, plus a burst.
  rate_limit_messages INT UNSIGNED NOT NULL DEFAULT 20,
  rate_limit_window_s INT UNSIGNED NOT NULL DEFAULT 60,
  rate_limit_burst INT UNSIGNED NOT NULL DEFAULT 5,
  rate_limit_message VARCHAR(500) NOT NULL DEFAULT '',
  -- Bumped on every change so edges can pick up new versions cheaply.
  revision BIGINT UNSIGNED NOT NULL DEFAULT 1,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_sites_site_key (site_key),
  UNIQUE KEY uq_sites_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE site_origins (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  site_id BIGINT UNSIGNED NOT NULL,
  -- Normalized: scheme://host[:port] in lower case, default port dropped; or *.domain wildcard form.
  origin VARCHAR(300) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_site_origins (site_id, origin),
  CONSTRAINT fk_site_origins_site FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE site_secret_keys (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  site_id BIGINT UNSIGNED NOT NULL,
  -- The first characters of the key, shown in listings so admins can tell keys apart.
  key_prefix VARCHAR(16) CHARACTER SET ascii NOT NULL,
  -- Hex SHA-256 of the whole key; the key itself is never stored.
  key_hash CHAR(64) CHARACTER SET ascii NOT NULL,
  label VARCHAR(200) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_used_at DATETIME(6) NULL,
  revoked_at DATETIME(6) NULL,
  UNIQUE KEY uq_site_secret_keys_hash (key_hash),
  KEY ix_site_secret_keys_site (site_id),
  CONSTRAINT fk_site_secret_keys_site FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE guests (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  site_id BIGINT UNSIGNED NOT NULL,
  -- Hex SHA-256 of the bearer token.
  token_hash CHAR(64) CHARACTER SET ascii NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_seen_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_guests_public_id (public_id),
  UNIQUE KEY uq_guests_token_hash (token_hash),
  KEY ix_guests_site (site_id),
  CONSTRAINT fk_guests_site FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE conversations (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  site_id BIGINT UNSIGNED NOT NULL,
  guest_id BIGINT UNSIGNED NULL,
  source ENUM('main', 'external') NOT NULL,
  status ENUM('open', 'resolved') NOT NULL DEFAULT 'open',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  last_message_at DATETIME(6) NULL,
  -- One conversation per guest (a guest belongs to one site).
  UNIQUE KEY uq_conversations_guest (guest_id),
  KEY ix_conversations_site_status (site_id, status, last_message_at),
  KEY ix_conversations_last_message (last_message_at),
  CONSTRAINT fk_conversations_site FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE,
  CONSTRAINT fk_conversations_guest FOREIGN KEY (guest_id) REFERENCES guests (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE admins (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(100) NOT NULL,
  display_name VARCHAR(200) NOT NULL DEFAULT '',
  -- Argon2id, libsodium crypto_pwhash_str format.
  password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  disabled_at DATETIME(6) NULL,
  UNIQUE KEY uq_admins_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE messages (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  conversation_id BIGINT UNSIGNED NOT NULL,
  author ENUM('guest', 'agent', 'system') NOT NULL,
  admin_id BIGINT UNSIGNED NULL,
  body TEXT NOT NULL,
  -- Set by the sender; makes retries idempotent within a conversation.
  client_id VARCHAR(64) CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_messages_client (conversation_id, author, client_id),
  KEY ix_messages_conversation (conversation_id, id),
  CONSTRAINT fk_messages_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
  CONSTRAINT fk_messages_admin FOREIGN KEY (admin_id) REFERENCES admins (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE reactions (
  message_id BIGINT UNSIGNED NOT NULL,
  guest_id BIGINT UNSIGNED NOT NULL,
  value ENUM('like', 'dislike') NOT NULL,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (message_id, guest_id),
  CONSTRAINT fk_reactions_message FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE,
  CONSTRAINT fk_reactions_guest FOREIGN KEY (guest_id) REFERENCES guests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row. Every change to sites, their origins or keys bumps revision in the same transaction,
-- so the registry publisher notices any change with one cheap read.
CREATE TABLE registry_state (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  revision BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO registry_state (id, revision) VALUES (1, 1);
