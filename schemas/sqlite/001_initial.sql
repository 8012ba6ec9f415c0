-- taxii SQLite schema, version 1. Applied once by SqliteStore on open, inside one
-- transaction, followed by INSERT INTO schema_version (version 1). Forward-only: later
-- changes go into 002_*.sql and so on; never edit a released migration.
--
-- Times are INTEGER microseconds since the Unix epoch, UTC (Timestamp::micros()).

CREATE TABLE schema_version (
  version    INTEGER PRIMARY KEY,    -- the migration file's number prefix
  applied_at INTEGER NOT NULL
);

CREATE TABLE collections (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

-- Content blocks, stored once per collection they were appended to.
-- label: the Timestamp Label, assigned by the store, strictly increasing per collection
-- (Services 1.1 §4.1.4); the unique index below both enforces that and makes a poll
-- window (collection, after < label <= until) an index range scan.
-- id: store-wide, increasing with insertion and never reused (AUTOINCREMENT).
CREATE TABLE content_blocks (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  collection_id INTEGER NOT NULL REFERENCES collections (id),
  label         INTEGER NOT NULL,
  binding_id    TEXT NOT NULL,
  subtype       TEXT,
  content       BLOB NOT NULL,         -- byte for byte as received
  message       TEXT
);
CREATE UNIQUE INDEX content_blocks_by_label ON content_blocks (collection_id, label);

-- Multi-part and asynchronous poll results (Services 1.1 §3.6.1, §4.1.3).
CREATE TABLE result_sets (
  result_id   TEXT PRIMARY KEY,
  collection  TEXT NOT NULL REFERENCES collections (name),
  request     BLOB NOT NULL,           -- opaque to the store
  total_count INTEGER NOT NULL,
  part_size   INTEGER NOT NULL,
  after_label INTEGER,                 -- window of the result: (after_label, until_label]
  until_label INTEGER,
  created_at  INTEGER NOT NULL
);
CREATE INDEX result_sets_by_created ON result_sets (created_at);

CREATE TABLE result_parts (
  result_id   TEXT NOT NULL REFERENCES result_sets (result_id) ON DELETE CASCADE,
  part_number INTEGER NOT NULL,
  after_label INTEGER,                 -- the part covers (after_label, last_label]
  last_label  INTEGER,
  PRIMARY KEY (result_id, part_number)
) WITHOUT ROWID;
