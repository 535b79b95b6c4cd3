-- Sortie's first schema. Forward-only: never edit an applied migration, add 0002_… instead.

-- One row per signal, shared by everyone. Never copied per user.
CREATE TABLE signals (
  id              TEXT PRIMARY KEY,
  symbol          TEXT NOT NULL,
  side            TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  entry           REAL NOT NULL,
  stop_loss       REAL NOT NULL,
  take_profit     TEXT NOT NULL,            -- JSON array of prices, nearest first
  expires_at      TEXT NOT NULL,            -- ISO-8601 UTC
  expires_ms      INTEGER NOT NULL,
  confidence      REAL,
  shield_score    REAL,
  shield_notes    TEXT,
  pattern         TEXT,
  session         TEXT,
  min_tier        TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
  created_at      TEXT NOT NULL,
  created_ms      INTEGER NOT NULL,
  cancelled_at    TEXT,
  source          TEXT NOT NULL,            -- api | bot | webhook | demo
  created_by      TEXT,                     -- who: "tg:<id>", "admin-token", "webhook"
  idempotency_key TEXT UNIQUE,
  body_hash       TEXT                      -- webhook dedup of identical bodies within 60 s
);
CREATE INDEX signals_by_created ON signals (created_ms DESC);
CREATE INDEX signals_by_body_hash ON signals (body_hash, created_ms);

-- The overlay: one row per Telegram user, with their terminal's last report and running stats.
CREATE TABLE users (
  id              INTEGER PRIMARY KEY,      -- Telegram user id
  first_name      TEXT,
  last_name       TEXT,
  username        TEXT,
  tier            TEXT NOT NULL DEFAULT 'NIBBLER',
  risk_percent    REAL NOT NULL DEFAULT 1 CHECK (risk_percent >= 0.1 AND risk_percent <= 10),
  balance         REAL,
  equity          REAL,
  currency        TEXT,
  account_login   TEXT,
  account_server  TEXT,
  trade_allowed   INTEGER NOT NULL DEFAULT 0,
  bridge_seen_ms  INTEGER,                  -- last authenticated bridge request
  bridge_offline_notified INTEGER NOT NULL DEFAULT 0,
  dm_status       TEXT NOT NULL DEFAULT 'unknown' CHECK (dm_status IN ('unknown', 'ok', 'unreachable')),
  trades          INTEGER NOT NULL DEFAULT 0,
  wins            INTEGER NOT NULL DEFAULT 0,
  losses          INTEGER NOT NULL DEFAULT 0,
  pnl             REAL NOT NULL DEFAULT 0,
  xp              INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

-- Bridge tokens: only a SHA-256 hash is stored. One live token per user; rotation replaces it.
CREATE TABLE bridge_tokens (
  user_id     INTEGER PRIMARY KEY REFERENCES users (id),
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  TEXT NOT NULL
);

-- Symbol specifications as each user's terminal reports them (broker names).
CREATE TABLE terminal_symbols (
  user_id       INTEGER NOT NULL REFERENCES users (id),
  name          TEXT NOT NULL,              -- broker's name, e.g. EURUSD.m
  canonical     TEXT,                       -- Sortie's name, e.g. EURUSD (null when unknown)
  tick_size     REAL NOT NULL,
  tick_value    REAL NOT NULL,
  volume_min    REAL NOT NULL,
  volume_step   REAL NOT NULL,
  volume_max    REAL NOT NULL,
  contract_size REAL NOT NULL,
  digits        INTEGER NOT NULL,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (user_id, name)
);

-- Latest quote per user and broker symbol.
CREATE TABLE terminal_prices (
  user_id    INTEGER NOT NULL REFERENCES users (id),
  name       TEXT NOT NULL,
  canonical  TEXT,
  bid        REAL NOT NULL,
  ask        REAL NOT NULL,
  time       TEXT NOT NULL,
  PRIMARY KEY (user_id, name)
);

-- One fire per (signal, user), ever: the UNIQUE constraint is the idempotent lock.
CREATE TABLE fires (
  id             TEXT PRIMARY KEY,
  signal_id      TEXT NOT NULL REFERENCES signals (id),
  user_id        INTEGER NOT NULL REFERENCES users (id),
  state          TEXT NOT NULL,
  lots           REAL NOT NULL,
  symbol         TEXT NOT NULL,
  broker_symbol  TEXT NOT NULL,
  side           TEXT NOT NULL,
  risk_amount    REAL,
  fill_price     REAL,
  slippage_pips  REAL,
  latency_ms     INTEGER,
  profit         REAL,
  message        TEXT,
  xp_awarded     INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  created_ms     INTEGER NOT NULL,
  updated_at     TEXT NOT NULL,
  closed_at      TEXT,
  closed_ms      INTEGER,
  UNIQUE (signal_id, user_id)
);
CREATE INDEX fires_by_user ON fires (user_id, created_ms);
CREATE INDEX fires_by_closed ON fires (closed_ms);

-- The outbox: one command per take-profit leg, delivered at least once to the user's terminal.
CREATE TABLE bridge_commands (
  id            TEXT PRIMARY KEY,
  fire_id       TEXT NOT NULL REFERENCES fires (id),
  user_id       INTEGER NOT NULL REFERENCES users (id),
  leg           INTEGER NOT NULL,
  payload       TEXT NOT NULL,              -- the protocol command, JSON
  state         TEXT NOT NULL DEFAULT 'queued',
  deliveries    INTEGER NOT NULL DEFAULT 0,
  created_ms    INTEGER NOT NULL,
  delivered_ms  INTEGER,                    -- last delivery (visibility timeout runs from here)
  first_delivered_ms INTEGER,
  retcode       INTEGER,
  ticket        TEXT,
  price         REAL,
  volume        REAL,
  message       TEXT,
  result_ms     INTEGER,
  close_price   REAL,
  profit        REAL,
  closed_at     TEXT,
  UNIQUE (fire_id, leg)
);
CREATE INDEX bridge_commands_open ON bridge_commands (user_id, state);

-- Append-only log: every step of a fire's life, every admin action.
CREATE TABLE events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  at         TEXT NOT NULL,
  type       TEXT NOT NULL,
  actor      TEXT,
  user_id    INTEGER,
  signal_id  TEXT,
  fire_id    TEXT,
  data       TEXT
);
CREATE INDEX events_by_fire ON events (fire_id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE (ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE (ABORT, 'events are append-only'); END;

-- A trader's private notes on a mission.
CREATE TABLE mission_notes (
  user_id     INTEGER NOT NULL REFERENCES users (id),
  signal_id   TEXT NOT NULL REFERENCES signals (id),
  text        TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (user_id, signal_id)
);

-- Group alerts the bot posted, so each is posted once per chat and kept live.
CREATE TABLE alerts (
  signal_id     TEXT NOT NULL REFERENCES signals (id),
  chat_id       INTEGER NOT NULL,
  message_id    INTEGER,
  state         TEXT NOT NULL DEFAULT 'sending',   -- sending | posted | closed | failed
  shown_count   INTEGER NOT NULL DEFAULT 0,
  last_edit_ms  INTEGER,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (signal_id, chat_id)
);
