import type { Statement } from "better-sqlite3";
import type { ReportLeg, SignalReport, TrackPosition, TrackSignal } from "../../core/track-record/index.ts";
import type { Sqlite } from "../index.ts";

/** A stored signal result (`signal_results`). */
export interface SignalResultRow {
  signal_id: string;
  outcome: SignalReport["outcome"];
  r: number | null;
  fired: number;
  filled: number;
  rejected: number;
  avg_slippage_pips: number | null;
  avg_fill_latency_ms: number | null;
  profit: number;
  closed_ms: number | null;
  settled_at: string;
  settled_ms: number;
  announced: number;
}

/** A signal as the track record reads it, with when it was given. */
export type TrackSignalRow = TrackSignal & { createdMs: number };

/** A signal and its result (null while unsettled), for the channel's CSV. */
export interface SignalExportRow {
  id: string;
  symbol: string;
  side: string;
  entry: number;
  stop_loss: number;
  status: string;
  created_at: string;
  expires_at: string;
  outcome: string | null;
  r: number | null;
  fired: number | null;
  filled: number | null;
  rejected: number | null;
  avg_slippage_pips: number | null;
  avg_fill_latency_ms: number | null;
  closed_ms: number | null;
}

interface PositionRow {
  signal_id: string;
  volume: number | null;
  payload: string | null;
  price: number;
  close_price: number | null;
  closed_at: string | null;
  profit: number | null;
}

interface LegRow {
  fire_id: string;
  fire_state: string;
  fire_created_ms: number;
  slippage_pips: number | null;
  state: string | null;
  volume: number | null;
  payload: string | null;
  price: number | null;
  close_price: number | null;
  result_ms: number | null;
  closed_at: string | null;
  profit: number | null;
}

const SIGNAL_COLUMNS = "s.id, s.symbol, s.side, s.entry, s.stop_loss, s.created_ms";
// The leg's filled volume, or (terminal silent about it) the ordered one from the command. The
// payload is only read for such legs, so a million-row scan does not parse a million JSON texts.
const LEG_VOLUME = "c.volume, CASE WHEN c.volume IS NULL THEN c.payload END AS payload";
const POSITION_COLUMNS = `f.signal_id, ${LEG_VOLUME}, c.price, c.close_price, c.closed_at, c.profit`;
const FILLED = "c.state IN ('filled', 'closed') AND c.price IS NOT NULL";

const volumeOf = (row: { volume: number | null; payload: string | null }) =>
  row.volume ?? (row.payload ? ((JSON.parse(row.payload) as { volume?: number }).volume ?? 0) : 0);
const msOf = (iso: string | null) => (iso === null ? null : Date.parse(iso));

function toSignalRow(row: {
  id: string;
  symbol: string;
  side: "BUY" | "SELL";
  entry: number;
  stop_loss: number;
  created_ms: number;
}): TrackSignalRow {
  return {
    id: row.id,
    symbol: row.symbol,
    side: row.side,
    entry: row.entry,
    stopLoss: row.stop_loss,
    createdMs: row.created_ms,
  };
}

function toPosition(row: PositionRow): TrackPosition {
  const closed = row.close_price !== null;
  return {
    signalId: row.signal_id,
    volume: volumeOf(row),
    fill: row.price,
    close: row.close_price,
    closedMs: closed ? msOf(row.closed_at) : null,
    profit: row.profit,
  };
}

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

/** The settled outcome of a signal as the record reads it (`listSettled`). */
export interface SettledRow {
  signal_id: string;
  r: number | null;
  closed_ms: number | null;
  profit: number;
}

/** Raw rows to the shapes the track record uses (the same on both engines). */
export const trackRecordRows = {
  signals: (rows: unknown[]): TrackSignalRow[] => (rows as Parameters<typeof toSignalRow>[0][]).map(toSignalRow),
  positions: (rows: unknown[]): TrackPosition[] => (rows as PositionRow[]).map(toPosition),
  legs: (rows: unknown[]): ReportLeg[] =>
    (rows as LegRow[]).map((row) => ({
      fireId: row.fire_id,
      fireState: row.fire_state,
      fireCreatedMs: row.fire_created_ms,
      slippagePips: row.slippage_pips,
      legState: row.state,
      volume: row.state === null ? null : volumeOf(row),
      fill: row.price,
      close: row.close_price,
      resultMs: row.result_ms,
      closedMs: msOf(row.closed_at),
      profit: row.profit,
    })),
  /** `insertResult`'s parameters, in order. */
  resultParams: (row: SignalResultRow): unknown[] => [
    row.signal_id,
    row.outcome,
    row.r,
    row.fired,
    row.filled,
    row.rejected,
    row.avg_slippage_pips,
    row.avg_fill_latency_ms,
    row.profit,
    row.closed_ms,
    row.settled_at,
    row.settled_ms,
    row.announced,
  ],
  weeklyDueParams: (weekMs: number, fromMs: number, limit: number): unknown[] => [weekMs, fromMs, weekMs, limit],
};

/**
 * Typed queries of the track record (issue #17): the rows `core/track-record` computes results
 * from (signals, filled positions, a signal's fires and legs), the settled results it caches in
 * `signal_results`, and the weekly summary's bookkeeping.
 */
export function trackRecordQueries(sqlite: Sqlite) {
  const q = Object.fromEntries(
    Object.entries(TRACK_RECORD_SQL).map(([k, sql]) => [k, sqlite.prepare<unknown[]>(sql)]),
  ) as Record<keyof typeof TRACK_RECORD_SQL, Statement<unknown[]>>;
  const ids = <K extends string>(rows: unknown[], key: K) => (rows as Array<Record<K, never>>).map((r) => r[key]);

  return {
    /** Every signal (10,000 rows for a 10,000-signal history). */
    listSignals(): TrackSignalRow[] {
      return trackRecordRows.signals(q.allSignals.all());
    },
    /** The settled signals' cached outcomes. */
    listSettled(): SettledRow[] {
      return q.allResults.all() as SettledRow[];
    },
    /** One signal's fires with their legs (a fire without legs has one row with null leg fields). */
    listSignalLegs(signalId: string): ReportLeg[] {
      return trackRecordRows.legs(q.signalLegs.all(signalId));
    },
    /** The signals one trader fired, and that trader's filled positions. */
    listUserSignals(userId: number): TrackSignalRow[] {
      return trackRecordRows.signals(q.userSignals.all(userId));
    },
    listUserPositions(userId: number): TrackPosition[] {
      return trackRecordRows.positions(q.userPositions.all(userId));
    },
    /** Stores a settled result once; false when it was stored already. */
    insertResult(row: SignalResultRow): boolean {
      return q.insertResult.run(...trackRecordRows.resultParams(row)).changes === 1;
    },
    findResult(signalId: string): SignalResultRow | null {
      return (q.resultById.get(signalId) as SignalResultRow | undefined) ?? null;
    },
    listUnannounced(limit: number): string[] {
      return ids<"signal_id">(q.unannounced.all(limit), "signal_id");
    },
    markAnnounced(signalId: string): void {
      q.announce.run(signalId);
    },
    /** Expired or cancelled signals without a stored result (oldest expiry first). */
    listDueToSettle(nowMs: number, limit: number): string[] {
      return ids<"id">(q.dueToSettle.all(nowMs, limit), "id");
    },
    /** Signals created since `sinceMs` with their results, oldest first (the channel's CSV). */
    listSignalsForExport(sinceMs: number): SignalExportRow[] {
      return q.exportSignals.all(sinceMs) as SignalExportRow[];
    },
    /** Traders due a weekly summary for the week before `weekMs` (with a close in it). */
    listWeeklyDue(weekMs: number, fromMs: number, limit: number): number[] {
      return ids<"id">(q.weeklyDue.all(...trackRecordRows.weeklyDueParams(weekMs, fromMs, limit)), "id");
    },
    markWeeklySent(userId: number, weekMs: number): void {
      q.weeklySent.run(weekMs, userId);
    },
    setWeeklySummary(userId: number, on: boolean): void {
      q.setWeekly.run(on ? 1 : 0, userId);
    },
    weeklySummaryOn(userId: number): boolean {
      return (q.getWeekly.get(userId) as { weekly_summary: number } | undefined)?.weekly_summary === 1;
    },
  };
}

export type TrackRecordQueries = ReturnType<typeof trackRecordQueries>;
