import { describe, expect, it } from "vitest";
import {
  bracket,
  CandleSeries,
  evaluateStrategy,
  runBacktest,
  type SignalDraft,
  type Strategy,
  StrategyError,
  toTick,
} from "../../../core/engine/index.ts";
import { DEFAULT_SPECS } from "../../../core/instruments/index.ts";
import { candles, EURUSD } from "./series.ts";

const XAUUSD = DEFAULT_SPECS.get("XAUUSD")!;

/** A scripted strategy for the simulation rules: proposes `draft` on the candle at `atIndex`. */
function scripted(atIndex: number, draft: Partial<SignalDraft>): Strategy {
  return {
    name: "scripted",
    timeframe: 5,
    warmup: 1,
    params: {},
    evaluate: ({ candles: w }) =>
      w.length === atIndex + 1
        ? {
            side: "BUY",
            entry: 1.1,
            stopLoss: 1.099,
            takeProfits: [1.102],
            confidence: 50,
            quality: 5,
            qualityNotes: ["scripted"],
            pattern: "TEST",
            session: "LONDON",
            setupKey: "k",
            ...draft,
          }
        : null,
  };
}

describe("prices on the tick grid", () => {
  it("rounds a stop away from entry and targets to the nearest tick, with the symbol's digits", () => {
    // XAUUSD, tick 0.01: BUY 2034.567 → entry 2034.57; stop 2030.123 floors to 2030.12; risk 4.45;
    // 1.5 R in whole ticks: 1.5 × 445 = 667.5 → 668 ticks → 2041.25 (computed in integer ticks, so
    // binary noise in 4.45 cannot turn it into 2041.24).
    expect(bracket("BUY", 2034.567, 2030.123, [1.5], XAUUSD)).toEqual({
      entry: 2034.57,
      stopLoss: 2030.12,
      takeProfits: [2041.25],
    });
    expect(bracket("SELL", 2034.567, 2038.001, [1], XAUUSD)).toEqual({
      entry: 2034.57,
      stopLoss: 2038.01,
      takeProfits: [2031.13],
    });
    expect(bracket("BUY", 1.1, 1.1, [1], EURUSD)).toBeNull();
    expect(toTick(1.0831200000000001, EURUSD, "floor")).toBe(1.08312);
  });

  it("a draft off the grid or with its stop on the wrong side breaks the plugin contract", () => {
    const w = new CandleSeries(candles([[1.1, 1.1, 1.1, 1.1]])).windowTo(1);
    expect(() => evaluateStrategy(scripted(0, { stopLoss: 1.099005 }), w, EURUSD, 0)).toThrow(StrategyError);
    expect(() => evaluateStrategy(scripted(0, { stopLoss: 1.101 }), w, EURUSD, 0)).toThrow(/stop on the wrong side/);
    expect(() => evaluateStrategy(scripted(0, { quality: 11 }), w, EURUSD, 0)).toThrow(/quality 11 outside 0–10/);
  });
});

describe("backtest fills", () => {
  it("a candle reaching both the stop and the target counts as stopped (the conservative reading)", () => {
    const series = candles([
      [1.1, 1.1, 1.1, 1.1],
      [1.1, 1.103, 1.0985, 1.1],
    ]);
    const [trade] = runBacktest({ strategy: scripted(0, {}), candles: series, spec: EURUSD });
    expect(trade!.legs).toEqual([{ target: 1.102, price: 1.099, t: series[1]!.t, reason: "stop" }]);
    expect(trade!.r).toBe(-1);
  });

  it("a candle opening beyond the stop exits at its open (a gap costs more than 1 R)", () => {
    const series = candles([
      [1.1, 1.1, 1.1, 1.1],
      [1.0985, 1.0987, 1.098, 1.0982],
    ]);
    const [trade] = runBacktest({ strategy: scripted(0, {}), candles: series, spec: EURUSD });
    // (1.0985 − 1.1) / 0.001 = −1.5 R.
    expect(trade!.legs[0]!.price).toBe(1.0985);
    expect(trade!.r).toBeCloseTo(-1.5, 9);
  });

  it("a SELL exits at the ask: the spread triggers its stop before the bid reaches it", () => {
    const series = candles([
      [1.099, 1.099, 1.099, 1.099],
      [1.099, 1.0995, 1.0992, 1.0994],
      [1.0994, 1.0999, 1.0993, 1.0995],
    ]);
    const sell = scripted(0, { side: "SELL", stopLoss: 1.1, entry: 1.099, takeProfits: [1.097] });
    // SELL filled at the bid 1.099. Candle 1: ask high 1.0995 + 0.0002 = 1.0997 < stop 1.1000.
    // Candle 2: bid high 1.0999 never reaches 1.1000, but the ask 1.1001 does → stopped at 1.1: −1 R.
    const [trade] = runBacktest({ strategy: sell, candles: series, spec: EURUSD, spread: 0.0002 });
    expect(trade!.legs[0]).toMatchObject({ reason: "stop", price: 1.1, t: series[2]!.t });
    expect(trade!.r).toBeCloseTo(-1, 9);
  });
});
