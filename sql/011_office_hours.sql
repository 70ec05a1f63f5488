-- A site's office hours (docs/configuration.md, "Office hours"): a weekly schedule in the site's
-- IANA time zone, closed days, and the text visitors see outside the hours. One row per site
-- that has hours; no row means always open. The rules (zone, intervals, bounds) are the worker's
-- (worker/service/office_hours.hpp); the schedule is stored in the service's canonical text form:
-- seven fields Monday to Sunday separated by ';', each a comma-separated list of HH:MM-HH:MM.
CREATE TABLE site_office_hours (
  site_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  time_zone VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  week VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- Closed days, YYYY-MM-DD separated by ','.
  holidays VARCHAR(4000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  away_text VARCHAR(500) NOT NULL DEFAULT '',
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_site_office_hours_site FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The expected reply time reads each site's conversations active in the last 30 days, then their
-- messages through ix_messages_conversation: this index makes the first step a range scan.
CREATE INDEX ix_conversations_site_last_message ON conversations (site_id, last_message_at);
