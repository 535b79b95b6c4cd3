-- Issue #22, PostgreSQL edition of db/migrations/0005_symbols_audit.sql.
-- Quote digits a linked terminal reported for a symbol that is not built in.
ALTER TABLE signals ADD COLUMN digits INTEGER;

-- "Is this symbol offered by any linked terminal?" is asked when a signal is created.
CREATE INDEX terminal_symbols_by_canonical ON terminal_symbols (canonical);

-- The admin audit log reads the admin actions newest first (partial index, same WHERE as the query).
CREATE INDEX events_audit ON events (seq)
  WHERE type LIKE 'admin.%' OR type IN ('signal.created', 'signal.cancelled', 'user.tier_changed');
