import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";
import { paperTrader, spec } from "../support/paper.ts";
import { waitFor } from "../support/wait.ts";

/** Fire → command → fill → close, over real HTTP with the paper terminal speaking protocol v1. */
describe("bridge loop with the paper terminal", () => {
  let h: Harness;
  let nextUser = 20_000;
  const stops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    h = await startHarness({ listen: true, sweeper: true });
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    await h.close();
  });

  async function trader(opts: Parameters<typeof paperTrader>[2] = {}) {
    const id = nextUser++;
    const t = await paperTrader(h, id, opts);
    stops.push(() => t.terminal.stop());
    await waitFor(
      async () => (await h.store.users.findUser(id))?.balance != null,
      10_000,
      "terminal online (heartbeat stored)",
    );
    return { id, ...t };
  }
  const fire = (user: number, signalId: string) => h.fire(user, signalId);
  const mission = async (user: number, signalId: string) =>
    (
      await h.app.inject({ method: "GET", url: `/api/missions/${signalId}`, headers: { authorization: h.tma(user) } })
    ).json();

  it("fills, shows price and slippage on the mission, closes at TP and updates stats and XP", async () => {
    const t = await trader();
    const s = await h.createSignal();
    expect((await fire(t.id, s.id)).statusCode).toBe(202);
    const filled = await waitFor(
      async () => {
        const m = await mission(t.id, s.id);
        return m.fire?.state === "filled" ? m : null;
      },
      5000,
      "filled",
    );
    // BUY fills at the ask 1.08500 = the entry: zero slippage. Delivery latency recorded.
    expect(filled.fire).toMatchObject({ fill_price: 1.085, slippage_pips: 0, lots: 0.5 });
    expect(filled.fire.latency_ms).toBeGreaterThanOrEqual(0);
    expect(filled.fire.legs[0]).toMatchObject({ state: "filled", retcode: 10009, price: 1.085 });
    expect(t.terminal.positions()).toHaveLength(1);

    // Price reaches TP 1.089: +40 pips × $10 × 0.5 lots = $200.
    t.terminal.setPrice("EURUSD", 1.089, 1.0891);
    const closed = await waitFor(
      async () => {
        const m = await mission(t.id, s.id);
        return m.fire?.state === "closed" ? m : null;
      },
      5000,
      "closed",
    );
    expect(closed.fire.profit).toBe(200);
    const stats = (
      await h.app.inject({ method: "GET", url: `/api/users/${t.id}/stats`, headers: { authorization: h.tma(t.id) } })
    ).json();
    // XP: 10 for the fill + 5 for the close + 20 for a win.
    expect(stats).toMatchObject({ trades: 1, wins: 1, losses: 0, win_rate: 100, pnl: 200, pnl_7d: 200, xp: 35 });
    const events = (await h.store.fires.listFireEvents(filled.fire.id)).map((e) => e.type);
    expect(events).toEqual(["fire.created", "command.queued", "fire.delivered", "command.filled", "command.closed"]);
  });

  it("a rejected order shows a plain-language reason", async () => {
    const t = await trader();
    t.terminal.rejectNext(10019);
    const s = await h.createSignal();
    await fire(t.id, s.id);
    const m = await waitFor(
      async () => {
        const x = await mission(t.id, s.id);
        return x.fire?.state === "rejected" ? x : null;
      },
      5000,
      "rejected",
    );
    expect(m.fire.message).toMatch(/Not enough money/i);
    expect(t.terminal.positions()).toHaveLength(0);
  });

  it("the terminal refuses a command whose price moved too far, and one past its expiry", async () => {
    const t = await trader();
    t.terminal.setPrice("EURUSD", 1.0869, 1.087); // 20 pips above entry; allowed distance is 5 pips
    const s = await h.createSignal();
    await fire(t.id, s.id);
    const moved = await waitFor(
      async () => {
        const x = await mission(t.id, s.id);
        return x.fire?.state === "rejected" ? x : null;
      },
      5000,
      "price moved",
    );
    expect(moved.fire.message).toBe("price moved");

    t.terminal.setPrice("EURUSD", 1.0849, 1.085);
    t.terminal.setSlowMs(1500);
    const short = await h.createSignal({ expires_at: new Date(Date.now() + 1000).toISOString() });
    await fire(t.id, short.id);
    const expired = await waitFor(
      async () => {
        const x = await mission(t.id, short.id);
        return x.fire && x.fire.state !== "queued" && x.fire.state !== "delivered" ? x : null;
      },
      6000,
      "expired",
    );
    expect(expired.fire.state).toBe("failed");
    expect(expired.fire.message).toBe("expired");
    t.terminal.setSlowMs(0);
  });

  it("maps the signal's symbol to the broker's suffixed name and opens one position per take-profit", async () => {
    const t = await trader({ symbols: [spec("EURUSD.m")], prices: { "EURUSD.m": { bid: 1.0849, ask: 1.085 } } });
    const s = await h.createSignal({ take_profit: [1.087, 1.089, 1.091] });
    await fire(t.id, s.id);
    const m = await waitFor(
      async () => {
        const x = await mission(t.id, s.id);
        return x.fire?.state === "filled" && x.fire.legs.every((l: { state: string }) => l.state === "filled")
          ? x
          : null;
      },
      20_000,
      "3 legs filled",
    );
    expect(m.fire.broker_symbol).toBe("EURUSD.m");
    expect(m.fire.legs).toHaveLength(3);
    const positions = t.terminal.positions();
    expect(positions.map((p) => [p.symbol, p.volume, p.take_profit])).toEqual([
      ["EURUSD.m", 0.17, 1.087],
      ["EURUSD.m", 0.17, 1.089],
      ["EURUSD.m", 0.16, 1.091],
    ]);
  });

  it("a bridge token never receives or reports another user's commands", async () => {
    const a = await trader();
    const bId = nextUser++;
    const bToken = await h.linkBridge(bId);
    const s = await h.createSignal();
    await fire(a.id, s.id);
    const m = await waitFor(
      async () => {
        const x = await mission(a.id, s.id);
        return x.fire?.state === "filled" ? x : null;
      },
      5000,
      "filled",
    );
    const bPoll = await fetch(`${h.url}/bridge/v1/commands?wait=0`, { headers: { authorization: `Bearer ${bToken}` } });
    expect((await bPoll.json()).commands).toEqual([]);
    const forged = await fetch(`${h.url}/bridge/v1/results`, {
      method: "POST",
      headers: { authorization: `Bearer ${bToken}`, "content-type": "application/json" },
      body: JSON.stringify({ id: m.fire.legs[0].id, status: "rejected", retcode: 10006 }),
    });
    expect(forged.status).toBe(403);
    expect((await forged.json()).error.code).toBe("FORBIDDEN");
    const closed = await fetch(`${h.url}/bridge/v1/closed`, {
      method: "POST",
      headers: { authorization: `Bearer ${bToken}`, "content-type": "application/json" },
      body: JSON.stringify({ id: m.fire.legs[0].id, close_price: 1, profit: -1000 }),
    });
    expect(closed.status).toBe(403);
    expect((await mission(a.id, s.id)).fire.state).toBe("filled");
  });
});
