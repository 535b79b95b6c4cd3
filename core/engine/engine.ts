import type { InstrumentSpec } from "../types.ts";
import {
  type AggregatorOptions,
  type ClosedCandle,
  createCandleAggregator,
  type PriceTick,
  type SymbolHealth,
} from "./aggregator.ts";
import { MINUTE_MS } from "./candles.ts";
import { createDedup, type Dedup, dedupKey } from "./dedup.ts";
import { evaluateStrategy } from "./evaluate.ts";
import type { SignalDraft, Strategy } from "./strategy.ts";

/** A draft with where it came from: what the store turns into a `status: "draft"` signal. */
export interface EngineDraft extends SignalDraft {
  /** `source` of the signal is `engine:<strategy>`. */
  strategy: string;
  symbol: string;
  timeframe: number;
  dedupKey: string;
  /** Close time of the candle it was proposed on (epoch ms). */
  createdMs: number;
}

export interface SignalEngineOptions extends Omit<AggregatorOptions, "timeframes"> {
  strategies: readonly Strategy[];
  /** The instrument spec of a symbol (built-in or terminal-reported); null: the symbol is skipped. */
  specFor: (symbol: string) => InstrumentSpec | null;
  /** Setups already proposed (default: an in-memory dedup of 10,000 keys). */
  dedup?: Dedup;
  /** A strategy that throws is reported here and skipped; the others still run. Default: rethrow. */
  onStrategyError?: (strategy: string, symbol: string, error: unknown) => void;
}

/**
 * The live signal engine, pure: ticks in, drafts out. Candles are built per symbol (M1 and each
 * strategy's timeframe); when a candle of a strategy's timeframe closes and the symbol is not
 * paused by a gap, the strategy runs on the closed candles (via `evaluateStrategy`, as in the
 * backtest), and a draft whose dedup key was never claimed is returned.
 */
export function createSignalEngine(options: SignalEngineOptions) {
  const capacity = options.capacity ?? 600;
  for (const s of options.strategies) {
    if (s.warmup > capacity)
      throw new RangeError(`strategy ${s.name} needs ${s.warmup} candles, capacity is ${capacity}`);
  }
  const aggregator = createCandleAggregator({
    ...options,
    capacity,
    timeframes: options.strategies.map((s) => s.timeframe),
  });
  const dedup = options.dedup ?? createDedup();

  function run(closed: readonly ClosedCandle[], nowMs: number): EngineDraft[] {
    const drafts: EngineDraft[] = [];
    for (const { symbol, timeframe, candle } of closed) {
      if (aggregator.health(symbol, nowMs)?.paused !== false) continue;
      const spec = options.specFor(symbol);
      if (!spec) continue;
      const candles = aggregator.window(symbol, timeframe)!;
      const closeMs = candle.t + timeframe * MINUTE_MS;
      for (const strategy of options.strategies) {
        if (strategy.timeframe !== timeframe) continue;
        let draft: SignalDraft | null;
        try {
          draft = evaluateStrategy(strategy, candles, spec, closeMs);
        } catch (err) {
          if (!options.onStrategyError) throw err;
          options.onStrategyError(strategy.name, symbol, err);
          continue;
        }
        if (!draft) continue;
        const key = dedupKey(strategy.name, symbol, draft.side, draft.setupKey);
        if (!dedup.claim(key)) continue;
        drafts.push({ ...draft, strategy: strategy.name, symbol, timeframe, dedupKey: key, createdMs: closeMs });
      }
    }
    return drafts;
  }

  return {
    /** One price in; the drafts proposed on the candles it closed. */
    onTick(tick: PriceTick): EngineDraft[] {
      return run(aggregator.onTick(tick), tick.time);
    },
    /** The clock moved to `nowMs`: close due candles (quiet minutes), propose on them. */
    advance(nowMs: number): EngineDraft[] {
      return run(aggregator.advance(nowMs), nowMs);
    },
    /** Per symbol, live or paused and why: for `/health`. */
    health(nowMs: number): SymbolHealth[] {
      return aggregator.symbols().map((symbol) => aggregator.health(symbol, nowMs)!);
    },
    aggregator,
    dedup,
  };
}

export type SignalEngine = ReturnType<typeof createSignalEngine>;
