import { describe, expect, it } from "vitest";
import {
  backtestStats,
  CandleCsvError,
  createLiquiditySweep,
  parseCandlesCsv,
  runBacktest,
} from "../../../core/engine/index.ts";
import { backtestSeries, EURUSD } from "./series.ts";

describe("runBacktest on a hand-built series (liquidity-sweep, spread 1 pip)", () => {
  const trades = runBacktest({
    strategy: createLiquiditySweep(),
    candles: backtestSeries(),
    spec: EURUSD,
    spread: 0.0001,
  });

  it("finds the two known trades", () => {
    expect(
      trades.map((t) => [t.side, t.draft.entry, t.fill, t.draft.stopLoss, t.legs.map((l) => [l.reason, l.price])]),
    ).toEqual([
      // BUY filled at the ask: 1.0996 + 0.0001 = 1.0997. Legs: 1.10305 on candle 20, 1.1065 on 21.
      [
        "BUY",
        1.0996,
        1.0997,
        1.0973,
        [
          ["target", 1.10305],
          ["target", 1.1065],
        ],
      ],
      // SELL filled at the bid 1.1064; candle 37's ask high 1.1091 ≥ stop 1.1087: both legs out at 1.1087.
      [
        "SELL",
        1.1064,
        1.1064,
        1.1087,
        [
          ["stop", 1.1087],
          ["stop", 1.1087],
        ],
      ],
    ]);
  });

  it("computes R, win rate, average, total and drawdown as worked by hand", () => {
    // Trade 1 (risk |1.0996 − 1.0973| = 0.0023): legs (1.10305 − 1.0997) / 0.0023 = 1.456522 and
    // (1.1065 − 1.0997) / 0.0023 = 2.956522 → mean 2.206522 R.
    // Trade 2: −(1.1087 − 1.1064) / 0.0023 = −1 R.
    expect(trades[0]!.r).toBeCloseTo(2.206522, 6);
    expect(trades[1]!.r).toBeCloseTo(-1, 9);
    const stats = backtestStats(trades);
    // 2 trades, 1 win → 50 %; total 1.206522, average 0.603261; curve 0 → 2.2065 → 1.2065: 1 R drawdown.
    expect(stats).toMatchObject({ trades: 2, wins: 1, winRate: 0.5 });
    expect(stats.totalR).toBeCloseTo(1.206522, 6);
    expect(stats.avgR).toBeCloseTo(0.603261, 6);
    expect(stats.maxDrawdownR).toBeCloseTo(1, 9);
    expect(stats.equity.map((p) => Number(p.r.toFixed(4)))).toEqual([0, 2.2065, 1.2065]);
  });

  it("a trade still open at the end exits at the last close", () => {
    const cut = backtestSeries().slice(0, 21); // candle 20 takes the first target only
    const [open] = runBacktest({ strategy: createLiquiditySweep(), candles: cut, spec: EURUSD });
    // Leg 1 at 1.10305: (1.10305 − 1.0996) / 0.0023 = 1.5; leg 2 at candle 20's close 1.103: 1.478261.
    expect(open!.legs.map((l) => l.reason)).toEqual(["target", "end"]);
    expect(open!.r).toBeCloseTo((1.5 + 0.0034 / 0.0023) / 2, 9);
  });
});

describe("parseCandlesCsv", () => {
  it("reads ISO, zoneless (UTC) and epoch times, with or without volume", () => {
    const csv =
      "time,open,high,low,close,volume\n2026-11-20T09:00:00Z,1.1,1.2,1.0,1.15,10\n2026-11-20 09:05,1.15,1.2,1.1,1.12\n# comment\n1795165800,1.1,1.1,1.1,1.1\n";
    expect(parseCandlesCsv(csv)).toEqual([
      { t: Date.parse("2026-11-20T09:00:00Z"), open: 1.1, high: 1.2, low: 1, close: 1.15, volume: 10 },
      { t: Date.parse("2026-11-20T09:05:00Z"), open: 1.15, high: 1.2, low: 1.1, close: 1.12, volume: 0 },
      { t: 1795165800_000, open: 1.1, high: 1.1, low: 1.1, close: 1.1, volume: 0 },
    ]);
  });

  it("names the line and the field of the first bad value", () => {
    const bad = (text: string) => {
      try {
        parseCandlesCsv(text);
      } catch (err) {
        return err instanceof CandleCsvError ? err.message : String(err);
      }
      return "no error";
    };
    expect(bad("2026-11-20T09:00:00Z,1.1,1.0,1.0,1.05")).toBe("line 1: high: 1 is below open, close or low");
    expect(bad("t,1,1,1,1")).toMatch(/^line 1: time: "t" is neither/);
    expect(bad("1795165800,1,1,1,x")).toBe('line 1: close: "x" is not a number');
    expect(bad("1795165800,1,1,1,1\n1795165800,1,1,1,1")).toBe("line 2: time: times must increase strictly");
    expect(bad("1795165800,1,1,1")).toMatch(/^line 1: columns: expected 5 or 6/);
  });
});
