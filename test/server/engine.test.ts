import { afterEach, describe, expect, it } from "vitest";
import { createLiquiditySweep } from "../../core/engine/index.ts";
import { manualClock } from "../../server/clock.ts";
import { sweepSeries, ticksOf } from "../core/engine/series.ts";
import { ADMIN_USER_ID, type Harness, startHarness } from "../support/harness.ts";

const SERIES = sweepSeries(1);
const TRADER = 5151;
const GAP_MS = 10 * 60_000;

describe("the live signal engine over HTTP", () => {
  let h: Harness;
  let clock: ReturnType<typeof manualClock>;
  afterEach(async () => h?.close());

  async function start() {
    clock = manualClock(SERIES[0]!.t);
    h = await startHarness({ clock, engine: { strategies: [createLiquiditySweep({ timeframe: 1 })] } });
  }

  /** The terminal of `token` reports these ticks in heartbeats over HTTP, the clock following them. */
  async function report(token: string, ticks: ReturnType<typeof ticksOf>) {
    for (const tick of ticks) {
      clock.set(tick.time);
      await h.heartbeat(
        token,
        {},
        { prices: [{ symbol: "EURUSD", bid: tick.bid, ask: tick.ask, time: tick.time / 1000 }] },
      );
    }
  }
  const health = async () => (await h.app.inject({ method: "GET", url: "/health" })).json().signal_engine;
  const drafts = async (headers: Record<string, string>) =>
    h.app.inject({ method: "GET", url: "/api/signals?status=draft", headers });

  it("a gap in prices pauses the symbol, /health says why, and no draft comes from it", async () => {
    await start();
    const token = await h.linkBridge(ADMIN_USER_ID);
    await report(token, ticksOf(SERIES.slice(0, 19)));
    expect((await health()).symbols).toMatchObject([{ symbol: "EURUSD", paused: false, candles: 18 }]);

    // Silence: paused at once, before any new price.
    clock.set(SERIES[18]!.t + 45_000 + 4 * 60_000);
    await h.ctx.engine.advance();
    const silent = await health();
    expect(silent).toMatchObject({ symbols_paused: 1, symbols_live: 0 });
    expect(silent.symbols[0].reason).toMatch(/^no price for 4m 0s/);

    // Prices come back 10 minutes later with the sweep candle: not proposed from stale data.
    await report(token, ticksOf(SERIES.slice(19), "EURUSD", GAP_MS));
    clock.set(SERIES[19]!.t + GAP_MS + 60_000);
    await h.ctx.engine.advance();
    expect((await health()).symbols[0].reason).toMatch(/^resuming after a 10m/);
    expect((await drafts(h.admin)).json().signals).toEqual([]);
    expect(await h.store.staged.listPending("draft", 10)).toEqual([]);
  });

  it("drafts are admin-only; approve and reject by API; auto-publish is switched by PATCH (admins only)", async () => {
    await start();
    const token = await h.linkBridge(ADMIN_USER_ID);
    await report(token, ticksOf(SERIES));
    clock.set(SERIES.at(-1)!.t + 60_000);
    await h.ctx.engine.advance();
    const trader = { authorization: h.tma(TRADER) };
    const [draft] = (await drafts(h.admin)).json().signals;
    expect(draft).toMatchObject({ status: "draft", source: "engine:liquidity-sweep", side: "BUY" });
    expect((await drafts(trader)).statusCode).toBe(403);
    const list = await h.app.inject({ method: "GET", url: "/api/signals", headers: trader });
    expect(list.json().signals).toEqual([]);
    expect((await h.app.inject({ method: "GET", url: `/api/missions/${draft.id}`, headers: trader })).statusCode).toBe(
      404,
    );
    expect((await h.fire(TRADER, draft.id)).statusCode).toBe(404);
    const approveAs = (headers: Record<string, string>) =>
      h.app.inject({ method: "POST", url: `/api/signals/${draft.id}/approve`, headers });
    expect((await approveAs(trader)).statusCode).toBe(403);

    const edit = await h.app.inject({
      method: "PATCH",
      url: `/api/signals/${draft.id}/draft`,
      headers: h.admin,
      payload: { take_profit: [1.09] },
    });
    expect(edit.statusCode).toBe(400);
    expect(edit.json().error.message).toContain("take_profit");

    const approved = await approveAs(h.admin);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ id: draft.id, status: "published" });
    expect(
      (await h.app.inject({ method: "GET", url: "/api/signals?status=active", headers: trader })).json().signals,
    ).toMatchObject([{ id: draft.id, status: "active", source: "engine:liquidity-sweep" }]);
    expect((await approveAs(h.admin)).json().error.code).toBe("CONFLICT");
    const reject = await h.app.inject({ method: "POST", url: `/api/signals/${draft.id}/reject`, headers: h.admin });
    expect(reject.statusCode).toBe(409);

    const patch = (name: string, payload: Record<string, unknown>, headers = h.admin) =>
      h.app.inject({ method: "PATCH", url: `/api/engine/strategies/${name}`, headers, payload });
    expect((await patch("liquidity-sweep", { auto_publish: true }, trader)).statusCode).toBe(403);
    expect((await patch("no-such", { auto_publish: true })).statusCode).toBe(404);
    const bad = await patch("liquidity-sweep", { min_quality: 11 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("min_quality");
    const on = await patch("liquidity-sweep", { auto_publish: true, min_quality: 6.5 });
    expect(on.json().strategy).toMatchObject({ name: "liquidity-sweep", auto_publish: true, min_quality: 6.5 });
    const engine = (await h.app.inject({ method: "GET", url: "/api/engine", headers: h.admin })).json();
    expect(engine.strategies[0]).toMatchObject({ auto_publish: true, min_quality: 6.5, updated_by: "admin-token" });
  });
});
