-- Issue #21 (hardening II).
-- What a closed fire has added to its trader's running stats (users.trades/wins/losses/pnl): null
-- until it is counted. A fire counts as one trade once; if a late fill re-opens it (a leg expired
-- for want of a result, then the terminal's result arrived) and it closes again, only the change
-- in profit is added, so no leg is ever counted twice.
ALTER TABLE fires ADD COLUMN counted_profit REAL;
-- A `closed` report that arrived before its leg's result (the EA's outbox and the file drop can
-- reorder them) is held here, and applied when the result says the order filled.
ALTER TABLE bridge_commands ADD COLUMN held_close TEXT;
