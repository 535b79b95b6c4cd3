import type { ReportLeg, TrackPosition } from "../../../core/track-record/index.ts";
import type { SignalResultRow, TrackSignalRow } from "./types.ts";

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
