import { afterEach, describe, expect, it } from "vitest";
import { manualClock } from "../../server/clock.ts";
import { loadConfig } from "../../server/config/index.ts";
import { createContext } from "../../server/context.ts";
import { createDemoFeed, DEMO_PRICES } from "../../server/local/demo.ts";
import { localEngineOptions } from "../../server/local/engine.ts";
import { createLocalMode } from "../../server/local/index.ts";
import { testDatabase } from "../support/engine.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { tempDir } from "../support/tmp.ts";

describe("local mode: the engine on the simulated market", () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it("proposes drafts from the simulated market within minutes of a start (seeded walks)", async () => {
    const firstDraftS: number[] = [];
    for (const seed of [1, 2, 3]) {
      const tmp = tempDir("sortie-local-engine-");
      const database = await testDatabase(tmp.dir);
      const store = await database.open();
      const clock = manualClock(Date.parse("2026-11-20T10:00:00Z"));
      const config = loadConfig({ DATABASE_PATH: `${tmp.dir}/sortie.db` });
      const ctx = createContext({ store, config, clock, engine: localEngineOptions(clock) });
      const feed = createDemoFeed(seed);
      let first: number | null = null;
      // 20 real minutes, one quote a second, as local mode feeds it.
      for (let s = 1; s <= 1200 && first === null; s++) {
        feed.step();
        clock.advance(1000);
        await ctx.engine.feed(Object.keys(DEMO_PRICES).map((symbol) => ({ symbol, ...feed.get(symbol)! })));
        await ctx.engine.advance();
        if ((await ctx.engine.drafts.listPending()).length > 0) first = s;
      }
      const [draft] = await ctx.engine.drafts.listPending();
      await store.close();
      await database.drop();
      tmp.cleanup();
      expect(first, `seed ${seed}`).not.toBeNull();
      expect(draft?.source).toMatch(/^engine:(liquidity-sweep|trend-pullback)$/);
      firstDraftS.push(first!);
    }
    // Warm-up alone is 15 one-minute candles at 12× speed (75 s): no draft comes sooner.
    expect(Math.min(...firstDraftS)).toBeGreaterThanOrEqual(75);
  });

  it("/local lists waiting drafts with Approve / Reject; Approve publishes the signal", async () => {
    const { createLiquiditySweep } = await import("../../core/engine/index.ts");
    const { sweepSeries, ticksOf } = await import("../core/engine/series.ts");
    const series = sweepSeries(1);
    const clock = manualClock(series[0]!.t);
    h = await startHarness({
      clock,
      engine: { strategies: [createLiquiditySweep({ timeframe: 1 })], feedsFrom: () => true },
      app: { plugins: [(app, deps) => createLocalMode(deps.ctx, () => undefined).plugin(app)] },
    });
    for (const tick of ticksOf(series)) {
      clock.set(tick.time);
      await h.ctx.engine.feed([{ symbol: "EURUSD", bid: tick.bid, ask: tick.ask }]);
    }
    clock.set(series.at(-1)!.t + 60_000);
    await h.ctx.engine.advance();
    const [draft] = await h.ctx.engine.drafts.listPending();
    const page = await h.app.inject({ method: "GET", url: "/local" });
    expect(page.body).toContain("Signal engine drafts");
    expect(page.body).toContain(`action="/local/drafts/${draft!.id}/approve"`);
    // As the page's forms post: an empty urlencoded body.
    const press = (action: string) =>
      h!.app.inject({
        method: "POST",
        url: `/local/drafts/${draft!.id}/${action}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "",
      });
    const approve = await press("approve");
    expect(approve.statusCode).toBe(303);
    expect(approve.headers.location).toBe("/local");
    expect(await h.store.signals.findSignal(draft!.id)).toMatchObject({
      status: "active",
      source: "engine:liquidity-sweep",
    });
    const again = await press("reject");
    expect(again.statusCode).toBe(409);
  });
});
