-- Issue #21 (hardening II), PostgreSQL edition of db/migrations/0004_hardening.sql.
-- What a closed fire has added to its trader's running stats: null until it is counted.
ALTER TABLE fires ADD COLUMN counted_profit DOUBLE PRECISION;
-- A `closed` report that arrived before its leg's result, applied when the result says it filled.
ALTER TABLE bridge_commands ADD COLUMN held_close TEXT;
