-- Issue #15. Signals that are not public yet: scheduled ones (they go out at `publish_ms`) and the
-- signal engine's drafts (they go out when an admin approves). They live here, not in `signals`,
-- so no query that traders reach can ever see one: publishing is an INSERT into `signals` with
-- the same id, in the transaction that claims the row here (state 'pending' → 'published').
CREATE TABLE staged_signals (
  id              TEXT PRIMARY KEY,          -- the id the signal keeps once published
  kind            TEXT NOT NULL CHECK (kind IN ('scheduled', 'draft')),
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'published', 'cancelled', 'expired', 'rejected')),
  signal          TEXT NOT NULL,             -- JSON of the validated signal (core's NewSignal)
  publish_ms      INTEGER,                   -- scheduled: the moment it goes out; drafts: null
  expires_ms      INTEGER NOT NULL,          -- scheduled: the signal's expiry; drafts: the review deadline
  source          TEXT NOT NULL,             -- api | bot | webhook | engine:<strategy>
  created_by      TEXT,
  created_at      TEXT NOT NULL,
  created_ms      INTEGER NOT NULL,
  idempotency_key TEXT UNIQUE,
  body_hash       TEXT,
  dedup_key       TEXT UNIQUE,               -- engine: strategy|symbol|side|setup, proposed once ever
  quality         REAL,                      -- engine: the draft's quality score (auto-publish threshold)
  decided_by      TEXT,                      -- who published, cancelled, rejected
  decided_at      TEXT,
  lateness_ms     INTEGER                    -- published - publish_ms
);
CREATE INDEX staged_signals_due ON staged_signals (state, publish_ms);
CREATE INDEX staged_signals_by_body_hash ON staged_signals (body_hash, created_ms);

-- Engine settings per strategy, changed by admins (`/engine`, PATCH /api/engine/strategies/:name).
-- Auto-publish is off until an admin turns it on.
CREATE TABLE engine_strategies (
  name          TEXT PRIMARY KEY,
  auto_publish  INTEGER NOT NULL DEFAULT 0,
  min_quality   REAL NOT NULL DEFAULT 8,
  updated_at    TEXT NOT NULL,
  updated_by    TEXT
);

-- The DMs that showed a draft to each admin, edited when someone approves or rejects it.
CREATE TABLE draft_messages (
  draft_id    TEXT NOT NULL REFERENCES staged_signals (id),
  chat_id     INTEGER NOT NULL,
  message_id  INTEGER NOT NULL,
  PRIMARY KEY (draft_id, chat_id)
);
