import type { Side } from "../types.ts";
import { maxDrawdownR } from "./drawdown.ts";
import { isWin, riskDistance, sideSign } from "./result.ts";

/** A signal as the track record needs it (one row of the signals table). */
export interface TrackSignal {
  id: string;
  symbol: string;
  side: Side;
  entry: number;
  stopLoss: number;
}

/**
 * One position (a fire's leg, or a partial close of it) as stored, flat, with its signal's id: the
 * shape a `SELECT … FROM bridge_commands JOIN fires` returns, so no grouping is needed upstream.
 */
export interface TrackPosition {
  signalId: string;
  volume: number;
  fill: number;
  /** Null while open. */
  close: number | null;
  /** When it closed (epoch ms); null while open. */
  closedMs: number | null;
  /** Realised profit in the account currency, when the terminal reported it. */
  profit?: number | null;
}

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

interface Accumulator {
  signal: TrackSignal;
  sign: number;
  weighted: number;
  closedVolume: number;
  open: number;
  lastClosedMs: number;
  profit: number;
}

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/**
 * The track record of `signals` from their positions, in ONE pass over `positions` (which may be
 * a million rows, in any order) and one over the signals, then a sort of the closed ones by time.
 * Per-signal R follows `signalResult` exactly (see result.ts for the edge cases); positions of a
 * signal not in `signals`, with volume ≤ 0 or non-finite prices are ignored.
 *
 * The same function serves the channel (all positions) and one trader (that trader's positions
 * only: then R is the trader's own fills, and `profit` their money).
 */
export function aggregateTrackRecord(signals: readonly TrackSignal[], positions: Iterable<TrackPosition>): TrackRecord {
  const accumulators = new Map<string, Accumulator>();
  for (const signal of signals) {
    accumulators.set(signal.id, {
      signal,
      sign: sideSign(signal.side),
      weighted: 0,
      closedVolume: 0,
      open: 0,
      lastClosedMs: Number.NEGATIVE_INFINITY,
      profit: 0,
    });
  }
  for (const p of positions) {
    const acc = accumulators.get(p.signalId);
    if (acc === undefined || !(p.volume > 0) || !Number.isFinite(p.fill)) continue;
    if (p.close === null) {
      acc.open++;
      continue;
    }
    if (!Number.isFinite(p.close)) continue;
    acc.weighted += p.volume * acc.sign * (p.close - p.fill);
    acc.closedVolume += p.volume;
    if (p.closedMs !== null && p.closedMs > acc.lastClosedMs) acc.lastClosedMs = p.closedMs;
    if (typeof p.profit === "number" && Number.isFinite(p.profit)) acc.profit += p.profit;
  }

  const closed: ClosedSignal[] = [];
  const bySymbol = new Map<string, SymbolRow>();
  for (const acc of accumulators.values()) {
    const { signal } = acc;
    let row = bySymbol.get(signal.symbol);
    if (!row) {
      row = { symbol: signal.symbol, signals: 0, closed: 0, wins: 0, win_rate: null, total_r: 0 };
      bySymbol.set(signal.symbol, row);
    }
    row.signals++;
    const distance = riskDistance(signal);
    if (distance === null || acc.closedVolume <= 0 || acc.open > 0) continue;
    const r = acc.weighted / acc.closedVolume / distance;
    const closedMs = Number.isFinite(acc.lastClosedMs) ? acc.lastClosedMs : 0;
    closed.push({ id: signal.id, symbol: signal.symbol, closedMs, r, profit: acc.profit });
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
  for (const c of closed) {
    cumulativeR += c.r;
    cumulativeProfit += c.profit;
    equityR.push({ t: c.closedMs, r: cumulativeR });
    equityProfit.push({ t: c.closedMs, profit: cumulativeProfit });
    const win = isWin(c.r);
    if (win) wins++;
    if (best === null || c.r > best.r) best = c;
    if (worst === null || c.r < worst.r) worst = c;
    const key = monthOf(c.closedMs);
    let month = months.get(key);
    if (!month) {
      month = { month: key, closed: 0, wins: 0, win_rate: null, avg_r: null, total_r: 0 };
      months.set(key, month);
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
    signals: signals.length,
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
