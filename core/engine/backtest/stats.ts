import { summarizeTrackRecord } from "../../track-record/summary.ts";
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
  /** Cumulative R after each trade, at its exit time, from 0 at the first entry. */
  equity: Array<{ t: number; r: number }>;
}

/**
 * Win rate, average and total R, max drawdown in R and the equity curve: the track record's own
 * maths (`summarizeTrackRecord`), each trade a closed signal, so a backtest and the channel's
 * record can never disagree on what these numbers mean.
 */
export function backtestStats(trades: readonly BacktestTrade[]): BacktestStats {
  const record = summarizeTrackRecord(
    trades.map((trade, i) => ({
      // Zero-padded so that trades closing in the same candle keep their order (ties sort by id).
      id: String(i).padStart(9, "0"),
      symbol: "",
      closed: true,
      r: trade.r,
      closedMs: trade.exitMs,
      profit: 0,
    })),
  );
  return {
    trades: trades.length,
    wins: record.wins,
    winRate: record.win_rate,
    avgR: record.avg_r,
    totalR: record.total_r,
    maxDrawdownR: record.max_drawdown_r,
    equity: trades.length > 0 ? [{ t: trades[0]!.entryMs, r: 0 }, ...record.equity_r] : [],
  };
}
