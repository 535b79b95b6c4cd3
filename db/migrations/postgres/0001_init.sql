-- Sortie's first schema, PostgreSQL edition of db/migrations/0001_init.sql (same tables, columns
-- and constraints). Forward-only: never edit an applied migration, add the next number instead.
-- Types: Telegram ids and millisecond times are BIGINT; SQLite's REAL is DOUBLE PRECISION; flags
-- stay INTEGER 0/1 and times stay ISO-8601 TEXT, so rows read the same on both engines.

CREATE TABLE signals (
  id              TEXT PRIMARY KEY,
  symbol          TEXT NOT NULL,
  side            TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  entry           DOUBLE PRECISION NOT NULL,
  stop_loss       DOUBLE PRECISION NOT NULL,
  take_profit     TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  expires_ms      BIGINT NOT NULL,
  confidence      DOUBLE PRECISION,
  shield_score    DOUBLE PRECISION,
  shield_notes    TEXT,
  pattern         TEXT,
  session         TEXT,
  min_tier        TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
  created_at      TEXT NOT NULL,
  created_ms      BIGINT NOT NULL,
  cancelled_at    TEXT,
  source          TEXT NOT NULL,
  created_by      TEXT,
  idempotency_key TEXT UNIQUE,
  body_hash       TEXT
);
CREATE INDEX signals_by_created ON signals (created_ms DESC);
CREATE INDEX signals_by_body_hash ON signals (body_hash, created_ms);

CREATE TABLE users (
  id              BIGINT PRIMARY KEY,
  first_name      TEXT,
  last_name       TEXT,
  username        TEXT,
  tier            TEXT NOT NULL DEFAULT 'NIBBLER',
  risk_percent    DOUBLE PRECISION NOT NULL DEFAULT 1 CHECK (risk_percent >= 0.1 AND risk_percent <= 10),
  balance         DOUBLE PRECISION,
  equity          DOUBLE PRECISION,
  currency        TEXT,
  account_login   TEXT,
  account_server  TEXT,
  trade_allowed   INTEGER NOT NULL DEFAULT 0,
  bridge_seen_ms  BIGINT,
  bridge_offline_notified INTEGER NOT NULL DEFAULT 0,
  dm_status       TEXT NOT NULL DEFAULT 'unknown' CHECK (dm_status IN ('unknown', 'ok', 'unreachable')),
  trades          INTEGER NOT NULL DEFAULT 0,
  wins            INTEGER NOT NULL DEFAULT 0,
  losses          INTEGER NOT NULL DEFAULT 0,
  pnl             DOUBLE PRECISION NOT NULL DEFAULT 0,
  xp              INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX users_by_username ON users (lower(username));

CREATE TABLE bridge_tokens (
  user_id     BIGINT PRIMARY KEY REFERENCES users (id),
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  TEXT NOT NULL
);

CREATE TABLE terminal_symbols (
  user_id       BIGINT NOT NULL REFERENCES users (id),
  name          TEXT NOT NULL,
  canonical     TEXT,
  tick_size     DOUBLE PRECISION NOT NULL,
  tick_value    DOUBLE PRECISION NOT NULL,
  volume_min    DOUBLE PRECISION NOT NULL,
  volume_step   DOUBLE PRECISION NOT NULL,
  volume_max    DOUBLE PRECISION NOT NULL,
  contract_size DOUBLE PRECISION NOT NULL,
  digits        INTEGER NOT NULL,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (user_id, name)
);

CREATE TABLE terminal_prices (
  user_id    BIGINT NOT NULL REFERENCES users (id),
  name       TEXT NOT NULL,
  canonical  TEXT,
  bid        DOUBLE PRECISION NOT NULL,
  ask        DOUBLE PRECISION NOT NULL,
  time       TEXT NOT NULL,
  PRIMARY KEY (user_id, name)
);

-- One fire per (signal, user), ever: the UNIQUE constraint is the idempotent lock, for every instance.
CREATE TABLE fires (
  id             TEXT PRIMARY KEY,
  signal_id      TEXT NOT NULL REFERENCES signals (id),
  user_id        BIGINT NOT NULL REFERENCES users (id),
  state          TEXT NOT NULL,
  lots           DOUBLE PRECISION NOT NULL,
  symbol         TEXT NOT NULL,
  broker_symbol  TEXT NOT NULL,
  side           TEXT NOT NULL,
  risk_amount    DOUBLE PRECISION,
  fill_price     DOUBLE PRECISION,
  slippage_pips  DOUBLE PRECISION,
  latency_ms     BIGINT,
  profit         DOUBLE PRECISION,
  message        TEXT,
  xp_awarded     INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  created_ms     BIGINT NOT NULL,
  updated_at     TEXT NOT NULL,
  closed_at      TEXT,
  closed_ms      BIGINT,
  UNIQUE (signal_id, user_id)
);
CREATE INDEX fires_by_user ON fires (user_id, created_ms);
CREATE INDEX fires_by_closed ON fires (closed_ms);

CREATE TABLE bridge_commands (
  id            TEXT PRIMARY KEY,
  fire_id       TEXT NOT NULL REFERENCES fires (id),
  user_id       BIGINT NOT NULL REFERENCES users (id),
  leg           INTEGER NOT NULL,
  payload       TEXT NOT NULL,
  state         TEXT NOT NULL DEFAULT 'queued',
  deliveries    INTEGER NOT NULL DEFAULT 0,
  created_ms    BIGINT NOT NULL,
  delivered_ms  BIGINT,
  first_delivered_ms BIGINT,
  retcode       INTEGER,
  ticket        TEXT,
  price         DOUBLE PRECISION,
  volume        DOUBLE PRECISION,
  message       TEXT,
  result_ms     BIGINT,
  close_price   DOUBLE PRECISION,
  profit        DOUBLE PRECISION,
  closed_at     TEXT,
  UNIQUE (fire_id, leg)
);
CREATE INDEX bridge_commands_open ON bridge_commands (user_id, state);

CREATE TABLE events (
  seq        BIGSERIAL PRIMARY KEY,
  at         TEXT NOT NULL,
  type       TEXT NOT NULL,
  actor      TEXT,
  user_id    BIGINT,
  signal_id  TEXT,
  fire_id    TEXT,
  data       TEXT
);
CREATE INDEX events_by_fire ON events (fire_id);
CREATE INDEX events_by_signal ON events (signal_id);
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only';
END;
$$;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_delete BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TABLE mission_notes (
  user_id     BIGINT NOT NULL REFERENCES users (id),
  signal_id   TEXT NOT NULL REFERENCES signals (id),
  text        TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (user_id, signal_id)
);

CREATE TABLE alerts (
  signal_id     TEXT NOT NULL REFERENCES signals (id),
  chat_id       BIGINT NOT NULL,
  message_id    BIGINT,
  state         TEXT NOT NULL DEFAULT 'sending',
  shown_count   INTEGER NOT NULL DEFAULT 0,
  last_edit_ms  BIGINT,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (signal_id, chat_id)
);
