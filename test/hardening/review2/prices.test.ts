import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";

/** Finding 3 of issue #21: nobody can poison another trader's price chart. */
describe("GET /api/prices/:symbol", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it("shows the caller's own terminal's prices only: another token's 1e15 bid never reaches it", async () => {
    h = await startHarness();
    const honest = await h.linkBridge(3101);
    const attacker = await h.linkBridge(3102);
    const price = (bid: number) => ({ prices: [{ symbol: "EURUSD.m", bid, ask: bid + 0.0002 }] });
    await h.heartbeat(honest, {}, price(1.085));
    await h.heartbeat(attacker, {}, price(999_999_999_999_999));
    await h.heartbeat(honest, {}, price(1.0852));
    const chart = async (userId: number) =>
      (
        await h.app.inject({ method: "GET", url: "/api/prices/EURUSD", headers: { authorization: h.tma(userId) } })
      ).json() as { candles: Array<{ high: number; low: number }> };
    const own = await chart(3101);
    expect(own.candles.length).toBeGreaterThan(0);
    expect(Math.max(...own.candles.map((c) => c.high))).toBeLessThan(1.1);
    expect(Math.min(...own.candles.map((c) => c.low))).toBeGreaterThan(1.08);
    // A trader with no terminal sees no chart rather than someone else's.
    expect((await chart(3103)).candles).toEqual([]);
    // The attacker only poisons their own.
    expect((await chart(3102)).candles[0]!.high).toBeGreaterThan(1e14);
  });
});
