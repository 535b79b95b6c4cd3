import { signalResult } from "../../track-record/result.ts";
import type { InstrumentSpec, Side } from "../../types.ts";
import { type Candle, CandleSeries } from "../candles.ts";
import { createDedup, dedupKey } from "../dedup.ts";
import { evaluateStrategy } from "../evaluate.ts";
import type { SignalDraft, Strategy } from "../strategy.ts";

/** How one take-profit leg ended. */
export interface LegExit {
  /** Its target. */
  target: number;
  price: number;
  /** Open time of the candle it exited in (epoch ms). */
  t: number;
  reason: "target" | "stop" | "end";
}

/** One simulated trade: the draft, its fill, its legs' exits and its result in R. */
export interface BacktestTrade {
  draft: SignalDraft;
  side: Side;
  /** Close time of the candle it was proposed on = its entry time (epoch ms). */
  entryMs: number;
  /** Entry price paid: the draft's entry, plus the spread for a BUY (bought at the ask). */
  fill: number;
  legs: LegExit[];
  /** Close of its last leg (epoch ms). */
  exitMs: number;
  /** As the track record defines it: volume-weighted mean over legs of (exit − fill) / |entry − stop|. */
  r: number;
}

export interface BacktestOptions {
  strategy: Strategy;
  candles: readonly Candle[];
  spec: InstrumentSpec;
  /** Spread in price units (ask − bid), constant; candles are bid. Default 0. */
  spread?: number;
  /** Minutes per candle of the file (default: the strategy's timeframe); sets entry times. */
  candleMinutes?: number;
}

type OpenTrade = { draft: SignalDraft; entryMs: number; fill: number; legs: Array<LegExit | null> };

/**
 * Exits of an open trade within candle `c`. Candles are bid: a BUY exits by selling at the bid,
 * a SELL by buying at the ask (bid + spread). Within one candle the stop is assumed hit before any
 * target (the conservative reading of an OHLC bar); a candle that opens beyond the stop exits at
 * its open (a gap), a target fills at its price (a limit order).
 */
function manage(trade: OpenTrade, c: Candle, spread: number): void {
  const buy = trade.draft.side === "BUY";
  const high = buy ? c.high : c.high + spread;
  const low = buy ? c.low : c.low + spread;
  const open = buy ? c.open : c.open + spread;
  const stop = trade.draft.stopLoss;
  const stopped = buy ? low <= stop : high >= stop;
  trade.legs.forEach((leg, i) => {
    if (leg) return;
    const target = trade.draft.takeProfits[i]!;
    if (stopped) {
      const price = buy ? Math.min(stop, open) : Math.max(stop, open);
      trade.legs[i] = { target, price, t: c.t, reason: "stop" };
    } else if (buy ? high >= target : low <= target) {
      trade.legs[i] = { target, price: target, t: c.t, reason: "target" };
    }
  });
}

function finish(trade: OpenTrade, legs: LegExit[]): BacktestTrade {
  const { draft } = trade;
  const volume = 1 / legs.length; // equal legs, as the bridge splits a fire across take-profits
  const result = signalResult(
    { side: draft.side, entry: draft.entry, stopLoss: draft.stopLoss },
    legs.map((leg) => ({ volume, fill: trade.fill, close: leg.price })),
  );
  const r = Number((result.r ?? 0).toFixed(12)); // binary noise only; R is rounded at presentation
  return {
    draft,
    side: draft.side,
    entryMs: trade.entryMs,
    fill: trade.fill,
    legs,
    exitMs: Math.max(...legs.map((l) => l.t)),
    r,
  };
}

/**
 * Replays `candles` bar by bar through the same `evaluateStrategy` the live engine uses: at each
 * candle close the strategy sees the candles up to and including it (a window that structurally
 * ends there), and a draft becomes a trade filled at that close. One trade at a time; each
 * take-profit is an equal leg; the stop is not moved; a trade still open at the end exits at the
 * last close (`reason: "end"`). The same setup is never traded twice (the engine's dedup key).
 */
export function runBacktest(options: BacktestOptions): BacktestTrade[] {
  const { strategy, spec } = options;
  const spread = options.spread ?? 0;
  const candleMs = (options.candleMinutes ?? strategy.timeframe) * 60_000;
  const series = new CandleSeries(options.candles);
  const dedup = createDedup(Number.POSITIVE_INFINITY);
  const trades: BacktestTrade[] = [];
  let open: OpenTrade | null = null;
  for (let i = 0; i < options.candles.length; i++) {
    const candle = options.candles[i]!;
    if (open) {
      manage(open, candle, spread);
      if (open.legs.every((l) => l !== null)) {
        trades.push(finish(open, open.legs as LegExit[]));
        open = null;
      }
    }
    if (open) continue;
    const nowMs = candle.t + candleMs;
    const draft = evaluateStrategy(strategy, series.windowTo(i + 1), spec, nowMs);
    if (!draft || !dedup.claim(dedupKey(strategy.name, spec.symbol, draft.side, draft.setupKey))) continue;
    const fill = draft.side === "BUY" ? draft.entry + spread : draft.entry;
    open = { draft, entryMs: nowMs, fill, legs: draft.takeProfits.map(() => null) };
  }
  if (open) {
    const last = options.candles[options.candles.length - 1]!;
    const exit = open.draft.side === "BUY" ? last.close : last.close + spread;
    const legs = open.legs.map(
      (leg, i) => leg ?? { target: open!.draft.takeProfits[i]!, price: exit, t: last.t, reason: "end" as const },
    );
    trades.push(finish(open, legs));
  }
  return trades;
}
