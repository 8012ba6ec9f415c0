-- taxii schema, version 2, for SQLite and PostgreSQL alike: subscriptions, their push outbox,
-- asynchronous poll results and the receiving side's duplicate marks (issue #6;
-- docs/subscriptions.md). Forward-only, like 001. Times and labels are BIGINT microseconds since
-- the epoch, UTC (INTEGER affinity in SQLite). BLOB is written BYTEA on PostgreSQL: the store
-- replaces the word when it applies this file (storage/sql/migrations.cpp). On PostgreSQL, outbox
-- work is claimed with SELECT ... FOR UPDATE SKIP LOCKED plus the lease columns, so instances
-- sharing the database never deliver one subscription at once.

-- Manage Collection Subscription (Services 1.1 §4.4.6). The outbox is the push_cursor: every
-- matching block with a label <= push_cursor has been acknowledged by the subscriber.
CREATE TABLE subscriptions (
  subscription_id TEXT PRIMARY KEY,
  collection      TEXT NOT NULL REFERENCES collections (name),
  owner           TEXT NOT NULL,          -- the subscriber's identity ('' = anonymous)
  spec_key        TEXT NOT NULL,          -- equal keys = identical subscriptions (rule 5)
  state           BIGINT NOT NULL,       -- 0 ACTIVE, 1 PAUSED
  parameters      BLOB NOT NULL,          -- opaque to the store
  push_protocol   TEXT,                   -- Push_Parameters; NULL: the subscriber polls
  push_address    TEXT,
  push_binding    TEXT,
  created_at      BIGINT NOT NULL,
  push_cursor     BIGINT,
  poll_cursor     BIGINT,
  attempts        BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL DEFAULT 0,
  lease_owner     TEXT,
  lease_until     BIGINT,
  last_error      TEXT
);
CREATE UNIQUE INDEX subscriptions_by_spec ON subscriptions (collection, owner, spec_key);
CREATE INDEX subscriptions_due ON subscriptions (next_attempt_at) WHERE push_address IS NOT NULL;

-- Asynchronous poll results (Services 1.1 §3.6.2) while built and pushed; the content itself
-- is a result_sets row with the same result_id once state is 1 (ready).
CREATE TABLE async_results (
  result_id        TEXT PRIMARY KEY,
  collection       TEXT NOT NULL REFERENCES collections (name),
  request          BLOB NOT NULL,         -- opaque to the store
  after_label      BIGINT,
  until_label      BIGINT,
  part_size        BIGINT NOT NULL,
  count_only       BIGINT NOT NULL,
  estimated_count  BIGINT NOT NULL,
  delivery_protocol TEXT,                 -- Delivery_Parameters; NULL: the client pulls
  delivery_address TEXT,
  delivery_binding TEXT,
  state            BIGINT NOT NULL,      -- 0 building, 1 ready, 2 failed
  total_parts      BIGINT NOT NULL DEFAULT 0,
  parts_pushed     BIGINT NOT NULL DEFAULT 0,
  created_at       BIGINT NOT NULL,
  attempts         BIGINT NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT NOT NULL DEFAULT 0,
  lease_owner      TEXT,
  lease_until      BIGINT,
  last_error       TEXT
);
CREATE INDEX async_results_by_created ON async_results (created_at);

-- Receiving side of push delivery: per source (a sender's subscription or result), the
-- highest label received, so that a re-sent message is not stored twice.
CREATE TABLE inbox_sources (
  source     TEXT PRIMARY KEY,
  last_label BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
