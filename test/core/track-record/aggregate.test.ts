import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  aggregateTrackRecord,
  presentPerformance,
  presentTrackRecord,
  signalOutcomes,
  signalResult,
  summarizeTrackRecord,
  type TrackPosition,
  type TrackSignal,
} from "../../../core/track-record/index.ts";

const ms = (iso: string) => Date.parse(iso);

// Hand-worked history (results in R):
// a EURUSD BUY 1.1000/1.0980 (risk 0.0020): 1 lot 1.1000 → 1.1030 = +1.5 R, closed 5 Oct, +30.
// b EURUSD SELL 1.2000/1.2050 (risk 0.0050): 1 lot 1.2000 → 1.2050 = −1 R, closed 20 Oct, −50.
// c XAUUSD BUY 2000/1990: 0.5 lot 2000 → 2000 = 0 R (breakeven, not a win), closed 2 Nov, 0.
// d XAUUSD SELL 2000/2010: 1 lot → 1980 = +2 R (3 Nov, +200), 1 lot → 2010 = −1 R (4 Nov, −100):
//   mean +0.5 R, closed at its last close, 4 Nov, +100.
// e EURUSD BUY: never filled → counts in signals only. f GBPUSD BUY: one position still open.
// Curve by close time: +1.5, +0.5, +0.5, +1.0 → total 1.0, avg 0.25, wins a and d = 0.5,
// max drawdown 1.5 → 0.5 = 1.0 R, profit 80.
const signals: TrackSignal[] = [
  { id: "a", symbol: "EURUSD", side: "BUY", entry: 1.1, stopLoss: 1.098 },
  { id: "b", symbol: "EURUSD", side: "SELL", entry: 1.2, stopLoss: 1.205 },
  { id: "c", symbol: "XAUUSD", side: "BUY", entry: 2000, stopLoss: 1990 },
  { id: "d", symbol: "XAUUSD", side: "SELL", entry: 2000, stopLoss: 2010 },
  { id: "e", symbol: "EURUSD", side: "BUY", entry: 1.1, stopLoss: 1.09 },
  { id: "f", symbol: "GBPUSD", side: "BUY", entry: 1.3, stopLoss: 1.29 },
];
const positions: TrackPosition[] = [
  { signalId: "d", volume: 1, fill: 2000, close: 2010, closedMs: ms("2026-11-04T10:00:00Z"), profit: -100 },
  { signalId: "a", volume: 1, fill: 1.1, close: 1.103, closedMs: ms("2026-10-05T10:00:00Z"), profit: 30 },
  { signalId: "c", volume: 0.5, fill: 2000, close: 2000, closedMs: ms("2026-11-02T10:00:00Z"), profit: 0 },
  { signalId: "b", volume: 1, fill: 1.2, close: 1.205, closedMs: ms("2026-10-20T10:00:00Z"), profit: -50 },
  { signalId: "d", volume: 1, fill: 2000, close: 1980, closedMs: ms("2026-11-03T10:00:00Z"), profit: 200 },
  { signalId: "f", volume: 1, fill: 1.3, close: null, closedMs: null },
  { signalId: "zz", volume: 1, fill: 1, close: 2, closedMs: 0 },
];

describe("aggregateTrackRecord", () => {
  const record = aggregateTrackRecord(signals, positions);

  it("counts, win rate, average and total R, drawdown and profit match the hand-worked history", () => {
    expect(record.signals).toBe(6);
    expect(record.closed).toBe(4);
    expect(record.wins).toBe(2);
    expect(record.win_rate).toBe(0.5);
    expect(record.total_r).toBeCloseTo(1, 9);
    expect(record.avg_r).toBeCloseTo(0.25, 9);
    expect(record.max_drawdown_r).toBeCloseTo(1, 9);
    expect(record.profit).toBeCloseTo(80, 9);
    expect(record.best?.id).toBe("a");
    expect(record.worst?.id).toBe("b");
  });

  it("the equity curve follows close time, a signal closing at its last position", () => {
    expect(record.equity_r.map((p) => [new Date(p.t).toISOString().slice(0, 10), Number(p.r.toFixed(9))])).toEqual([
      ["2026-10-05", 1.5],
      ["2026-10-20", 0.5],
      ["2026-11-02", 0.5],
      ["2026-11-04", 1],
    ]);
  });

  it("by symbol and by month", () => {
    const present = presentTrackRecord(record, 30);
    expect(present.by_symbol).toEqual([
      { symbol: "EURUSD", signals: 3, win_rate: 0.5, total_r: 0.5 },
      { symbol: "XAUUSD", signals: 2, win_rate: 0.5, total_r: 0.5 },
      { symbol: "GBPUSD", signals: 1, win_rate: null, total_r: 0 },
    ]);
    expect(present.monthly).toEqual([
      { month: "2026-10", closed: 2, win_rate: 0.5, avg_r: 0.25, total_r: 0.5 },
      { month: "2026-11", closed: 2, win_rate: 0.5, avg_r: 0.25, total_r: 0.5 },
    ]);
    expect(present.equity_r[0]).toEqual({ t: "2026-10-05T10:00:00.000Z", r: 1.5 });
    expect(present.days).toBe(30);
  });

  it("presents a trader's performance with money, rounded only at the end", () => {
    const body = presentPerformance(aggregateTrackRecord(signals.slice(0, 1), positions), null);
    expect(body.profit).toBe(30);
    expect(body.equity_profit).toEqual([{ t: "2026-10-05T10:00:00.000Z", profit: 30 }]);
    expect(body.best).toEqual({ signal_id: "a", symbol: "EURUSD", r: 1.5 });
    // Three thirds of a third: 1/3 R each, total 1 R exactly once rounded at presentation, not 0.99.
    const thirds = aggregateTrackRecord(
      ["x", "y", "z"].map((id) => ({ id, symbol: "EURUSD", side: "BUY" as const, entry: 10, stopLoss: 9 })),
      ["x", "y", "z"].flatMap((signalId) => [
        { signalId, volume: 2, fill: 10, close: 11, closedMs: 1 },
        { signalId, volume: 1, fill: 10, close: 9, closedMs: 1 },
      ]),
    );
    expect(presentTrackRecord(thirds, null).total_r).toBe(1);
    expect(presentTrackRecord(thirds, null).avg_r).toBe(0.33);
  });

  it("an empty history has no win rate rather than 0 %", () => {
    const empty = aggregateTrackRecord([], []);
    expect(empty).toMatchObject({ signals: 0, closed: 0, win_rate: null, avg_r: null, total_r: 0, max_drawdown_r: 0 });
  });

  it("agrees with signalResult for any positions in any order", () => {
    const positionArb = fc.record({
      signal: fc.integer({ min: 0, max: 3 }),
      volume: fc.double({ min: 0.01, max: 5, noNaN: true }),
      fill: fc.double({ min: 90, max: 110, noNaN: true }),
      close: fc.option(fc.double({ min: 80, max: 120, noNaN: true }), { freq: 5 }),
      closedMs: fc.integer({ min: 0, max: 1e12 }),
    });
    fc.assert(
      fc.property(fc.array(positionArb, { maxLength: 30 }), (rows) => {
        const sigs: TrackSignal[] = [0, 1, 2, 3].map((i) => ({
          id: `s${i}`,
          symbol: i % 2 ? "EURUSD" : "XAUUSD",
          side: i < 2 ? "BUY" : "SELL",
          entry: 100,
          stopLoss: i < 2 ? 98 - i : 102 + i,
        }));
        const flat = rows.map((r) => ({
          ...r,
          signalId: `s${r.signal}`,
          closedMs: r.close === null ? null : r.closedMs,
        }));
        const got = aggregateTrackRecord(sigs, flat);
        const reversed = aggregateTrackRecord(sigs, [...flat].reverse());
        expect(reversed.total_r).toBeCloseTo(got.total_r, 6);
        let expectedTotal = 0;
        let expectedClosed = 0;
        for (const s of sigs) {
          const result = signalResult(
            s,
            flat.filter((p) => p.signalId === s.id),
          );
          if (result.closed) {
            expectedClosed++;
            expectedTotal += result.r!;
          }
        }
        expect(got.closed).toBe(expectedClosed);
        expect(got.total_r).toBeCloseTo(expectedTotal, 6);
      }),
    );
  });
});

describe("summarizeTrackRecord over cached outcomes", () => {
  it("gives the same record as computing from the positions", () => {
    const outcomes = signalOutcomes(signals, positions);
    expect(outcomes.find((o) => o.id === "d")).toEqual({
      id: "d",
      symbol: "XAUUSD",
      closed: true,
      r: 0.5,
      closedMs: ms("2026-11-04T10:00:00Z"),
      profit: 100,
    });
    expect(outcomes.find((o) => o.id === "f")).toMatchObject({ closed: false, r: null, closedMs: null });
    expect(summarizeTrackRecord(outcomes)).toEqual(aggregateTrackRecord(signals, positions));
  });
});
