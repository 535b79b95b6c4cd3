import { afterEach, describe, expect, it } from "vitest";
import { slippageText } from "../../bot/format/dm.ts";
import type { BridgeCommand } from "../../bridge/protocol.ts";
import { type BotWorld, botWorld, fillCommand, onlineTrader, signalInput, TRADER_ID } from "./harness.ts";

const heartbeat = async (world: BotWorld, userId: number) =>
  await world.app.bridge.heartbeat(userId, {
    account: { login: userId, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true },
  });

/** Fires a fresh signal for the trader and hands its commands to the "terminal". */
async function fireAndDeliver(world: BotWorld, userId: number) {
  const { signal } = await world.app.signals.create(signalInput({ take_profit: [1.089] }), {
    source: "api",
    actor: "admin-token",
  });
  await world.app.fires.fire(userId, signal.id);
  const [command] = (await world.app.bridge.takeCommands(userId)) as BridgeCommand[];
  return command!;
}

describe("slippage in the trader's terms", () => {
  it("says which way it went (was: 'Slippage -3.4 pips' for a better fill) and counts one pip as one", () => {
    expect(slippageText(1.5)).toBe("Slippage 1.5 pips against you");
    expect(slippageText(-3.4)).toBe("Slippage 3.4 pips in your favour");
    expect(slippageText(1)).toBe("Slippage 1 pip against you");
    expect(slippageText(0)).toBe("No slippage");
  });
});

describe("result DMs", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  it("tells the trader when the order filled (price, lots, slippage) and when it closed (P&L, XP)", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    const command = await fireAndDeliver(world, TRADER_ID);
    await fillCommand(world, TRADER_ID, command, 555, 1.0852);
    await world.sortie.notifier.idle();
    const filled = world.lastTo(TRADER_ID);
    expect(filled).toContain("✅ <b>Filled</b> — EURUSD BUY");
    expect(filled).toContain(`${command.volume} lots at <code>1.0852</code>`);
    expect(filled).toContain("Slippage 2 pips against you"); // a BUY filled 2 pips above its entry

    await world.app.bridge.submitClosed(TRADER_ID, { id: command.id, ticket: 555, close_price: 1.089, profit: 123.4 });
    await world.sortie.notifier.idle();
    const closed = world.lastTo(TRADER_ID);
    expect(closed).toContain("🏁 <b>Trade closed</b> — EURUSD BUY");
    expect(closed).toContain("P&amp;L +123.40 USD");
    expect(closed).toContain("+25 XP");
    expect(world.sentTo(TRADER_ID)).toHaveLength(2);
  });

  it("tells a trader still holding a position that its signal was cancelled, and that the position stays open", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    const command = await fireAndDeliver(world, TRADER_ID);
    await fillCommand(world, TRADER_ID, command, 556, 1.0852);
    await world.sortie.notifier.idle();
    const before = world.sentTo(TRADER_ID).length;
    const fire = (await world.store.fires.findFireById(command.fire_id))!;
    await world.app.signals.cancel(fire.signal_id, "tg:1001");
    await world.sortie.notifier.idle();
    expect(world.sentTo(TRADER_ID)).toHaveLength(before + 1);
    expect(world.lastTo(TRADER_ID)).toBe(
      [
        "⛔ <b>Signal cancelled</b> — EURUSD BUY",
        `The desk called this trade off. Your position (${command.volume} lots) is still open: close it or keep it, in the app or with /trades.`,
      ].join("\n"),
    );
  });

  it("explains a rejection in plain words", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    const command = await fireAndDeliver(world, TRADER_ID);
    await world.app.bridge.submitResult(TRADER_ID, { id: command.id, status: "rejected", retcode: 10019 });
    await world.sortie.notifier.idle();
    const rejected = world.lastTo(TRADER_ID);
    expect(rejected).toMatch(/^❌ <b>Order rejected<\/b> — EURUSD BUY [\d.]+ lots\n.+/);
    expect(rejected).not.toContain("10019\n");
  });

  it("marks a user who blocked the bot unreachable, never retries, and writes again after /start", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    world.telegram.blockUser(TRADER_ID);
    for (let i = 0; i < 3; i++) {
      const command = await fireAndDeliver(world, TRADER_ID);
      await world.app.bridge.submitResult(TRADER_ID, { id: command.id, status: "rejected", retcode: 10019 });
    }
    await world.sortie.notifier.idle();
    expect(world.telegram.callsOf("sendMessage")).toHaveLength(1); // one 403, then silence
    expect((await world.store.users.findUser(TRADER_ID))?.dm_status).toBe("unreachable");
    expect(world.logs.filter((l) => l.includes("cannot be reached"))).toHaveLength(1);

    world.telegram.unblockUser(TRADER_ID);
    await world.send(TRADER_ID, "/start");
    expect((await world.store.users.findUser(TRADER_ID))?.dm_status).toBe("ok");
    const command = await fireAndDeliver(world, TRADER_ID);
    await world.app.bridge.submitResult(TRADER_ID, { id: command.id, status: "rejected", retcode: 10019 });
    await world.sortie.notifier.idle();
    expect(world.lastTo(TRADER_ID)).toContain("Order rejected");
  });
});

describe("terminal readiness DMs", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  it("DMs once when an active trader's terminal goes silent, and once when it is back", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    await onlineTrader(world, 4004); // stays online: never told anything
    const lastSeen = Date.now() - 31_000;
    await world.store.query("UPDATE users SET bridge_seen_ms = ? WHERE id = ?", [lastSeen, TRADER_ID]);

    for (let i = 0; i < 3; i++) world.sortie.notifier.tick();
    await new Promise((r) => setTimeout(r, 200)); // the bot's own ticker runs too
    await world.sortie.notifier.idle();
    const offline = world.sentTo(TRADER_ID);
    expect(offline).toHaveLength(1);
    expect(offline[0]).toContain(
      `Your MT5 terminal went offline at ${new Date(lastSeen).toISOString().slice(0, 16).replace("T", " ")} UTC`,
    );
    expect(world.sentTo(4004)).toHaveLength(0);

    await heartbeat(world, TRADER_ID);
    await heartbeat(world, TRADER_ID);
    await world.sortie.notifier.idle();
    expect(world.sentTo(TRADER_ID)).toEqual([offline[0], "✅ Your MT5 terminal is back online. You can fire again."]);

    // A second outage is a new outage: told again, once.
    await world.store.query("UPDATE users SET bridge_seen_ms = ? WHERE id = ?", [Date.now() - 40_000, TRADER_ID]);
    world.sortie.notifier.tick();
    world.sortie.notifier.tick();
    await world.sortie.notifier.idle();
    expect(world.sentTo(TRADER_ID)).toHaveLength(3);
  });

  it("checks at once when the server announces a terminal offline", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" }, bot: { tickMs: 60_000 } });
    await onlineTrader(world, TRADER_ID);
    const lastSeen = Date.now() - 31_000;
    await world.store.query("UPDATE users SET bridge_seen_ms = ? WHERE id = ?", [lastSeen, TRADER_ID]);
    world.app.hub.emit("bridge.status", {
      user_id: TRADER_ID,
      online: false,
      last_seen: new Date(lastSeen).toISOString(),
    });
    await world.telegram.waitFor(() => world.sentTo(TRADER_ID).length === 1, 1_000);
    expect(world.lastTo(TRADER_ID)).toContain("went offline");
  });

  it("does not DM about terminals silent for longer than a day, nor unlinked users", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    await world.store.query("UPDATE users SET bridge_seen_ms = ? WHERE id = ?", [
      Date.now() - 2 * 86_400_000,
      TRADER_ID,
    ]);
    await world.store.users.ensureUser({ id: 4005 }, new Date().toISOString());
    await world.store.query("UPDATE users SET bridge_seen_ms = ? WHERE id = 4005", [Date.now() - 60_000]);
    world.sortie.notifier.tick();
    await world.sortie.notifier.idle();
    expect(world.sentTo(TRADER_ID)).toHaveLength(0);
    expect(world.sentTo(4005)).toHaveLength(0);
  });
});

describe("fill and close DMs of multi-leg fires", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  /** The terminal reports a leg of 0.17 lots filled at `price`. */
  const filled = (w: BotWorld, id: string, ticket: number, price: number) =>
    w.app.bridge.submitResult(TRADER_ID, { id, status: "filled", retcode: 10009, ticket, price, volume: 0.17 });

  /** Fires a three-target EURUSD signal (0.5 lots → legs of 0.17, 0.17, 0.16) and takes its commands. */
  async function fireThreeLegs(w: BotWorld): Promise<BridgeCommand[]> {
    const { signal } = await w.app.signals.create(signalInput({ take_profit: [1.089, 1.091, 1.093] }), {
      source: "api",
      actor: "admin-token",
    });
    await w.app.fires.fire(TRADER_ID, signal.id);
    return (await w.app.bridge.takeCommands(TRADER_ID)) as BridgeCommand[]; // open commands only: nothing to manage yet
  }

  it("sends one DM when all three legs answered, with per-leg lines and the totals that filled", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    const [leg1, leg2, leg3] = await fireThreeLegs(world);
    expect([leg1!.volume, leg2!.volume, leg3!.volume]).toEqual([0.17, 0.17, 0.16]);
    await filled(world, leg1!.id, 1, 1.0852);
    await filled(world, leg2!.id, 2, 1.0854);
    await world.sortie.notifier.idle();
    expect(world.sentTo(TRADER_ID)).toHaveLength(0); // waiting for the third leg
    await world.app.bridge.submitResult(TRADER_ID, { id: leg3!.id, status: "rejected", retcode: 10019 });
    await world.sortie.notifier.idle();

    const sent = world.sentTo(TRADER_ID);
    expect(sent).toHaveLength(1);
    const reason = (await world.store.fires.findFireById(leg3!.fire_id))!.legs[2]!.message!;
    expect(reason.length).toBeGreaterThan(3);
    expect(sent[0]).toBe(
      [
        "⚠️ <b>Partly filled</b> — EURUSD BUY",
        // 0.17 + 0.17 lots; (0.17 × 1.0852 + 0.17 × 1.0854) / 0.34 = 1.0853
        "0.34 lots at <code>1.0853</code> (2 of 3 legs filled)",
        "Leg 1 (TP 1.089): 0.17 lots at <code>1.0852</code>",
        "Leg 2 (TP 1.091): 0.17 lots at <code>1.0854</code>",
        `Leg 3 (TP 1.093): ❌ rejected — ${reason}`,
        "Slippage 3 pips against you",
      ].join("\n"),
    );

    // Leg 1 reaches its target while leg 2 stays open: told at once, not only when the trade closes.
    await world.app.bridge.submitClosed(TRADER_ID, { id: leg1!.id, ticket: 1, close_price: 1.089, profit: 64.6 });
    await world.sortie.notifier.idle();
    expect(world.sentTo(TRADER_ID)).toHaveLength(2);
    expect(world.lastTo(TRADER_ID)).toBe(
      [
        "🎯 <b>Target hit</b> — EURUSD BUY",
        "Leg 1 (TP 1.089): 0.17 lots closed at <code>1.089</code> · +64.60 USD",
        "Still open: 0.17 lots",
      ].join("\n"),
    );
    // Closes report the lots that closed and their money, not the planned 0.5 lots.
    await world.app.bridge.submitClosed(TRADER_ID, { id: leg2!.id, ticket: 2, close_price: 1.0834, profit: -34 });
    await world.sortie.notifier.idle();
    const closed = world.lastTo(TRADER_ID);
    expect(world.sentTo(TRADER_ID)).toHaveLength(3);
    expect(closed).toContain("🏁 <b>Trade closed</b> — EURUSD BUY 0.34 lots\n");
    expect(closed).toContain("Leg 1: 0.17 lots closed at <code>1.089</code> · +64.60 USD");
    expect(closed).toContain("Leg 2: 0.17 lots closed at <code>1.0834</code> · -34.00 USD");
    expect(closed).toContain("P&amp;L +30.60 USD");
  });

  it("reports a fire whose legs were all rejected, each leg in plain words", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    const legs = await fireThreeLegs(world);
    for (const leg of legs)
      await world.app.bridge.submitResult(TRADER_ID, { id: leg.id, status: "rejected", retcode: 10019 });
    await world.sortie.notifier.idle();
    const [text] = world.sentTo(TRADER_ID);
    expect(world.sentTo(TRADER_ID)).toHaveLength(1);
    expect(text).toMatch(/^❌ <b>Order rejected<\/b> — EURUSD BUY 0.5 lots\n/);
    expect(text?.match(/❌ rejected — \S+/g)).toHaveLength(3);
  });

  it("does not wait forever: after the wait it reports what answered, then the late leg on its own", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" }, bot: { fillReportWaitMs: 200 } });
    await onlineTrader(world, TRADER_ID);
    const [leg1, leg2, leg3] = await fireThreeLegs(world);
    await filled(world, leg1!.id, 1, 1.085);
    await filled(world, leg2!.id, 2, 1.085);
    await world.telegram.waitFor(() => world.sentTo(TRADER_ID).length === 1, 10_000);
    expect(world.lastTo(TRADER_ID)).toContain("Leg 3 (TP 1.093): ⏳ no answer yet");
    expect(world.lastTo(TRADER_ID)).toContain("0.34 lots at <code>1.085</code> (2 of 3 legs filled)");
    await world.app.bridge.submitResult(TRADER_ID, { id: leg3!.id, status: "rejected", retcode: 10019 });
    await world.sortie.notifier.idle();
    expect(world.sentTo(TRADER_ID)).toHaveLength(2);
    expect(world.lastTo(TRADER_ID)).toMatch(/^ℹ️ <b>Update<\/b> — EURUSD BUY\nLeg 3 \(TP 1\.093\): ❌ rejected — .+/);
  });
});
