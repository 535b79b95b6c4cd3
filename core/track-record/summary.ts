import { maxDrawdownR } from "./drawdown.ts";
import type { SignalOutcome } from "./outcomes.ts";
import { isWin } from "./result.ts";

/** One closed signal's result, in the order of the equity curve. */
export interface ClosedSignal {
  id: string;
  symbol: string;
  /** Close time of its last position (epoch ms). */
  closedMs: number;
  r: number;
  profit: number;
}

export interface SymbolRow {
  symbol: string;
  signals: number;
  closed: number;
  wins: number;
  win_rate: number | null;
  total_r: number;
}

export interface MonthRow {
  /** UTC month of the signals' close, `YYYY-MM`. */
  month: string;
  closed: number;
  wins: number;
  win_rate: number | null;
  avg_r: number | null;
  total_r: number;
}

/** The unrounded aggregate; `presentTrackRecord` rounds it for the API. */
export interface TrackRecord {
  /** Every signal given, closed or not. */
  signals: number;
  /** Signals with a result and no position still open. */
  closed: number;
  wins: number;
  /** wins / closed as a fraction 0–1; null when nothing closed (no data is not 0 %). */
  win_rate: number | null;
  avg_r: number | null;
  total_r: number;
  max_drawdown_r: number;
  /** Cumulative R after each closed signal, by close time (ties by id). `t` is epoch ms. */
  equity_r: Array<{ t: number; r: number }>;
  /** Sum of the closed positions' profit (account currency) of the closed signals. */
  profit: number;
  /** Cumulative profit after each closed signal, same points as `equity_r`. */
  equity_profit: Array<{ t: number; profit: number }>;
  by_symbol: SymbolRow[];
  monthly: MonthRow[];
  best: ClosedSignal | null;
  worst: ClosedSignal | null;
}

/** The UTC month of `ms` as `YYYY-MM`, and when the next one starts (epoch ms). */
function monthAt(ms: number): { key: string; endMs: number } {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return { key: `${year}-${String(month + 1).padStart(2, "0")}`, endMs: Date.UTC(year, month + 1, 1) };
}

/**
 * The record over signal outcomes (fast: one pass over the signals, a sort of the closed ones by
 * close time, ties by id). Only closed outcomes count in closed, wins, R, the curves and the
 * monthly table; every outcome counts in `signals` and its symbol's `signals`.
 */
export function summarizeTrackRecord(outcomes: readonly SignalOutcome[]): TrackRecord {
  const closed: ClosedSignal[] = [];
  const bySymbol = new Map<string, SymbolRow>();
  for (const outcome of outcomes) {
    let row = bySymbol.get(outcome.symbol);
    if (!row) {
      row = { symbol: outcome.symbol, signals: 0, closed: 0, wins: 0, win_rate: null, total_r: 0 };
      bySymbol.set(outcome.symbol, row);
    }
    row.signals++;
    if (!outcome.closed || outcome.r === null) continue;
    const r = outcome.r;
    closed.push({ id: outcome.id, symbol: outcome.symbol, closedMs: outcome.closedMs ?? 0, r, profit: outcome.profit });
    row.closed++;
    row.total_r += r;
    if (isWin(r)) row.wins++;
  }
  closed.sort((a, b) => a.closedMs - b.closedMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  let cumulativeR = 0;
  let cumulativeProfit = 0;
  let wins = 0;
  let best: ClosedSignal | null = null;
  let worst: ClosedSignal | null = null;
  const equityR: TrackRecord["equity_r"] = [];
  const equityProfit: TrackRecord["equity_profit"] = [];
  const months = new Map<string, MonthRow>();
  // Closed signals are in time order: the month changes rarely, so dates are made once per month.
  let month: MonthRow | null = null;
  let monthEndMs = Number.NEGATIVE_INFINITY;
  for (const c of closed) {
    cumulativeR += c.r;
    cumulativeProfit += c.profit;
    equityR.push({ t: c.closedMs, r: cumulativeR });
    equityProfit.push({ t: c.closedMs, profit: cumulativeProfit });
    const win = isWin(c.r);
    if (win) wins++;
    if (best === null || c.r > best.r) best = c;
    if (worst === null || c.r < worst.r) worst = c;
    if (month === null || c.closedMs >= monthEndMs) {
      const at = monthAt(c.closedMs);
      monthEndMs = at.endMs;
      month = { month: at.key, closed: 0, wins: 0, win_rate: null, avg_r: null, total_r: 0 };
      months.set(at.key, month);
    }
    month.closed++;
    month.total_r += c.r;
    if (win) month.wins++;
  }
  for (const month of months.values()) {
    month.win_rate = month.wins / month.closed;
    month.avg_r = month.total_r / month.closed;
  }
  for (const row of bySymbol.values()) row.win_rate = row.closed > 0 ? row.wins / row.closed : null;

  return {
    signals: outcomes.length,
    closed: closed.length,
    wins,
    win_rate: closed.length > 0 ? wins / closed.length : null,
    avg_r: closed.length > 0 ? cumulativeR / closed.length : null,
    total_r: cumulativeR,
    max_drawdown_r: maxDrawdownR(closed.map((c) => c.r)),
    equity_r: equityR,
    profit: cumulativeProfit,
    equity_profit: equityProfit,
    by_symbol: [...bySymbol.values()].sort((a, b) => b.signals - a.signals || a.symbol.localeCompare(b.symbol)),
    monthly: [...months.values()].sort((a, b) => a.month.localeCompare(b.month)),
    best,
    worst,
  };
}
