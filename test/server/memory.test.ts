import { afterEach, describe, expect, it } from "vitest";
import type { MemoryBounds } from "../../server/memory.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { openStream } from "../support/streams.ts";
import { waitFor } from "../support/wait.ts";

/**
 * Issue #14: every in-process map keeps its bound under a flood of distinct users, signals and
 * terminals, and forgetting an entry never changes an answer. (The per-user stream cap: "a 6th
 * event stream of one user closes that user's oldest" in test/hardening/review2/slow-clients.test.ts.)
 */
describe("in-process maps", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const bound = 30;
  const bounds: Partial<MemoryBounds> = {
    initData: bound,
    knownUsers: bound,
    signals: 4,
    overlays: bound,
    userVersions: bound,
    knownFires: bound,
    inFlightTaps: bound,
    sseStreams: bound,
    candleSeries: bound,
    terminals: bound,
    terminalTouches: bound,
    rateLimitBuckets: bound,
  };

  it("a flood of distinct users keeps every map at its bound, and answers stay right", async () => {
    // Limits on but out of reach: every request is counted, none refused.
    h = await startHarness({
      listen: true,
      bounds,
      env: { RATE_LIMIT_PER_MIN: "100000", RATE_LIMIT_IP_PER_MIN: "1000000" },
    });
    const signals = [];
    for (let i = 0; i < 8; i++) signals.push(await h.createSignal());
    const users = Array.from({ length: 4 * bound }, (_, i) => 7_000 + i);
    const streams: Array<Awaited<ReturnType<typeof openStream>>> = [];
    for (const [i, userId] of users.entries()) {
      const token = await h.linkBridge(userId);
      await h.heartbeat(token, {}, { prices: [{ symbol: "EURUSD", bid: 1.085, ask: 1.0852 }] });
      const signal = signals[i % signals.length]!;
      const mission = await h.app.inject({
        url: `/api/missions/${signal.id}`,
        headers: { authorization: h.tma(userId) },
      });
      expect(mission.statusCode).toBe(200);
      expect((await h.fire(userId, signal.id)).statusCode).toBe(202);
      if (i < bound + 10) streams.push(await openStream(h.url, h.tma(userId)));
    }

    const sizes = h.ctx.memory.sizes();
    for (const [name, { size, max }] of Object.entries(sizes)) {
      expect(size, `${name}: ${size} entries, bound ${max}`).toBeLessThanOrEqual(max);
    }
    // The maps the flood fills are full, not empty: the bound is what stopped them.
    for (const name of [
      "initData",
      "knownUsers",
      "overlays",
      "userVersions",
      "knownFires",
      "terminals",
      "terminalTouches",
      "candleSeries",
      "sseStreams",
      "signals",
    ]) {
      expect(sizes[name], name).toEqual({
        size: bounds[name as keyof MemoryBounds],
        max: bounds[name as keyof MemoryBounds],
      });
    }
    // Every user's request counted toward their rate limit: one bucket per user, at the bound.
    expect(sizes.rateLimitUsers).toEqual({ size: bound, max: bound });
    // The 10 oldest streams were closed to keep the bound; the newest are open.
    await waitFor(() => streams.slice(0, 10).every((s) => s.state.ended), 15_000, "the oldest streams to close");
    expect(streams.slice(10).some((s) => s.state.ended)).toBe(false);

    // The first user was forgotten by every map: their mission still shows their fire, and a
    // repeat tap is a duplicate with no second fire stored.
    const first = users[0]!;
    const mission = await h.app.inject({
      url: `/api/missions/${signals[0]!.id}`,
      headers: { authorization: h.tma(first) },
    });
    expect(mission.json().fire).toMatchObject({ user_id: first, signal_id: signals[0]!.id });
    const again = await h.fire(first, signals[0]!.id);
    expect(again.statusCode).toBe(200);
    expect(again.json().duplicate).toBe(true);
    const stored = await h.store.query("SELECT COUNT(*) AS n FROM fires WHERE user_id = ?", [first]);
    expect(Number(stored[0]!.n)).toBe(1);
    for (const s of streams) await s.cancel();
  }, 120_000);

  it("a change to a forgotten user is still seen by their cached mission", async () => {
    h = await startHarness({ bounds: { userVersions: 2 } });
    const signal = await h.createSignal();
    const read = async () =>
      (await h.app.inject({ url: `/api/missions/${signal.id}`, headers: { authorization: h.tma(1) } })).json();
    expect((await read()).bridge.linked).toBe(false); // cached with user 1 unchanged
    const token = await h.linkBridge(1); // user 1 changes…
    await h.linkBridge(2);
    await h.linkBridge(3); // …and is forgotten by the version map (bound 2)
    expect(h.ctx.memory.sizes().userVersions!.size).toBe(2);
    await h.heartbeat(token);
    await h.linkBridge(4);
    await h.linkBridge(5);
    expect((await read()).bridge).toMatchObject({ linked: true, online: true });
  });
});
