-- Managing trades after entry (CONTRACT.md "Managing trades after entry", issue #11).

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
  user_id         INTEGER,                  -- the trader of a manage request
  action          TEXT NOT NULL CHECK (action IN ('move_sl', 'breakeven', 'move_tp', 'close')),
  leg             INTEGER,
  stop_loss       REAL,
  take_profit     REAL,
  note            TEXT,
  source          TEXT NOT NULL,            -- api | bot | webhook | auto | manage
  actor           TEXT,
  idempotency_key TEXT UNIQUE,
  positions       INTEGER NOT NULL DEFAULT 0,
  skipped         INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  created_ms      INTEGER NOT NULL
);
CREATE INDEX trade_updates_by_signal ON trade_updates (signal_id, created_ms);
CREATE INDEX trade_updates_by_fire ON trade_updates (fire_id, created_ms);

-- The outbox of protocol 1.1: one modify/close command per open position per update, delivered at
-- least once like an open command; `position_of` is the open command (bridge_commands.id).
-- States: queued → delivered → applied | rejected | failed; superseded (a later command for the
-- same position replaced it before any result); skipped (protocol-1 terminal: never sent).
CREATE TABLE position_commands (
  id                 TEXT PRIMARY KEY,
  update_id          TEXT NOT NULL REFERENCES trade_updates (id),
  fire_id            TEXT NOT NULL REFERENCES fires (id),
  user_id            INTEGER NOT NULL REFERENCES users (id),
  leg                INTEGER NOT NULL,
  position_of        TEXT NOT NULL REFERENCES bridge_commands (id),
  action             TEXT NOT NULL CHECK (action IN ('modify', 'close')),
  stop_loss          REAL,
  take_profit        REAL,
  payload            TEXT NOT NULL,
  state              TEXT NOT NULL DEFAULT 'queued',
  deliveries         INTEGER NOT NULL DEFAULT 0,
  created_ms         INTEGER NOT NULL,
  delivered_ms       INTEGER,
  first_delivered_ms INTEGER,
  retcode            INTEGER,
  message            TEXT,
  result_ms          INTEGER,
  UNIQUE (update_id, position_of)
);
CREATE INDEX position_commands_due ON position_commands (user_id, state);
CREATE INDEX position_commands_by_position ON position_commands (position_of, created_ms);
CREATE INDEX position_commands_by_fire ON position_commands (fire_id);
-- One trader's commands of one update (checked after each result: all answered → their DM).
CREATE INDEX position_commands_by_update_user ON position_commands (update_id, user_id);
