-- taxii schema, version 5, for SQLite and PostgreSQL alike (as 002): API tokens, the bearer
-- tokens of accounts (issue #22; docs/security.md), made and revoked with `taxiid user token`.
-- Only the SHA-256 of a token is kept (lowercase hex). username names an account of the store or
-- of the configuration (auth.users), hence no foreign key; deleting a stored account deletes its
-- tokens (storage/sql/sql_accounts.cpp).
CREATE TABLE api_tokens (
  id         TEXT PRIMARY KEY,    -- public handle, e.g. for `taxiid user token revoke`
  username   TEXT NOT NULL,
  hash       TEXT NOT NULL UNIQUE,
  label      TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_by_user ON api_tokens (username, created_at);
