-- Admin panel sessions and the audit log.

-- A session is known by the hex SHA-256 of its cookie value; the value itself is never stored.
-- last_seen_at drives the idle expiry; csrf_token must come back in X-CSRF-Token on every
-- state-changing call.
CREATE TABLE admin_sessions (
  token_hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  admin_id BIGINT UNSIGNED NOT NULL,
  csrf_token VARCHAR(64) CHARACTER SET ascii NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_seen_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_admin_sessions_admin (admin_id),
  KEY ix_admin_sessions_seen (last_seen_at),
  CONSTRAINT fk_admin_sessions_admin FOREIGN KEY (admin_id) REFERENCES admins (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who changed which setting or key, and when. actor is the admin's username (or "cli:USER" for
-- edgechatctl), kept as text so the row survives the admin's removal.
CREATE TABLE audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  actor VARCHAR(200) NOT NULL,
  action VARCHAR(64) CHARACTER SET ascii NOT NULL,
  target VARCHAR(300) NOT NULL DEFAULT '',
  detail TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_audit_log_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
