-- The server API's visitor attributes (docs/server-api.md): a bounded key/value map per guest,
-- set by the site's own server (plan, customer id...). Keys are ASCII and compared byte for byte;
-- the rules (key grammar, at most 50 per guest, values up to 500 characters) are the worker's
-- (worker/service/server_service.hpp). Gone with the guest.
CREATE TABLE guest_attributes (
  guest_id BIGINT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  value VARCHAR(500) NOT NULL,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (guest_id, name),
  CONSTRAINT fk_guest_attributes_guest FOREIGN KEY (guest_id) REFERENCES guests (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
