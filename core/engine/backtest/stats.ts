import { maxDrawdownR } from "../../track-record/drawdown.ts";
import { isWin } from "../../track-record/result.ts";
import type { BacktestTrade } from "./simulate.ts";

/** The backtest's summary, unrounded; the CLI prints R to 2 decimals. */
export interface BacktestStats {
  trades: number;
  wins: number;
  /** Fraction 0–1 (breakeven is not a win); null without trades. */
  winRate: number | null;
  avgR: number | null;
  totalR: number;
  maxDrawdownR: number;
  /** Cumulative R after each trade, at its exit time. Starts at 0 at the first entry. */
  equity: Array<{ t: number; r: number }>;
}

/** Win rate, average and total R, max drawdown in R and the equity curve — the track record's maths. */
export function backtestStats(trades: readonly BacktestTrade[]): BacktestStats {
  const equity: BacktestStats["equity"] = trades.length > 0 ? [{ t: trades[0]!.entryMs, r: 0 }] : [];
  let total = 0;
  let wins = 0;
  for (const trade of trades) {
    total += trade.r;
    if (isWin(trade.r)) wins++;
    equity.push({ t: trade.exitMs, r: total });
  }
  return {
    trades: trades.length,
    wins,
    winRate: trades.length > 0 ? wins / trades.length : null,
    avgR: trades.length > 0 ? total / trades.length : null,
    totalR: total,
    maxDrawdownR: maxDrawdownR(trades.map((t) => t.r)),
    equity,
  };
}
