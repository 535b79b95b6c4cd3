import type { MonthRow, SymbolRow, TrackRecord } from "./summary.ts";

/** Rounds R (and money) to 2 decimals, the only place rounding happens. */
export const round2 = (x: number) => Math.round((x + Number.EPSILON * Math.sign(x)) * 100) / 100;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const maybe = (x: number | null, round: (x: number) => number) => (x === null ? null : round(x));

/** `GET /api/track-record` body (contract "Track record"), from an unrounded record. */
export interface TrackRecordBody {
  days: number | null;
  signals: number;
  closed: number;
  /** Fraction 0–1, 4 decimals; null when nothing closed. */
  win_rate: number | null;
  avg_r: number | null;
  total_r: number;
  max_drawdown_r: number;
  /** `t` is the ISO time the signal closed; `r` the cumulative R after it. */
  equity_r: Array<{ t: string; r: number }>;
  by_symbol: Array<{ symbol: string; signals: number; win_rate: number | null; total_r: number }>;
  monthly: Array<{ month: string; closed: number; win_rate: number | null; avg_r: number | null; total_r: number }>;
}

/** `GET /api/users/:id/performance` body: the same plus money. */
export interface PerformanceBody extends TrackRecordBody {
  profit: number;
  equity_profit: Array<{ t: string; profit: number }>;
  best: { signal_id: string; symbol: string; r: number } | null;
  worst: { signal_id: string; symbol: string; r: number } | null;
}

const symbolRow = (row: SymbolRow) => ({
  symbol: row.symbol,
  signals: row.signals,
  win_rate: maybe(row.win_rate, round4),
  total_r: round2(row.total_r),
});

const monthRow = (row: MonthRow) => ({
  month: row.month,
  closed: row.closed,
  win_rate: maybe(row.win_rate, round4),
  avg_r: maybe(row.avg_r, round2),
  total_r: round2(row.total_r),
});

/**
 * The API shape of a channel's record: R to 2 decimals, win rates to 4 (a fraction), times as ISO.
 * `days` echoes the query (null: all time).
 */
export function presentTrackRecord(record: TrackRecord, days: number | null): TrackRecordBody {
  return {
    days,
    signals: record.signals,
    closed: record.closed,
    win_rate: maybe(record.win_rate, round4),
    avg_r: maybe(record.avg_r, round2),
    total_r: round2(record.total_r),
    max_drawdown_r: round2(record.max_drawdown_r),
    equity_r: record.equity_r.map((p) => ({ t: new Date(p.t).toISOString(), r: round2(p.r) })),
    by_symbol: record.by_symbol.map(symbolRow),
    monthly: record.monthly.map(monthRow),
  };
}

/** The API shape of one trader's performance: the record plus profit (2 decimals), best and worst. */
export function presentPerformance(record: TrackRecord, days: number | null): PerformanceBody {
  const pick = (c: TrackRecord["best"]) => (c ? { signal_id: c.id, symbol: c.symbol, r: round2(c.r) } : null);
  return {
    ...presentTrackRecord(record, days),
    profit: round2(record.profit),
    equity_profit: record.equity_profit.map((p) => ({ t: new Date(p.t).toISOString(), profit: round2(p.profit) })),
    best: pick(record.best),
    worst: pick(record.worst),
  };
}
