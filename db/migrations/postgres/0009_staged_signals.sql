-- Issue #15, PostgreSQL edition of db/migrations/0009_staged_signals.sql (same tables, columns and
-- constraints). Signals that are not public yet: scheduled ones (they go out at `publish_ms`) and
-- the signal engine's drafts (they go out when an admin approves). Publishing is an INSERT into
-- `signals` with the same id, in the transaction whose conditional UPDATE (state 'pending' →
-- 'published') claims the row here: of two instances racing, the second's UPDATE waits for the
-- first's commit, then finds the row no longer pending and changes nothing.
CREATE TABLE staged_signals (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('scheduled', 'draft')),
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'published', 'cancelled', 'expired', 'rejected')),
  signal          TEXT NOT NULL,             -- JSON of the validated signal (core's NewSignal)
  publish_ms      BIGINT,
  expires_ms      BIGINT NOT NULL,
  source          TEXT NOT NULL,
  created_by      TEXT,
  created_at      TEXT NOT NULL,
  created_ms      BIGINT NOT NULL,
  idempotency_key TEXT UNIQUE,
  body_hash       TEXT,
  dedup_key       TEXT UNIQUE,
  quality         DOUBLE PRECISION,
  decided_by      TEXT,
  decided_at      TEXT,
  lateness_ms     BIGINT
);
CREATE INDEX staged_signals_due ON staged_signals (state, publish_ms);
CREATE INDEX staged_signals_by_body_hash ON staged_signals (body_hash, created_ms);

CREATE TABLE engine_strategies (
  name          TEXT PRIMARY KEY,
  auto_publish  INTEGER NOT NULL DEFAULT 0,
  min_quality   DOUBLE PRECISION NOT NULL DEFAULT 8,
  updated_at    TEXT NOT NULL,
  updated_by    TEXT
);

CREATE TABLE draft_messages (
  draft_id    TEXT NOT NULL REFERENCES staged_signals (id),
  chat_id     BIGINT NOT NULL,
  message_id  BIGINT NOT NULL,
  PRIMARY KEY (draft_id, chat_id)
);
