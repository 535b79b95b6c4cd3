-- Several terminals per trader (issue #16, CONTRACT.md "Several terminals per trader").
--
-- Every terminal speaks the bridge protocol exactly as a single terminal did: it has its own
-- bridge token, account, symbol specs, prices, liveness and command outbox. Those were all kept
-- per `users` row (bridge_tokens, terminal_symbols, terminal_prices, bridge_commands.user_id), so a
-- trader's first terminal stays their own row (the single-token flow, unchanged) and each further
-- terminal gets a row of its own in `users` with a negative id (never a Telegram id), owned by
-- the trader through `terminals.user_id`. The bridge code therefore needs no change per terminal.

-- One row per terminal. `bridge_user_id` is the `users` row that holds its bridge state: the
-- trader's own id for the first terminal, a negative id for the others.
CREATE TABLE terminals (
  id              TEXT PRIMARY KEY,                     -- t_…
  user_id         INTEGER NOT NULL REFERENCES users (id),
  bridge_user_id  INTEGER NOT NULL UNIQUE REFERENCES users (id),
  name            TEXT NOT NULL,
  allocation      REAL NOT NULL DEFAULT 1 CHECK (allocation >= 0 AND allocation <= 5),
  enabled         INTEGER NOT NULL DEFAULT 1,
  position        INTEGER NOT NULL,                     -- order in the trader's list (0 = first)
  created_at      TEXT NOT NULL,
  unlinked_at     TEXT                                  -- set when unlinked: its token is gone
);
CREATE INDEX terminals_by_user ON terminals (user_id, position);

-- What one fire did on each of its trader's terminals: sent its own legs, or skipped (offline,
-- disabled, size below the minimum…) with the reason. Written with the fire, in its transaction.
CREATE TABLE fire_terminals (
  fire_id         TEXT NOT NULL REFERENCES fires (id),
  terminal_id     TEXT NOT NULL REFERENCES terminals (id),
  bridge_user_id  INTEGER NOT NULL,
  name            TEXT NOT NULL,
  position        INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('sent', 'skipped')),
  lots            REAL NOT NULL,
  risk_amount     REAL NOT NULL,
  reason          TEXT,
  PRIMARY KEY (fire_id, terminal_id)
);

-- Traders linked before this migration: their token's row is their first terminal.
INSERT INTO terminals (id, user_id, bridge_user_id, name, allocation, enabled, position, created_at)
  SELECT 't_' || user_id, user_id, user_id, 'MT5', 1, 1, 0, created_at FROM bridge_tokens;
