import { describe, expect, it } from "vitest";
import {
  type Candle,
  CandleSeries,
  createLiquiditySweep,
  createTrendPullback,
  evaluateStrategy,
  type Strategy,
} from "../../../core/engine/index.ts";
import { EURUSD, flatSeries, mirror, PULLBACK_TEST_PARAMS, pullbackSeries, sweepSeries } from "./series.ts";

const closeOf = (series: Candle[], minutes: number) => series[series.length - 1]!.t + minutes * 60_000;
const run = (strategy: Strategy, series: Candle[], minutes = strategy.timeframe) =>
  evaluateStrategy(strategy, new CandleSeries(series).windowTo(series.length), EURUSD, closeOf(series, minutes));

describe("liquidity-sweep strategy", () => {
  const strategy = createLiquiditySweep();

  it("a sweep of the swing low that closes back above it → a BUY draft", () => {
    const draft = run(strategy, sweepSeries());
    // entry = close 1.0996; stop = low 1.0975 − 20 ticks (0.0002) = 1.0973; risk 0.0023;
    // targets 1.5 R = 1.0996 + 0.00345 = 1.10305, 3 R = 1.0996 + 0.0069 = 1.10650.
    expect(draft).toMatchObject({
      side: "BUY",
      entry: 1.0996,
      stopLoss: 1.0973,
      takeProfits: [1.10305, 1.1065],
      pattern: "LIQUIDITY_SWEEP_REVERSAL",
      session: "LONDON",
    });
    // Quality: wick (1.0992 − 1.0975) / 0.0023 = 73.9 % → 3 × (0.739 − 0.5) / 0.4 = 1.79;
    // depth 0.0005 / ATR of candles 6–19 (12 × 0.0020 + 0.0030 + 0.0025) / 14
    // = 0.24 ATR → 2; held 9 candles → 1;
    // closed 91 % up its range → 2; London → 1. Sum 7.79 → 7.8; confidence 35 + 6 × 7.8 = 82.
    expect(draft!.quality).toBe(7.8);
    expect(draft!.confidence).toBe(82);
    expect(draft!.qualityNotes).toHaveLength(5);
    expect(draft!.qualityNotes[1]).toContain("Swept the 1.098 low (09:50 UTC) by 5 pips (0.24 ATR)");
    expect(draft!.setupKey).toBe(`low@${sweepSeries()[10]!.t}`);
  });

  it("the mirror image (a sweep of a swing high) → a SELL draft", () => {
    const draft = run(strategy, mirror(sweepSeries(), 1.1));
    // entry 1.1004; stop ceil(1.1025 + 0.0002) = 1.1027; risk 0.0023 → 1.09695 and 1.0935.
    expect(draft).toMatchObject({ side: "SELL", entry: 1.1004, stopLoss: 1.1027, takeProfits: [1.09695, 1.0935] });
  });

  it("no draft when the candle closes below the swept low (a breakdown), nor one without a wick", () => {
    const breakdown = sweepSeries();
    breakdown[19] = { ...breakdown[19]!, open: 1.0992, high: 1.0993, low: 1.0975, close: 1.0977 };
    expect(run(strategy, breakdown)).toBeNull();
    const noWick = sweepSeries();
    noWick[19] = { ...noWick[19]!, open: 1.0978, high: 1.0998, low: 1.0975, close: 1.0996 };
    expect(run(strategy, noWick)).toBeNull();
  });

  it("a flat market → nothing, on every candle", () => {
    const series = flatSeries();
    for (let end = 1; end <= series.length; end++) expect(run(strategy, series.slice(0, end))).toBeNull();
  });
});

describe("trend-pullback strategy", () => {
  const strategy = createTrendPullback({ ...PULLBACK_TEST_PARAMS, timeframe: 15 });

  it("a pullback to the fast EMA in an uptrend, then a resumption candle → a BUY draft with an ATR stop", () => {
    const series = pullbackSeries();
    const draft = run(strategy, series);
    // ATR(5) = the last five true ranges: four of 0.0020 and the trigger's 0.0030 → 0.0022.
    // entry 1.129 (the trigger's close); stop 1.129 − 1.5 × 0.0022 = 1.1257; risk 0.0033;
    // targets 1 R = 1.1323, 2 R = 1.1356.
    expect(draft).toMatchObject({ side: "BUY", entry: 1.129, stopLoss: 1.1257, takeProfits: [1.1323, 1.1356] });
    expect(draft!.pattern).toBe("TREND_PULLBACK");
    expect(draft!.qualityNotes.at(-1)).toContain("1.5 × ATR (0.002200)");
    // The candle before the trigger is still falling: nothing yet.
    expect(run(strategy, series.slice(0, -1))).toBeNull();
  });

  it("the mirror image (a rally in a downtrend, then a bearish trigger) → a SELL draft", () => {
    const draft = run(strategy, mirror(pullbackSeries(), 1.1));
    expect(draft).toMatchObject({ side: "SELL", entry: 1.071, stopLoss: 1.0743, takeProfits: [1.0677, 1.0644] });
  });

  it("a flat market → nothing, on every candle", () => {
    const series = flatSeries(80, 15);
    for (let end = 1; end <= series.length; end++) expect(run(strategy, series.slice(0, end))).toBeNull();
  });

  it("with the default parameters it needs 100 candles before it says anything", () => {
    const defaults = createTrendPullback();
    expect(defaults.warmup).toBe(100);
    expect(run(defaults, pullbackSeries())).toBeNull();
  });
});
