-- Issue #14. A trader's mission reads their terminal's spec of the signal's symbol
-- (terminal_symbols WHERE user_id = ? AND canonical = ?). With only the (canonical) index of 0005,
-- SQLite's planner chose it and scanned every linked trader's row of that symbol on each mission
-- overlay read and each first tap: thousands of rows once thousands of traders report EURUSD.
-- This index answers the question for one trader directly.
CREATE INDEX terminal_symbols_by_user_canonical ON terminal_symbols (user_id, canonical);
