-- taxii schema, version 4, for SQLite and PostgreSQL alike (as 002): the TAXII 2.1 collections,
-- their object versions and the status resources of Add Objects requests (issue #22;
-- storage/objects.hpp, docs/storage.md). Times are BIGINT microseconds since the epoch, UTC.

-- A 2.1 collection (TAXII 2.1 §5.2). Its row is also the lock that orders the adds to it:
-- add_objects() reads last_added with SELECT ... FOR UPDATE (PostgreSQL; SQLite holds the
-- database write lock) and gives its versions max(now, last_added + 1 µs), so date_added grows
-- strictly with commit order (TAXII 2.1 §3.3, §5.5).
CREATE TABLE object_collections (
  id         TEXT PRIMARY KEY,   -- the collection's UUID
  last_added BIGINT              -- date_added of the last add that stored a version; NULL: none
);

-- One row per stored version of a STIX object in a collection (TAXII 2.1 §3.4.1, §5.3.1).
-- version: as the client wrote it (modified / created), or for an SCO the date_added of its
-- first version; version_key: the same instant as a fixed-width sortable string.
-- digest: of a canonical form; an equal (id, version_key) with another digest is a conflict.
CREATE TABLE objects (
  collection   TEXT NOT NULL REFERENCES object_collections (id),
  id           TEXT NOT NULL,
  type         TEXT NOT NULL,
  spec_version TEXT NOT NULL,
  version      TEXT NOT NULL,
  version_key  TEXT NOT NULL,
  date_added   BIGINT NOT NULL,
  digest       TEXT NOT NULL,
  body         BLOB NOT NULL,    -- the object's JSON, byte for byte
  PRIMARY KEY (collection, id, version_key)
);
-- The result order and keyset cursor (TAXII 2.1 §3.3, §3.5), and added_after.
CREATE UNIQUE INDEX objects_by_added ON objects (collection, date_added, id, version_key);
-- match[type] (TAXII 2.1 §3.4.1); match[id], the per-id spec_version and version choices use
-- the primary key.
CREATE INDEX objects_by_type ON objects (collection, type, date_added);

-- Status resources (TAXII 2.1 §4.3.1), kept a while after they completed.
CREATE TABLE statuses (
  id                TEXT PRIMARY KEY,
  api_root          TEXT NOT NULL,
  owner             TEXT NOT NULL,   -- '' = anonymous
  complete          BIGINT NOT NULL, -- 1 complete, 0 pending
  request_timestamp BIGINT NOT NULL,
  updated           BIGINT NOT NULL,
  body              BLOB NOT NULL    -- the status resource's JSON
);
CREATE INDEX statuses_by_updated ON statuses (complete, updated);
