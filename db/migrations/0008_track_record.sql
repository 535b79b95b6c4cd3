-- Track record (issue #17, CONTRACT.md "Track record").

-- A signal's final result, written once when it settles: no one can fire it any more (expired or
-- cancelled) and none of its fires is pending or holds an open position. It is derived from the
-- stored fills and closes (core/track-record/signal-report.ts), never entered by hand, and is the
-- cache that lets a 10,000-signal record load without reading every position. `announced` = the
-- result reply went out under the signal's alerts (a restart posts the ones that did not).
CREATE TABLE signal_results (
  signal_id            TEXT PRIMARY KEY REFERENCES signals (id),
  outcome              TEXT NOT NULL CHECK (outcome IN ('win', 'loss', 'breakeven', 'void')),
  r                    REAL,
  fired                INTEGER NOT NULL,
  filled               INTEGER NOT NULL,
  rejected             INTEGER NOT NULL,
  avg_slippage_pips    REAL,
  avg_fill_latency_ms  REAL,
  profit               REAL NOT NULL,
  closed_ms            INTEGER,
  settled_at           TEXT NOT NULL,
  settled_ms           INTEGER NOT NULL,
  announced            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX signal_results_to_announce ON signal_results (announced, settled_ms);

-- The weekly summary DM: on by default, a trader turns it off in their settings; the week it was
-- last sent (Monday 00:00 UTC, epoch ms) so it goes out once per week.
ALTER TABLE users ADD COLUMN weekly_summary INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN weekly_summary_week_ms INTEGER;
