-- taxii PostgreSQL schema, version 1. Applied once by PostgresStore on open, inside one
-- transaction that holds the migration advisory lock, followed by INSERT INTO
-- schema_version (version 1). Forward-only: later changes go into 002_*.sql and so on;
-- never edit a released migration. Mirrors schemas/sqlite/001_initial.sql.
--
-- Times are BIGINT microseconds since the Unix epoch, UTC (Timestamp::micros()).

CREATE TABLE schema_version (
  version    BIGINT PRIMARY KEY,     -- the migration file's number prefix
  applied_at BIGINT NOT NULL
);

-- A collection's row is also the lock that serializes appends to it: append() takes
-- SELECT ... FOR NO KEY UPDATE on it before computing labels and holds it until COMMIT,
-- so the commits of one collection happen in label order (see docs/storage.md).
CREATE TABLE collections (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

-- Content blocks, stored once per collection they were appended to.
-- label: the Timestamp Label, assigned by the store, strictly increasing per collection
-- (Services 1.1 §4.1.4); the unique index below both enforces that and makes a poll
-- window (collection, after < label <= until) an index range scan.
-- id: store-wide, increasing with insertion (an identity sequence, never reused).
CREATE TABLE content_blocks (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  collection_id BIGINT NOT NULL REFERENCES collections (id),
  label         BIGINT NOT NULL,
  binding_id    TEXT NOT NULL,
  subtype       TEXT,
  content       BYTEA NOT NULL,        -- byte for byte as received
  message       TEXT
);
CREATE UNIQUE INDEX content_blocks_by_label ON content_blocks (collection_id, label);

-- Multi-part and asynchronous poll results (Services 1.1 §3.6.1, §4.1.3), shared by every
-- instance, so that any of them can serve any part.
CREATE TABLE result_sets (
  result_id   TEXT PRIMARY KEY,
  collection  TEXT NOT NULL REFERENCES collections (name),
  request     BYTEA NOT NULL,          -- opaque to the store
  total_count BIGINT NOT NULL,
  part_size   BIGINT NOT NULL,
  after_label BIGINT,                  -- window of the result: (after_label, until_label]
  until_label BIGINT,
  created_at  BIGINT NOT NULL
);
CREATE INDEX result_sets_by_created ON result_sets (created_at);

CREATE TABLE result_parts (
  result_id   TEXT NOT NULL REFERENCES result_sets (result_id) ON DELETE CASCADE,
  part_number BIGINT NOT NULL,
  after_label BIGINT,                  -- the part covers (after_label, last_label]
  last_label  BIGINT,
  PRIMARY KEY (result_id, part_number)
);
