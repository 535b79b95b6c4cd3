import { beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../../support/harness.ts";
import { brokerPositions, eaSuite, setMarket, settledMission } from "./support.ts";

/**
 * SortieBridge.mq5 compiled by g++ against the MQL5 emulation, run as a terminal on a simulated
 * broker against the real Sortie server: over HTTP (WebRequest) and through the drop folder.
 */
describe.each(["http", "file"] as const)("the EA binary over %s against the real server", (transport) => {
  const { trader, server } = eaSuite(transport, transport === "http" ? 61_000 : 62_000);
  let h: Harness;
  beforeAll(() => {
    h = server();
  });

  async function fire(userId: number, body: Record<string, unknown> = {}) {
    const signal = await h.createSignal(body);
    const res = await h.fire(userId, signal.id);
    expect(res.statusCode, res.body).toBe(202);
    return signal.id;
  }

  it("reports the account, the broker's symbol specs and prices in its heartbeats", async () => {
    const t = await trader();
    const [spec] = await h.store.query("SELECT * FROM terminal_symbols WHERE user_id = ? AND name = ?", [
      t.userId,
      "EURUSD.m",
    ]);
    expect(spec).toMatchObject({ tick_size: 0.00001, tick_value: 1, volume_min: 0.01, volume_step: 0.01, digits: 5 });
    const [price] = await h.store.query("SELECT bid, ask FROM terminal_prices WHERE user_id = ? AND name = ?", [
      t.userId,
      "EURUSD.m",
    ]);
    expect(price).toEqual({ bid: 1.0849, ask: 1.085 });
    expect(await h.store.users.findUser(t.userId)).toMatchObject({ balance: 10_000, currency: "USD" });
  });

  it("a fire sends exactly one order per leg, on the broker's symbol, on the volume step, with stops normalised", async () => {
    const t = await trader();
    const signalId = await fire(t.userId, { stop_loss: 1.0830004, take_profit: [1.087, 1.089, 1.091] });
    const mission = await settledMission(h, t.userId, signalId, (f) => f.legs.every((leg) => leg.state === "filled"));
    expect(t.ea.orders.map((o) => [o.symbol, o.side, o.volume, o.sl, o.tp, o.retcode])).toEqual([
      ["EURUSD.m", "BUY", 0.17, 1.083, 1.087, 10009],
      ["EURUSD.m", "BUY", 0.17, 1.083, 1.089, 10009],
      ["EURUSD.m", "BUY", 0.16, 1.083, 1.091, 10009],
    ]);
    // Each order carries its command id, which is what makes a redelivered command harmless.
    expect(new Set(t.ea.orders.map((o) => o.comment)).size).toBe(3);
    expect(mission.fire).toMatchObject({ state: "filled", broker_symbol: "EURUSD.m", fill_price: 1.085 });
    expect(mission.fire.legs.map((leg: { volume: number }) => leg.volume)).toEqual([0.17, 0.17, 0.16]);
  });

  it("after a SIGKILL between OrderSend and the result, a restart on the same data folder never sends again", async () => {
    const t = await trader({ market: ["kill_after_order_send 1"] });
    const signalId = await fire(t.userId);
    expect(await t.ea.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(t.ea.orders).toHaveLength(1);
    const [order] = t.ea.orders;
    const leg = async () =>
      (await h.store.query("SELECT state FROM bridge_commands WHERE id = ?", [order!.comment]))[0] as { state: string };
    expect((await leg()).state).toBe("delivered"); // the broker has the position; Sortie has no result yet

    setMarket(t.dir, []);
    const restarted = await t.start();
    const mission = await settledMission(h, t.userId, signalId);
    expect(mission.fire).toMatchObject({ state: "filled", fill_price: 1.085 });
    expect(restarted.orders).toEqual([]);
    expect(mission.fire.legs[0]).toMatchObject({ state: "filled", ticket: "1000" });
    // One position at the broker: the killed run's order, found again by its comment.
    expect(brokerPositions(t.dir)).toHaveLength(1);
  }, 60_000);

  it("the id recorded before OrderSend alone stops a resend when the broker drops order comments", async () => {
    // Without the comment, the terminal's history cannot name the command: only the EA's own
    // record, written before the order was sent, knows it may have been executed.
    const t = await trader({ market: ["drop_comments 1", "kill_after_order_send 1"] });
    const signalId = await fire(t.userId);
    expect(await t.ea.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(t.ea.orders).toHaveLength(1);

    setMarket(t.dir, ["drop_comments 1"]);
    const restarted = await t.start();
    const mission = await settledMission(h, t.userId, signalId);
    expect(restarted.orders).toEqual([]);
    expect(mission.fire.state).toBe("failed");
    expect(mission.fire.legs[0].message ?? mission.fire.message).toMatch(/not sent again/);
  }, 60_000);

  it("uses a filling mode the symbol allows: an IOC-only symbol gets IOC on the first try", async () => {
    const t = await trader({ filling: "ioc" });
    const signalId = await fire(t.userId);
    expect((await settledMission(h, t.userId, signalId)).fire.state).toBe("filled");
    expect(t.ea.orders.map((o) => [o.filling, o.retcode])).toEqual([["IOC", 10009]]);
  });

  it("retries a requote up to MaxRetries, then fills", async () => {
    const t = await trader({ market: ["requote EURUSD.m 2"], inputs: { MaxRetries: 3 } });
    const signalId = await fire(t.userId);
    expect((await settledMission(h, t.userId, signalId)).fire.state).toBe("filled");
    expect(t.ea.orders.map((o) => o.retcode)).toEqual([10004, 10004, 10009]);
  });

  it("gives up after MaxRetries requotes and says so", async () => {
    const t = await trader({ market: ["requote EURUSD.m 50"], inputs: { MaxRetries: 2 } });
    const signalId = await fire(t.userId);
    const mission = await settledMission(h, t.userId, signalId);
    expect(mission.fire.state).toBe("rejected");
    expect(mission.fire.message).toMatch(/requote.*after 2 retries/i);
    expect(t.ea.orders.map((o) => o.retcode)).toEqual([10004, 10004, 10004]);
  });

  it("a closed market is rejected with a plain message", async () => {
    const t = await trader({ market: ["market_closed EURUSD.m 1"] });
    const signalId = await fire(t.userId);
    const mission = await settledMission(h, t.userId, signalId);
    expect(mission.fire.state).toBe("rejected");
    expect(mission.fire.message).toMatch(/market is closed/i);
    expect(t.ea.orders.map((o) => o.retcode)).toEqual([10018]);
  });

  it("a command that expires while the broker keeps requoting fails with 'expired'", async () => {
    const t = await trader({ market: ["requote EURUSD.m 1000", "order_delay_ms 400"], inputs: { MaxRetries: 10 } });
    const signalId = await fire(t.userId, { expires_at: new Date(Date.now() + 3000).toISOString() });
    const mission = await settledMission(h, t.userId, signalId);
    expect(mission.fire).toMatchObject({ state: "failed", message: "expired" });
    expect(t.ea.orders.every((o) => o.retcode === 10004)).toBe(true);
  }, 60_000);

  it("a price beyond max_entry_distance is rejected as 'price moved' without an order", async () => {
    const t = await trader({ market: ["price EURUSD.m 1.0869 1.0870"] });
    const signalId = await fire(t.userId);
    const mission = await settledMission(h, t.userId, signalId);
    expect(mission.fire).toMatchObject({ state: "rejected", message: "price moved" });
    expect(t.ea.orders).toEqual([]);
  });

  it("a take profit hit at the broker closes the position and Sortie shows the profit", async () => {
    const t = await trader();
    const signalId = await fire(t.userId);
    await settledMission(h, t.userId, signalId);
    setMarket(t.dir, ["price EURUSD.m 1.0890 1.0891"]);
    const closed = await settledMission(h, t.userId, signalId, (f) => f.state === "closed");
    // +40 pips x $10 x 0.5 lots.
    expect(closed.fire.profit).toBe(200);
  }, 60_000);
});
