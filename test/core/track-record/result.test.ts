import { describe, expect, it } from "vitest";
import { isWin, maxDrawdownR, positionR, signalResult } from "../../../core/track-record/index.ts";

describe("signalResult (R of one signal)", () => {
  it("BUY: (close − fill) / |entry − stop|", () => {
    // entry 1.1000, stop 1.0980 → 20 pips of risk; filled 1.1000, closed 1.1030 → +30 pips = +1.5 R.
    const result = signalResult({ side: "BUY", entry: 1.1, stopLoss: 1.098 }, [{ volume: 1, fill: 1.1, close: 1.103 }]);
    expect(result.r).toBeCloseTo(1.5, 9);
    expect(result.closed).toBe(true);
  });

  it("SELL: signed by side, slippage on the fill counts", () => {
    // entry 1.2000, stop 1.2050 → 50 pips; filled 1.2002 (2 pips better for a sell), closed 1.1900
    // → −1 × (1.1900 − 1.2002) / 0.0050 = 0.0102 / 0.0050 = +2.04 R.
    const result = signalResult({ side: "SELL", entry: 1.2, stopLoss: 1.205 }, [
      { volume: 1, fill: 1.2002, close: 1.19 },
    ]);
    expect(result.r).toBeCloseTo(2.04, 9);
  });

  it("a loss at the stop is −1 R, and worse with slippage", () => {
    const sell = { side: "SELL" as const, entry: 1.2, stopLoss: 1.205 };
    expect(signalResult(sell, [{ volume: 1, fill: 1.2, close: 1.205 }]).r).toBeCloseTo(-1, 9);
    // BUY 100 / stop 98, filled 100.5 (slipped), stopped at 98 → (98 − 100.5) / 2 = −1.25 R.
    expect(positionR({ side: "BUY", entry: 100, stopLoss: 98 }, 100.5, 98)).toBeCloseTo(-1.25, 9);
  });

  it("partial legs weigh by volume", () => {
    // BUY 100 / stop 98 (risk 2). Leg 1: 0.3 lots, fill 100.1 → TP 102: 1.9 / 2 = +0.95 R.
    // Leg 2: 0.1 lots, fill 100.1 → stopped 98: −2.1 / 2 = −1.05 R.
    // Weighted: (0.3 × 0.95 + 0.1 × −1.05) / 0.4 = (0.285 − 0.105) / 0.4 = +0.45 R.
    const result = signalResult({ side: "BUY", entry: 100, stopLoss: 98 }, [
      { volume: 0.3, fill: 100.1, close: 102 },
      { volume: 0.1, fill: 100.1, close: 98 },
    ]);
    expect(result.r).toBeCloseTo(0.45, 9);
    expect(result.closedVolume).toBeCloseTo(0.4, 12);
  });

  it("volume weighting across traders: 2 lots at +1 R and 1 lot at −1 R → +1/3 R", () => {
    const result = signalResult({ side: "BUY", entry: 10, stopLoss: 9 }, [
      { volume: 2, fill: 10, close: 11 },
      { volume: 1, fill: 10, close: 9 },
    ]);
    expect(result.r).toBeCloseTo(1 / 3, 9);
  });

  it("breakeven is 0 R and not a win", () => {
    const result = signalResult({ side: "BUY", entry: 10, stopLoss: 9 }, [{ volume: 1, fill: 10.2, close: 10.2 }]);
    expect(result.r).toBe(0);
    expect(isWin(result.r!)).toBe(false);
    expect(isWin(1e-12)).toBe(false);
    expect(isWin(0.01)).toBe(true);
  });

  it("no closed position → r null; one still open → not closed", () => {
    const risk = { side: "BUY" as const, entry: 10, stopLoss: 9 };
    expect(signalResult(risk, [])).toEqual({ r: null, closed: false, closedVolume: 0, openPositions: 0 });
    const partly = signalResult(risk, [
      { volume: 1, fill: 10, close: 11 },
      { volume: 1, fill: 10, close: null },
    ]);
    expect(partly.r).toBeCloseTo(1, 9);
    expect(partly.closed).toBe(false);
    expect(partly.openPositions).toBe(1);
  });

  it("zero risk (entry = stop) has no R; zero volumes are ignored", () => {
    expect(signalResult({ side: "BUY", entry: 10, stopLoss: 10 }, [{ volume: 1, fill: 10, close: 11 }]).r).toBeNull();
    expect(signalResult({ side: "BUY", entry: 10, stopLoss: 9 }, [{ volume: 0, fill: 10, close: 11 }]).r).toBeNull();
  });
});

describe("maxDrawdownR", () => {
  it("peak to trough of the cumulative curve, starting from 0", () => {
    // +1, −2, +0.5, −1 → curve 1, −1, −0.5, −1.5: peak 1 → trough −1.5 = 2.5 R.
    expect(maxDrawdownR([1, -2, 0.5, -1])).toBeCloseTo(2.5, 9);
    // −1, −1, +3, −0.5 → curve −1, −2, 1, 0.5: start 0 → −2 = 2 R (later 1 → 0.5 is only 0.5).
    expect(maxDrawdownR([-1, -1, 3, -0.5])).toBeCloseTo(2, 9);
    expect(maxDrawdownR([1, 2, 0])).toBe(0);
    expect(maxDrawdownR([])).toBe(0);
  });
});
