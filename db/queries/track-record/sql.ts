const SIGNAL_COLUMNS = "s.id, s.symbol, s.side, s.entry, s.stop_loss, s.created_ms";
// The leg's filled volume, or (terminal silent about it) the ordered one from the command. The
// payload is only read for such legs, so a million-row scan does not parse a million JSON texts.
const LEG_VOLUME = "c.volume, CASE WHEN c.volume IS NULL THEN c.payload END AS payload";
const POSITION_COLUMNS = `f.signal_id, ${LEG_VOLUME}, c.price, c.close_price, c.closed_at, c.profit`;
const FILLED = "c.state IN ('filled', 'closed') AND c.price IS NOT NULL";

/**
 * The track record's SQL, shared by both engines (plain portable SQL, `?` parameters; the
 * PostgreSQL group numbers them): db/postgres/queries/track-record.ts.
 */
export const TRACK_RECORD_SQL = {
  allSignals: `SELECT ${SIGNAL_COLUMNS} FROM signals s`,
  allResults: "SELECT signal_id, r, closed_ms, profit FROM signal_results",
  signalLegs: `SELECT f.id AS fire_id, f.state AS fire_state, f.created_ms AS fire_created_ms,
      f.slippage_pips, c.state, ${LEG_VOLUME}, c.price, c.close_price, c.result_ms, c.closed_at, c.profit
    FROM fires f LEFT JOIN bridge_commands c ON c.fire_id = f.id WHERE f.signal_id = ? ORDER BY f.id, c.leg`,
  userSignals: `SELECT ${SIGNAL_COLUMNS} FROM fires f JOIN signals s ON s.id = f.signal_id WHERE f.user_id = ?`,
  userPositions: `SELECT ${POSITION_COLUMNS}
    FROM fires f JOIN bridge_commands c ON c.fire_id = f.id WHERE f.user_id = ? AND ${FILLED}`,
  insertResult: `INSERT INTO signal_results (signal_id, outcome, r, fired, filled, rejected,
      avg_slippage_pips, avg_fill_latency_ms, profit, closed_ms, settled_at, settled_ms, announced)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (signal_id) DO NOTHING`,
  resultById: "SELECT * FROM signal_results WHERE signal_id = ?",
  unannounced: "SELECT signal_id FROM signal_results WHERE announced = 0 ORDER BY settled_ms LIMIT ?",
  announce: "UPDATE signal_results SET announced = 1 WHERE signal_id = ?",
  dueToSettle: `SELECT s.id FROM signals s
    WHERE (s.status = 'cancelled' OR s.expires_ms <= ?)
      AND NOT EXISTS (SELECT 1 FROM signal_results r WHERE r.signal_id = s.id)
    ORDER BY s.expires_ms LIMIT ?`,
  exportSignals: `SELECT s.id, s.symbol, s.side, s.entry, s.stop_loss, s.status, s.created_at,
      s.expires_at, r.outcome, r.r, r.fired, r.filled, r.rejected, r.avg_slippage_pips, r.avg_fill_latency_ms,
      r.closed_ms
    FROM signals s LEFT JOIN signal_results r ON r.signal_id = s.id
    WHERE s.created_ms >= ? ORDER BY s.created_ms, s.id`,
  // Parameters: week, from, week, limit.
  weeklyDue: `SELECT u.id FROM users u
    WHERE u.weekly_summary = 1 AND (u.weekly_summary_week_ms IS NULL OR u.weekly_summary_week_ms < ?)
      AND EXISTS (SELECT 1 FROM fires f WHERE f.user_id = u.id AND f.state = 'closed'
        AND f.closed_ms >= ? AND f.closed_ms < ?)
    ORDER BY u.id LIMIT ?`,
  weeklySent: "UPDATE users SET weekly_summary_week_ms = ? WHERE id = ?",
  setWeekly: "UPDATE users SET weekly_summary = ? WHERE id = ?",
  getWeekly: "SELECT weekly_summary FROM users WHERE id = ?",
} as const;
