import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CandleRing, createCandleAggregator } from "../../../core/engine/index.ts";

const T0 = Date.parse("2026-11-20T09:00:00Z");
const tick = (seconds: number, bid: number, symbol = "EURUSD") => ({
  symbol,
  bid,
  ask: bid + 0.0001,
  time: T0 + seconds * 1000,
});

describe("createCandleAggregator", () => {
  it("builds M1 candles on the bid and closes one when a later minute's price arrives", () => {
    const agg = createCandleAggregator();
    for (const [s, bid] of [
      [0, 1.1],
      [10, 1.1005],
      [20, 1.0995],
      [50, 1.1002],
    ] as const)
      expect(agg.onTick(tick(s, bid))).toEqual([]);
    const closed = agg.onTick(tick(61, 1.1003));
    expect(closed).toEqual([
      {
        symbol: "EURUSD",
        timeframe: 1,
        candle: { t: T0, open: 1.1, high: 1.1005, low: 1.0995, close: 1.1002, volume: 4 },
      },
    ]);
    expect(agg.window("EURUSD", 1)!.length).toBe(1);
  });

  it("closes a quiet minute when the clock passes its end, and builds M5 from M1 closing on its last minute", () => {
    const agg = createCandleAggregator({ timeframes: [5] });
    const closed = [];
    for (let minute = 0; minute < 5; minute++) {
      closed.push(...agg.onTick(tick(minute * 60 + 5, 1.1 + minute * 0.001)));
      closed.push(...agg.onTick(tick(minute * 60 + 30, 1.1 + minute * 0.001 + 0.0004)));
    }
    expect(closed.map((c) => c.timeframe)).toEqual([1, 1, 1, 1]);
    closed.push(...agg.advance(T0 + 5 * 60_000));
    const m5 = closed.filter((c) => c.timeframe === 5);
    expect(m5).toHaveLength(1);
    expect(m5[0]!.candle).toEqual({ t: T0, open: 1.1, high: 1.1044, low: 1.1, close: 1.1044, volume: 10 });
  });

  it("ignores invalid ticks and ticks that go back in time", () => {
    const agg = createCandleAggregator();
    agg.onTick(tick(30, 1.1));
    agg.onTick(tick(10, 1.2));
    agg.onTick({ symbol: "EURUSD", bid: Number.NaN, ask: 1, time: T0 + 40_000 });
    agg.onTick({ symbol: "EURUSD", bid: 1.2, ask: 1.1, time: T0 + 41_000 });
    expect(agg.ignoredTicks).toBe(3);
    const [closed] = agg.advance(T0 + 60_000);
    expect(closed!.candle).toMatchObject({ open: 1.1, high: 1.1, low: 1.1, close: 1.1, volume: 1 });
  });

  it("pauses a symbol on a gap and says why, and resumes after fresh candles", () => {
    const agg = createCandleAggregator({ maxGapMs: 180_000, resumeAfterCandles: 2 });
    agg.onTick(tick(0, 1.1));
    expect(agg.health("EURUSD", T0 + 30_000)).toMatchObject({ paused: false, reason: null });
    // Silence: paused as soon as the clock is 3 minutes past the last price, before any new tick.
    expect(agg.health("EURUSD", T0 + 200_000)).toMatchObject({
      paused: true,
      reason: "no price for 3m 20s (last 2026-11-20T09:00:00.000Z)",
    });
    agg.onTick(tick(600, 1.101)); // 10 minutes later
    expect(agg.health("EURUSD", T0 + 601_000)!.reason).toBe(
      "resuming after a 10m 0s gap in prices (2026-11-20T09:00:00.000Z → 2026-11-20T09:10:00.000Z): 0 of 2 fresh M1 candles",
    );
    agg.onTick(tick(660, 1.101));
    expect(agg.health("EURUSD", T0 + 661_000)!.paused).toBe(true);
    agg.onTick(tick(720, 1.101));
    expect(agg.health("EURUSD", T0 + 721_000)).toMatchObject({ paused: false, candles: 3 });
    expect(agg.health("GBPUSD", T0)).toBeNull();
  });

  it("keeps at most `capacity` candles per symbol and timeframe", () => {
    const agg = createCandleAggregator({ capacity: 5 });
    for (let minute = 0; minute < 12; minute++) agg.onTick(tick(minute * 60, 1 + minute));
    const w = agg.window("EURUSD", 1)!;
    expect(w.length).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => w.close(i))).toEqual([7, 8, 9, 10, 11]);
  });
});

describe("createCandleAggregator on any tick stream", () => {
  it("M1 candles are the ticks grouped by minute: first, max, min, last bid, count", () => {
    const tickArb = fc.record({ gapS: fc.integer({ min: 0, max: 90 }), bid: fc.integer({ min: 10_000, max: 20_000 }) });
    fc.assert(
      fc.property(fc.array(tickArb, { minLength: 1, maxLength: 200 }), (raw) => {
        const agg = createCandleAggregator({ maxGapMs: 10 * 60_000 });
        let seconds = 0;
        const ticks = raw.map(({ gapS, bid }) => {
          seconds += gapS;
          return tick(seconds, bid / 10_000);
        });
        for (const t of ticks) agg.onTick(t);
        agg.advance(ticks.at(-1)!.time + 60_000);
        const expected = new Map<
          number,
          { t: number; open: number; high: number; low: number; close: number; volume: number }
        >();
        for (const t of ticks) {
          const minute = Math.floor(t.time / 60_000) * 60_000;
          const c = expected.get(minute);
          if (!c) expected.set(minute, { t: minute, open: t.bid, high: t.bid, low: t.bid, close: t.bid, volume: 1 });
          else
            Object.assign(c, {
              high: Math.max(c.high, t.bid),
              low: Math.min(c.low, t.bid),
              close: t.bid,
              volume: c.volume + 1,
            });
        }
        const w = agg.window("EURUSD", 1)!;
        expect(Array.from({ length: w.length }, (_, i) => w.candle(i))).toEqual([...expected.values()]);
      }),
    );
  });
});

describe("CandleRing", () => {
  it("drops the oldest when full and never shows a slot past the last candle", () => {
    const ring = new CandleRing(3);
    for (let i = 0; i < 4; i++) ring.push({ t: i, open: i, high: i, low: i, close: i, volume: 0 });
    const w = ring.window();
    expect([w.time(0), w.time(1), w.time(2)]).toEqual([1, 2, 3]);
    expect(() => w.close(3)).toThrow(/no lookahead/);
    expect(() => w.close(-1)).toThrow(/no lookahead/);
  });
});
