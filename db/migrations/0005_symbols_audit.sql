-- Issue #22. Signals on symbols that are not built in (BTCUSD, XTIUSD…) keep the quote digits a
-- linked terminal reported, so every price shown is rounded to them.
ALTER TABLE signals ADD COLUMN digits INTEGER;

-- "Is this symbol offered by any linked terminal?" is asked when a signal is created.
CREATE INDEX terminal_symbols_by_canonical ON terminal_symbols (canonical);

-- The admin audit log (`/audit`, GET /api/audit) reads the admin actions newest first; they are
-- a small part of the event log, so they get their own partial index.
CREATE INDEX events_audit ON events (seq)
  WHERE type LIKE 'admin.%' OR type IN ('signal.created', 'signal.cancelled', 'user.tier_changed');
