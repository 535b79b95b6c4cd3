-- Track record (issue #17), PostgreSQL edition of db/migrations/0008_track_record.sql.

-- A signal's final result, written once when it settles (no fire can come or change). Derived from
-- the stored fills and closes (core/track-record/signal-report.ts); `announced` = the result reply
-- went out under the signal's alerts (a restart posts the ones that did not).
CREATE TABLE signal_results (
  signal_id            TEXT PRIMARY KEY REFERENCES signals (id),
  outcome              TEXT NOT NULL CHECK (outcome IN ('win', 'loss', 'breakeven', 'void')),
  r                    DOUBLE PRECISION,
  fired                INTEGER NOT NULL,
  filled               INTEGER NOT NULL,
  rejected             INTEGER NOT NULL,
  avg_slippage_pips    DOUBLE PRECISION,
  avg_fill_latency_ms  DOUBLE PRECISION,
  profit               DOUBLE PRECISION NOT NULL,
  closed_ms            BIGINT,
  settled_at           TEXT NOT NULL,
  settled_ms           BIGINT NOT NULL,
  announced            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX signal_results_to_announce ON signal_results (announced, settled_ms);

-- The weekly summary DM: on by default (a trader turns it off in their settings), and the week it
-- was last sent (Monday 00:00 UTC, epoch ms) so it goes out once per week.
ALTER TABLE users ADD COLUMN weekly_summary INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN weekly_summary_week_ms BIGINT;
