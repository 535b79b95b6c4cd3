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
 * Typed queries of the track record (issue #17): the rows `core/track-record` computes results
 * from (signals, filled positions, a signal's fires and legs), the settled results it caches in
 * `signal_results`, and the weekly summary's bookkeeping.
 */
export function trackRecordQueries(sqlite: Sqlite) {
  const allSignals = sqlite.prepare(`SELECT ${SIGNAL_COLUMNS} FROM signals s`);
  const allResults = sqlite.prepare("SELECT signal_id, r, closed_ms, profit FROM signal_results");
  const signalLegs = sqlite.prepare(`SELECT f.id AS fire_id, f.state AS fire_state, f.created_ms AS fire_created_ms,
      f.slippage_pips, c.state, ${LEG_VOLUME}, c.price, c.close_price, c.result_ms, c.closed_at, c.profit
    FROM fires f LEFT JOIN bridge_commands c ON c.fire_id = f.id WHERE f.signal_id = ? ORDER BY f.id, c.leg`);
  const userSignals = sqlite.prepare(
    `SELECT ${SIGNAL_COLUMNS} FROM fires f JOIN signals s ON s.id = f.signal_id WHERE f.user_id = ?`,
  );
  const userPositions = sqlite.prepare(`SELECT ${POSITION_COLUMNS}
    FROM fires f JOIN bridge_commands c ON c.fire_id = f.id WHERE f.user_id = ? AND ${FILLED}`);
  const insertResult = sqlite.prepare(`INSERT INTO signal_results (signal_id, outcome, r, fired, filled, rejected,
      avg_slippage_pips, avg_fill_latency_ms, profit, closed_ms, settled_at, settled_ms)
    VALUES (@signal_id, @outcome, @r, @fired, @filled, @rejected, @avg_slippage_pips, @avg_fill_latency_ms, @profit,
      @closed_ms, @settled_at, @settled_ms)
    ON CONFLICT (signal_id) DO NOTHING`);
  const resultById = sqlite.prepare("SELECT * FROM signal_results WHERE signal_id = ?");
  const unannounced = sqlite.prepare(
    "SELECT signal_id FROM signal_results WHERE announced = 0 ORDER BY settled_ms LIMIT ?",
  );
  const announce = sqlite.prepare("UPDATE signal_results SET announced = 1 WHERE signal_id = ?");
  const dueToSettle = sqlite.prepare(`SELECT s.id FROM signals s
    WHERE (s.status = 'cancelled' OR s.expires_ms <= ?)
      AND NOT EXISTS (SELECT 1 FROM signal_results r WHERE r.signal_id = s.id)
    ORDER BY s.expires_ms LIMIT ?`);
  const exportSignals = sqlite.prepare(`SELECT s.id, s.symbol, s.side, s.entry, s.stop_loss, s.status, s.created_at,
      s.expires_at, r.outcome, r.r, r.fired, r.filled, r.rejected, r.avg_slippage_pips, r.avg_fill_latency_ms,
      r.closed_ms
    FROM signals s LEFT JOIN signal_results r ON r.signal_id = s.id
    WHERE s.created_ms >= ? ORDER BY s.created_ms, s.id`);
  const weeklyDue = sqlite.prepare(`SELECT u.id FROM users u
    WHERE u.weekly_summary = 1 AND (u.weekly_summary_week_ms IS NULL OR u.weekly_summary_week_ms < @week)
      AND EXISTS (SELECT 1 FROM fires f WHERE f.user_id = u.id AND f.state = 'closed'
        AND f.closed_ms >= @from AND f.closed_ms < @week)
    ORDER BY u.id LIMIT @limit`);
  const weeklySent = sqlite.prepare("UPDATE users SET weekly_summary_week_ms = ? WHERE id = ?");
  const setWeekly = sqlite.prepare("UPDATE users SET weekly_summary = ? WHERE id = ?");
  const getWeekly = sqlite.prepare("SELECT weekly_summary FROM users WHERE id = ?");

  return {
    /** Every signal (10,000 rows for a 10,000-signal history). */
    listSignals(): TrackSignalRow[] {
      return (allSignals.all() as Parameters<typeof toSignalRow>[0][]).map(toSignalRow);
    },
    /** The settled signals' cached outcomes. */
    listSettled(): Array<{ signal_id: string; r: number | null; closed_ms: number | null; profit: number }> {
      return allResults.all() as Array<{
        signal_id: string;
        r: number | null;
        closed_ms: number | null;
        profit: number;
      }>;
    },
    /** One signal's fires with their legs (a fire without legs has one row with null leg fields). */
    listSignalLegs(signalId: string): ReportLeg[] {
      return (signalLegs.all(signalId) as LegRow[]).map((row) => ({
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
      }));
    },
    /** The signals one trader fired, and that trader's filled positions. */
    listUserSignals(userId: number): TrackSignalRow[] {
      return (userSignals.all(userId) as Parameters<typeof toSignalRow>[0][]).map(toSignalRow);
    },
    listUserPositions(userId: number): TrackPosition[] {
      return (userPositions.all(userId) as PositionRow[]).map(toPosition);
    },
    /** Stores a settled result once; false when it was stored already. */
    insertResult(row: Omit<SignalResultRow, "announced">): boolean {
      return insertResult.run(row).changes === 1;
    },
    findResult(signalId: string): SignalResultRow | null {
      return (resultById.get(signalId) as SignalResultRow | undefined) ?? null;
    },
    listUnannounced(limit: number): string[] {
      return (unannounced.all(limit) as Array<{ signal_id: string }>).map((r) => r.signal_id);
    },
    markAnnounced(signalId: string): void {
      announce.run(signalId);
    },
    /** Expired or cancelled signals without a stored result (oldest expiry first). */
    listDueToSettle(nowMs: number, limit: number): string[] {
      return (dueToSettle.all(nowMs, limit) as Array<{ id: string }>).map((r) => r.id);
    },
    /** Signals created since `sinceMs` with their results, oldest first (the channel's CSV). */
    listSignalsForExport(sinceMs: number): SignalExportRow[] {
      return exportSignals.all(sinceMs) as SignalExportRow[];
    },
    /** Traders due a weekly summary for the week before `weekMs` (with a close in it). */
    listWeeklyDue(weekMs: number, fromMs: number, limit: number): number[] {
      return (weeklyDue.all({ week: weekMs, from: fromMs, limit }) as Array<{ id: number }>).map((r) => r.id);
    },
    markWeeklySent(userId: number, weekMs: number): void {
      weeklySent.run(weekMs, userId);
    },
    setWeeklySummary(userId: number, on: boolean): void {
      setWeekly.run(on ? 1 : 0, userId);
    },
    weeklySummaryOn(userId: number): boolean {
      return (getWeekly.get(userId) as { weekly_summary: number } | undefined)?.weekly_summary === 1;
    },
  };
}

export type TrackRecordQueries = ReturnType<typeof trackRecordQueries>;
