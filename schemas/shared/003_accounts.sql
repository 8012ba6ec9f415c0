-- taxii schema, version 3, for SQLite and PostgreSQL alike (as 002): accounts for
-- authentication (issue #7; docs/security.md).
-- Passwords are never stored: hash = PBKDF2-HMAC-SHA256(password, salt, iterations), both
-- base64. groups is a comma-separated list of group names.
CREATE TABLE accounts (
  username   TEXT PRIMARY KEY,
  hash       TEXT NOT NULL,
  salt       TEXT NOT NULL,
  iterations BIGINT NOT NULL,
  groups     TEXT NOT NULL DEFAULT ''
);
