-- Managing trades after entry (issue #11), PostgreSQL edition of db/migrations/0003_trade_updates.sql
-- (same tables, columns and constraints; types as in 0001_init.sql).

-- The protocol each user's terminal last said it speaks in a heartbeat ("1.1"); null or "1" = v1
-- only: such a terminal is never sent modify/close commands.
ALTER TABLE users ADD COLUMN bridge_protocol TEXT;

-- Signal option: an automatic breakeven update when a leg-1 position closes in profit (once).
ALTER TABLE signals ADD COLUMN breakeven_after_tp1 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE signals ADD COLUMN breakeven_done INTEGER NOT NULL DEFAULT 0;

-- One row per admin update of a signal (`u_…`, fire_id null) or per trader's manage request on
-- their own fire (`m_…`, fire_id set). Stored once; the per-position commands hang off it.
CREATE TABLE trade_updates (
  id              TEXT PRIMARY KEY,
  signal_id       TEXT NOT NULL REFERENCES signals (id),
  fire_id         TEXT REFERENCES fires (id),
  user_id         BIGINT,
  action          TEXT NOT NULL CHECK (action IN ('move_sl', 'breakeven', 'move_tp', 'close')),
  leg             INTEGER,
  stop_loss       DOUBLE PRECISION,
  take_profit     DOUBLE PRECISION,
  note            TEXT,
  source          TEXT NOT NULL,
  actor           TEXT,
  idempotency_key TEXT UNIQUE,
  positions       INTEGER NOT NULL DEFAULT 0,
  skipped         INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  created_ms      BIGINT NOT NULL
);
CREATE INDEX trade_updates_by_signal ON trade_updates (signal_id, created_ms);
CREATE INDEX trade_updates_by_fire ON trade_updates (fire_id, created_ms);

-- The outbox of protocol 1.1: one modify/close command per open position per update.
CREATE TABLE position_commands (
  id                 TEXT PRIMARY KEY,
  update_id          TEXT NOT NULL REFERENCES trade_updates (id),
  fire_id            TEXT NOT NULL REFERENCES fires (id),
  user_id            BIGINT NOT NULL REFERENCES users (id),
  leg                INTEGER NOT NULL,
  position_of        TEXT NOT NULL REFERENCES bridge_commands (id),
  action             TEXT NOT NULL CHECK (action IN ('modify', 'close')),
  stop_loss          DOUBLE PRECISION,
  take_profit        DOUBLE PRECISION,
  payload            TEXT NOT NULL,
  state              TEXT NOT NULL DEFAULT 'queued',
  deliveries         INTEGER NOT NULL DEFAULT 0,
  created_ms         BIGINT NOT NULL,
  delivered_ms       BIGINT,
  first_delivered_ms BIGINT,
  retcode            INTEGER,
  message            TEXT,
  result_ms          BIGINT,
  UNIQUE (update_id, position_of)
);
CREATE INDEX position_commands_due ON position_commands (user_id, state);
CREATE INDEX position_commands_by_position ON position_commands (position_of, created_ms);
CREATE INDEX position_commands_by_fire ON position_commands (fire_id);
CREATE INDEX position_commands_by_update_user ON position_commands (update_id, user_id);
