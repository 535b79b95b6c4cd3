import { describe, expect, it } from "vitest";
import {
  createLiquiditySweep,
  createSignalEngine,
  LookaheadError,
  runBacktest,
  type Strategy,
} from "../../../core/engine/index.ts";
import { backtestSeries, EURUSD, sweepSeries, ticksOf } from "./series.ts";

/** A strategy that cheats: it buys when the NEXT candle closes higher. */
const peeking: Strategy = {
  name: "peeking",
  timeframe: 5,
  warmup: 1,
  params: {},
  evaluate({ candles }) {
    const next = candles.close(candles.length); // the future
    return next > candles.close(candles.length - 1)
      ? {
          side: "BUY",
          entry: candles.close(candles.length - 1),
          stopLoss: 1,
          takeProfits: [2],
          confidence: 100,
          quality: 10,
          qualityNotes: ["I know the future"],
          pattern: "CHEAT",
          session: "LONDON",
          setupKey: String(candles.length),
        }
      : null;
  },
};

describe("no lookahead", () => {
  it("a strategy that reads the next candle is caught in the backtest", () => {
    expect(() => runBacktest({ strategy: peeking, candles: backtestSeries(), spec: EURUSD })).toThrow(LookaheadError);
  });

  it("… and in the live engine, where it is reported and skipped", () => {
    const errors: unknown[] = [];
    const engine = createSignalEngine({
      strategies: [{ ...peeking, timeframe: 1 }],
      specFor: () => EURUSD,
      onStrategyError: (_name, _symbol, err) => errors.push(err),
    });
    for (const t of ticksOf(sweepSeries(1))) engine.onTick(t);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e instanceof LookaheadError)).toBe(true);
  });

  it("every call sees exactly the candles closed by `now`, the last one included", () => {
    const seen: Array<{ length: number; lastCloseMs: number; nowMs: number }> = [];
    const inner = createLiquiditySweep();
    const recording: Strategy = {
      ...inner,
      evaluate(input) {
        seen.push({
          length: input.candles.length,
          lastCloseMs: input.candles.time(input.candles.length - 1) + 5 * 60_000,
          nowMs: input.nowMs,
        });
        return inner.evaluate(input);
      },
    };
    const series = backtestSeries();
    runBacktest({ strategy: recording, candles: series, spec: EURUSD });
    expect(seen.length).toBeGreaterThan(10);
    for (const call of seen) {
      expect(call.lastCloseMs).toBe(call.nowMs);
      expect(series[call.length - 1]!.t + 5 * 60_000).toBe(call.nowMs);
    }
  });
});
