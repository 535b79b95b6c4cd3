-- Issue #14 (same number as the SQLite migration). A trader's mission reads their terminal's spec
-- of the signal's symbol (terminal_symbols WHERE user_id = $1 AND canonical = $2): one index for
-- exactly that question, rather than every trader's row of the symbol.
CREATE INDEX terminal_symbols_by_user_canonical ON terminal_symbols (user_id, canonical);
