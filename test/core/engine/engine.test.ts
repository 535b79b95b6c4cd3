import { describe, expect, it } from "vitest";
import {
  CandleSeries,
  createDedup,
  createLiquiditySweep,
  createSignalEngine,
  createTrendPullback,
  draftToSignalInput,
  evaluateStrategy,
} from "../../../core/engine/index.ts";
import { validateSignal } from "../../../core/signal.ts";
import { EURUSD, PULLBACK_TEST_PARAMS, pullbackSeries, sweepSeries, ticksOf } from "./series.ts";

const specFor = (symbol: string) => (symbol === "EURUSD" ? EURUSD : null);

describe("createSignalEngine", () => {
  it("turns ticks into M1 candles and proposes the sweep when its candle closes", () => {
    const engine = createSignalEngine({ strategies: [createLiquiditySweep({ timeframe: 1 })], specFor });
    const series = sweepSeries(1);
    const drafts = ticksOf(series).flatMap((t) => engine.onTick(t));
    expect(drafts).toEqual([]); // the sweep candle is still forming
    const closeMs = series[19]!.t + 60_000;
    const [draft, ...more] = engine.advance(closeMs);
    expect(more).toEqual([]);
    expect(draft).toMatchObject({
      strategy: "liquidity-sweep",
      symbol: "EURUSD",
      timeframe: 1,
      side: "BUY",
      entry: 1.0996,
      stopLoss: 1.0973,
      createdMs: closeMs,
      dedupKey: `liquidity-sweep|EURUSD|BUY|low@${series[10]!.t}`,
    });
    // The draft passes the same validation as a typed signal, as a draft of the engine.
    const input = draftToSignalInput(draft!, 30);
    expect(input).toMatchObject({ source: "engine:liquidity-sweep", status: "draft" });
    const checked = validateSignal(input, closeMs);
    expect(checked.ok && checked.value).toMatchObject({ symbol: "EURUSD", shield_score: 7.8, confidence: 82 });
    expect(engine.health(closeMs)).toEqual([
      { symbol: "EURUSD", paused: false, reason: null, lastTickMs: series[19]!.t + 45_000, candles: 20 },
    ]);
  });

  it("a gap in prices → no draft from the same candles, and /health says why", () => {
    const engine = createSignalEngine({ strategies: [createLiquiditySweep({ timeframe: 1 })], specFor });
    const series = sweepSeries(1);
    const gapMs = 10 * 60_000;
    for (const t of ticksOf(series.slice(0, 19))) engine.onTick(t);
    const afterGap = ticksOf(series.slice(19), "EURUSD", gapMs);
    const drafts = afterGap.flatMap((t) => engine.onTick(t));
    const closeMs = series[19]!.t + gapMs + 60_000;
    drafts.push(...engine.advance(closeMs));
    expect(drafts).toEqual([]);
    const [health] = engine.health(closeMs);
    expect(health!.paused).toBe(true);
    // Last price 09:18:45, next 09:29:00: 10 m 15 s of silence.
    expect(health!.reason).toMatch(/^resuming after a 10m 15s gap in prices .*: 1 of 3 fresh M1 candles$/);
    // The strategy itself would have proposed on these very candles: the pause is what stopped it.
    const w = engine.aggregator.window("EURUSD", 1)!;
    expect(evaluateStrategy(createLiquiditySweep({ timeframe: 1 }), w, EURUSD, closeMs)).not.toBeNull();
  });

  it("a symbol whose prices stopped is paused at once, before any new price", () => {
    const engine = createSignalEngine({ strategies: [createLiquiditySweep({ timeframe: 1 })], specFor });
    const series = sweepSeries(1);
    for (const t of ticksOf(series)) engine.onTick(t);
    const lateMs = series[19]!.t + 45_000 + 5 * 60_000;
    expect(engine.advance(lateMs)).toEqual([]); // the sweep candle closes, but the data is stale
    expect(engine.health(lateMs)[0]).toMatchObject({
      paused: true,
      reason: expect.stringMatching(/^no price for 5m 0s/),
    });
  });

  it("never proposes the same setup twice", () => {
    const strategy = createTrendPullback({ ...PULLBACK_TEST_PARAMS, timeframe: 1 });
    const engine = createSignalEngine({ strategies: [strategy], specFor });
    const series = pullbackSeries(1, 1); // the trigger, then a second candle that also resumes the trend
    const drafts = ticksOf(series).flatMap((t) => engine.onTick(t));
    drafts.push(...engine.advance(series.at(-1)!.t + 60_000));
    // Both candles qualify on their own …
    const all = new CandleSeries(series);
    const first = evaluateStrategy(strategy, all.windowTo(series.length - 1), EURUSD, 0);
    const second = evaluateStrategy(strategy, all.windowTo(series.length), EURUSD, 0);
    expect(first?.setupKey).toBeDefined();
    expect(second?.setupKey).toBe(first?.setupKey);
    // … but it is one pullback, proposed once.
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.entry).toBe(1.129);
  });

  it("a dedup seeded with the store's keys does not propose them again after a restart", () => {
    const series = sweepSeries(1);
    const key = `liquidity-sweep|EURUSD|BUY|low@${series[10]!.t}`;
    const engine = createSignalEngine({
      strategies: [createLiquiditySweep({ timeframe: 1 })],
      specFor,
      dedup: createDedup(100, [key]),
    });
    for (const t of ticksOf(series)) engine.onTick(t);
    expect(engine.advance(series[19]!.t + 60_000)).toEqual([]);
  });

  it("refuses a strategy whose warm-up does not fit the ring", () => {
    expect(() => createSignalEngine({ strategies: [createTrendPullback()], specFor, capacity: 50 })).toThrow(
      /needs 100 candles/,
    );
  });
});

describe("createDedup", () => {
  it("claims a key once and forgets the oldest beyond its capacity", () => {
    const dedup = createDedup(2);
    expect(dedup.claim("a")).toBe(true);
    expect(dedup.claim("a")).toBe(false);
    dedup.claim("b");
    dedup.claim("c");
    expect([dedup.has("a"), dedup.has("b"), dedup.has("c"), dedup.size]).toEqual([false, true, true, 2]);
  });
});
