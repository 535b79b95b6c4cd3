import { describe, expect, it } from "vitest";
import {
  isSettled,
  periodStartMs,
  periodTable,
  type ReportLeg,
  rHistogram,
  type SignalOutcome,
  signalReport,
} from "../../../core/track-record/index.ts";

const leg = (over: Partial<ReportLeg>): ReportLeg => ({
  fireId: "f1",
  fireState: "closed",
  fireCreatedMs: 1_000,
  slippagePips: 0,
  legState: "closed",
  volume: 1,
  fill: 1.1,
  close: 1.103,
  resultMs: 1_200,
  closedMs: 5_000,
  profit: 30,
  ...over,
});

describe("signalReport (the result reply's numbers)", () => {
  const buy = { side: "BUY" as const, entry: 1.1, stopLoss: 1.098 }; // 20 pips of risk

  it("R over every trader's legs by volume, counts per fire, slippage and fire→fill latency averaged", () => {
    // f1: 2 legs, 0.3 lots each, filled 1.1001 (1 pip slippage) → TP 1.1030 (+1.45 R) and 1.1050 (+2.45 R);
    // f2: 0.4 lots filled 1.1003 (3 pips) → stop 1.0980 (−1.15 R); f3 rejected; f4 expired unfilled.
    // R = (0.3 × 1.45 + 0.3 × 2.45 + 0.4 × −1.15) / 1.0 = (0.435 + 0.735 − 0.46) = 0.71 R.
    const legs = [
      leg({ fireId: "f1", volume: 0.3, fill: 1.1001, close: 1.103, slippagePips: 1, resultMs: 1_150, profit: 8.7 }),
      leg({ fireId: "f1", volume: 0.3, fill: 1.1001, close: 1.105, slippagePips: 1, resultMs: 1_180, profit: 14.7 }),
      leg({
        fireId: "f2",
        fireCreatedMs: 2_000,
        volume: 0.4,
        fill: 1.1003,
        close: 1.098,
        slippagePips: 3,
        resultMs: 2_450,
        closedMs: 9_000,
        profit: -9.2,
      }),
      leg({ fireId: "f3", fireState: "rejected", legState: "rejected", fill: null, close: null, slippagePips: null }),
      leg({ fireId: "f4", fireState: "expired", legState: "expired", fill: null, close: null, slippagePips: null }),
    ];
    const report = signalReport(buy, legs);
    expect(report.r).toBeCloseTo(0.71, 9);
    expect(report).toMatchObject({ outcome: "win", fired: 4, filled: 2, rejected: 1, open: 0, closedMs: 9_000 });
    expect(report.avgSlippagePips).toBeCloseTo(2, 9); // (1 + 3) / 2 fires
    expect(report.avgFillLatencyMs).toBeCloseTo(300, 9); // f1 150 ms (first leg), f2 450 ms
    expect(report.profit).toBeCloseTo(14.2, 9);
    expect(isSettled("expired", report)).toBe(true);
    expect(isSettled("active", report)).toBe(false);
  });

  it("a SELL stopped out is a loss of −1 R; breakeven is neither win nor loss", () => {
    const sell = { side: "SELL" as const, entry: 1.2, stopLoss: 1.205 };
    expect(signalReport(sell, [leg({ fill: 1.2, close: 1.205 })])).toMatchObject({ outcome: "loss", r: -1 });
    expect(signalReport(sell, [leg({ fill: 1.2, close: 1.2 })])).toMatchObject({ outcome: "breakeven", r: 0 });
  });

  it("an open position or a pending fire keeps the signal unsettled", () => {
    const open = signalReport(buy, [leg({ fireState: "filled", legState: "filled", close: null })]);
    expect(open).toMatchObject({ open: 1, filled: 1, r: null, outcome: "void" });
    expect(isSettled("expired", open)).toBe(false);
    const queued = signalReport(buy, [leg({ fireState: "queued", legState: "queued", fill: null, close: null })]);
    expect(isSettled("cancelled", queued)).toBe(false);
  });

  it("a signal nobody fired is void with zero counts and no averages", () => {
    const report = signalReport(buy, []);
    expect(report).toEqual({
      outcome: "void",
      r: null,
      fired: 0,
      filled: 0,
      rejected: 0,
      open: 0,
      avgSlippagePips: null,
      avgFillLatencyMs: null,
      profit: 0,
      closedMs: null,
    });
    expect(isSettled("expired", report)).toBe(true);
  });
});

const outcome = (id: string, r: number | null, closedIso: string | null, profit = 0): SignalOutcome => ({
  id,
  symbol: "EURUSD",
  closed: r !== null,
  r,
  closedMs: closedIso === null ? null : Date.parse(closedIso),
  profit,
});

describe("periodTable (/daily, /weekly)", () => {
  const now = Date.parse("2026-11-29T09:00:00Z"); // a Sunday
  const outcomes = [
    outcome("a", 1.5, "2026-11-29T08:00:00Z", 30),
    outcome("b", -1, "2026-11-28T23:59:59Z", -20),
    outcome("c", 2, "2026-11-23T00:00:00Z", 40), // Monday: this week
    outcome("d", -1, "2026-11-22T23:00:00Z", -10), // Sunday: last week
    outcome("e", null, null),
  ];

  it("days newest first, empty days listed", () => {
    const days = periodTable(outcomes, now, "day", 3);
    expect(days.map((d) => new Date(d.startMs).toISOString().slice(0, 10))).toEqual([
      "2026-11-29",
      "2026-11-28",
      "2026-11-27",
    ]);
    expect(days.map((d) => [d.closed, d.wins, d.r, d.profit])).toEqual([
      [1, 1, 1.5, 30],
      [1, 0, -1, -20],
      [0, 0, 0, 0],
    ]);
  });

  it("weeks start on Monday 00:00 UTC", () => {
    expect(new Date(periodStartMs(now, "week")).toISOString()).toBe("2026-11-23T00:00:00.000Z");
    const weeks = periodTable(outcomes, now, "week", 2);
    expect(weeks.map((w) => [w.closed, w.r, w.profit])).toEqual([
      [3, 2.5, 50],
      [1, -1, -10],
    ]);
  });
});

describe("rHistogram", () => {
  it("half-R buckets from the lowest to the highest result, gaps included", () => {
    const buckets = rHistogram([
      outcome("a", -1, "2026-11-01T00:00:00Z"),
      outcome("b", 1.5, "2026-11-01T00:00:00Z"),
      outcome("c", 1.4999999999, "2026-11-01T00:00:00Z"),
      outcome("d", 0.2, "2026-11-01T00:00:00Z"),
      outcome("e", null, null),
    ]);
    expect(buckets).toEqual([
      { from: -1, to: -0.5, count: 1 },
      { from: -0.5, to: 0, count: 0 },
      { from: 0, to: 0.5, count: 1 },
      { from: 0.5, to: 1, count: 0 },
      { from: 1, to: 1.5, count: 0 },
      { from: 1.5, to: 2, count: 2 },
    ]);
    expect(rHistogram([])).toEqual([]);
    expect(rHistogram([outcome("x", 250, "2026-11-01T00:00:00Z")]).at(-1)).toMatchObject({ to: 10, count: 1 });
  });
});
