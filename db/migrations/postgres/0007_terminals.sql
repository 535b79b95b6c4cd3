-- Several terminals per trader (issue #16): PostgreSQL twin of db/migrations/0007_terminals.sql.
--
-- A trader's first terminal is their own `users` row (the single-token flow, unchanged); each
-- further terminal gets a `users` row of its own with a negative id (never a Telegram id), owned
-- by the trader through `terminals.user_id`, so the bridge serves every terminal as before.

-- One row per terminal. `bridge_user_id` is the `users` row that holds its bridge state.
CREATE TABLE terminals (
  id              TEXT PRIMARY KEY,                     -- t_…
  user_id         BIGINT NOT NULL REFERENCES users (id),
  bridge_user_id  BIGINT NOT NULL UNIQUE REFERENCES users (id),
  name            TEXT NOT NULL,
  allocation      DOUBLE PRECISION NOT NULL DEFAULT 1 CHECK (allocation >= 0 AND allocation <= 5),
  enabled         INTEGER NOT NULL DEFAULT 1,
  position        INTEGER NOT NULL,                     -- order in the trader's list (0 = first)
  created_at      TEXT NOT NULL,
  unlinked_at     TEXT                                  -- set when unlinked: its token is gone
);
CREATE INDEX terminals_by_user ON terminals (user_id, position);

-- What one fire did on each of its trader's terminals: sent its own legs, or skipped with the reason.
CREATE TABLE fire_terminals (
  fire_id         TEXT NOT NULL REFERENCES fires (id),
  terminal_id     TEXT NOT NULL REFERENCES terminals (id),
  bridge_user_id  BIGINT NOT NULL,
  name            TEXT NOT NULL,
  position        INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('sent', 'skipped')),
  lots            DOUBLE PRECISION NOT NULL,
  risk_amount     DOUBLE PRECISION NOT NULL,
  reason          TEXT,
  PRIMARY KEY (fire_id, terminal_id)
);

-- Traders linked before this migration: their token's row is their first terminal.
INSERT INTO terminals (id, user_id, bridge_user_id, name, allocation, enabled, position, created_at)
  SELECT 't_' || user_id, user_id, user_id, 'MT5', 1, 1, 0, created_at FROM bridge_tokens;
