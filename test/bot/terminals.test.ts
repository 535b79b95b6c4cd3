import { afterEach, describe, expect, it } from "vitest";
import type { BridgeCommand, ModifyCommand } from "../../bridge/protocol.ts";
import { hashToken } from "../../server/auth/tokens.ts";
import { type BotWorld, botWorld, fillCommand, onlineTrader, signalInput, TRADER_ID } from "./harness.ts";

/** The bridge row behind a token shown by the bot (what the bridge's auth resolves). */
const bridgeRowOf = async (world: BotWorld, text: string) => {
  const token = /<code>(sb_[\w-]+)<\/code>/.exec(text)?.[1];
  if (!token) throw new Error(`no token in ${text}`);
  return (await world.store.users.findUserIdByTokenHash(hashToken(token)))!;
};

/** /link `name`, then that terminal's first heartbeat (protocol 1 unless given): its bridge row. */
async function linkTerminal(
  world: BotWorld,
  name: string,
  account: { login: number; server: string; currency: string; balance: number },
  protocol?: string,
): Promise<number> {
  await world.send(TRADER_ID, `/link ${name}`);
  const row = await bridgeRowOf(world, world.lastTo(TRADER_ID));
  await world.app.bridge.heartbeat(row, {
    ...(protocol ? { protocol } : {}),
    account: { ...account, equity: account.balance, trade_allowed: true },
  });
  return row;
}

describe("several terminals in the bot", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  it("/link <name> links another terminal; /terminals lists them; the fill DM covers every terminal", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID); // the first terminal (single-token flow)
    await world.send(TRADER_ID, "/link FTMO");
    const linked = world.lastTo(TRADER_ID);
    expect(linked).toContain("🔗 <b>Your bridge token</b> for <b>FTMO</b>");
    const ftmo = await bridgeRowOf(world, linked);
    expect(ftmo).toBeLessThan(0);
    await world.send(TRADER_ID, "/link Spare");
    const spare = await bridgeRowOf(world, world.lastTo(TRADER_ID));
    // /link on an existing name rotates that terminal's token only.
    await world.send(TRADER_ID, "/link ftmo");
    expect(world.lastTo(TRADER_ID)).toContain(
      "🔁 <b>New bridge token</b> for <b>FTMO</b> — the old one no longer works.",
    );
    expect(await bridgeRowOf(world, world.lastTo(TRADER_ID))).toBe(ftmo);

    await world.app.bridge.heartbeat(ftmo, {
      account: { login: 7, server: "FTMO-Demo", currency: "EUR", balance: 80_000, equity: 80_000, trade_allowed: true },
    });
    await world.send(TRADER_ID, "/terminals");
    const list = world.lastTo(TRADER_ID);
    expect(list).toContain("🖥 <b>Your terminals</b> (3)");
    expect(list).toMatch(/🟢 <b>MT5<\/b> — 10000\.00 USD · seen [\d-]+ \d\d:\d\d UTC/);
    expect(list).toMatch(/🟢 <b>FTMO<\/b> — 80000\.00 EUR/);
    expect(list).toContain("🔴 <b>Spare</b> — balance unknown · never seen");

    const { signal } = await world.app.signals.create(signalInput({ take_profit: [1.089] }), {
      source: "api",
      actor: "t",
    });
    const fired = await world.app.fires.fire(TRADER_ID, signal.id);
    expect(fired.fire.terminals?.map((t) => [t.name, t.status])).toEqual([
      ["MT5", "sent"],
      ["FTMO", "sent"],
      ["Spare", "skipped"],
    ]);
    const [mine] = (await world.app.bridge.takeCommands(TRADER_ID)) as BridgeCommand[];
    const [theirs] = (await world.app.bridge.takeCommands(ftmo)) as BridgeCommand[];
    expect(await world.app.bridge.takeCommands(spare)).toEqual([]);
    await fillCommand(world, TRADER_ID, mine!, 1, 1.08512);
    await world.app.bridge.submitResult(ftmo, {
      id: theirs!.id,
      status: "rejected",
      retcode: 10018,
      message: "market closed",
    });
    await world.sortie.notifier.idle();
    const report = world.lastTo(TRADER_ID);
    expect(report).toBe(
      `⚠️ <b>Partly filled</b> — EURUSD BUY\nMT5: filled ${mine!.volume.toFixed(2)} @ 1.08512 · FTMO: rejected — market closed · Spare: skipped — offline`,
    );
    // Nothing was ever sent to a terminal's own (negative) row as a chat.
    expect(world.telegram.callsOf("sendMessage").filter((c) => Number(c.payload.chat_id) < 0)).toEqual([]);
  });

  it("a terminal that answers after the fill report gets its own update (its legs share numbers with the others')", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" }, bot: { fillReportWaitMs: 200 } });
    await onlineTrader(world, TRADER_ID);
    const ftmo = await linkTerminal(world, "FTMO", { login: 7, server: "FTMO-Demo", currency: "USD", balance: 10_000 });
    const { signal } = await world.app.signals.create(signalInput({ take_profit: [1.089] }), {
      source: "api",
      actor: "t",
    });
    await world.app.fires.fire(TRADER_ID, signal.id);
    const [mine] = (await world.app.bridge.takeCommands(TRADER_ID)) as BridgeCommand[];
    const [theirs] = (await world.app.bridge.takeCommands(ftmo)) as BridgeCommand[];
    expect([mine!.leg, theirs!.leg]).toEqual([1, 1]);
    await fillCommand(world, TRADER_ID, mine!, 1, 1.08512);
    await world.telegram.waitFor(() => world.sentTo(TRADER_ID).some((t) => t.includes("Partly filled")), 10_000);
    const before = world.sentTo(TRADER_ID).length;
    await fillCommand(world, ftmo, theirs!, 2, 1.08514, 0.3); // a partial fill
    await world.sortie.notifier.idle();
    await world.telegram.waitFor(() => world.sentTo(TRADER_ID).length === before + 1, 10_000);
    expect(world.lastTo(TRADER_ID)).toMatch(
      /^ℹ️ <b>Update<\/b> — EURUSD BUY\nFTMO · Leg 1 \(TP 1\.089\): 0\.3 lots at <code>1\.08514<\/code>/,
    );
    // /trades: the lots filled on both terminals (not the 1.0 planned), and both positions open.
    await world.send(TRADER_ID, "/trades");
    const trades = world.lastTo(TRADER_ID);
    expect(trades).toContain("• EURUSD BUY 0.8 lots — <b>filled</b>");
    expect(trades.match(/ {2}TP1: filled 1\.0851\d/g)).toHaveLength(2);
  });

  it("the fill report says what each terminal filled of what it was sent, at its average price, and why a leg was refused", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    const ftmo = await linkTerminal(world, "FTMO", { login: 7, server: "FTMO-Demo", currency: "USD", balance: 10_000 });
    const { signal } = await world.app.signals.create(signalInput({ take_profit: [1.089, 1.091] }), {
      source: "api",
      actor: "t",
    });
    await world.app.fires.fire(TRADER_ID, signal.id);
    const mine = (await world.app.bridge.takeCommands(TRADER_ID)) as BridgeCommand[];
    const theirs = (await world.app.bridge.takeCommands(ftmo)) as BridgeCommand[];
    expect([...mine, ...theirs].map((c) => c.volume)).toEqual([0.25, 0.25, 0.25, 0.25]);
    await fillCommand(world, TRADER_ID, mine[0]!, 1, 1.0851);
    await fillCommand(world, TRADER_ID, mine[1]!, 2, 1.0853);
    await fillCommand(world, ftmo, theirs[0]!, 3, 1.08514, 0.1);
    await world.app.bridge.submitResult(ftmo, {
      id: theirs[1]!.id,
      status: "rejected",
      retcode: 10019,
      message: "not enough money",
    });
    await world.sortie.notifier.idle();
    expect(world.lastTo(TRADER_ID)).toBe(
      "⚠️ <b>Partly filled</b> — EURUSD BUY\nMT5: filled 0.50 @ 1.08520 · FTMO: filled 0.10 of 0.50 @ 1.08514 (leg 2 rejected — not enough money)",
    );
  });

  it("an update's DM names the terminal it is about: one per terminal, each saying what that one did", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    await world.app.bridge.heartbeat(TRADER_ID, {
      protocol: "1.1",
      account: { login: 1, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true },
    });
    const ftmo = await linkTerminal(
      world,
      "FTMO",
      { login: 7, server: "FTMO-Demo", currency: "USD", balance: 10_000 },
      "1.1",
    );
    // "Old" runs an EA from before updates after entry (protocol 1): it cannot change the trade.
    const old = await linkTerminal(world, "Old", { login: 8, server: "Demo", currency: "USD", balance: 10_000 });
    const { signal } = await world.app.signals.create(signalInput({ take_profit: [1.089] }), {
      source: "api",
      actor: "t",
    });
    await world.app.fires.fire(TRADER_ID, signal.id);
    for (const [row, ticket] of [
      [TRADER_ID, 1],
      [ftmo, 2],
      [old, 3],
    ] as const) {
      const [command] = (await world.app.bridge.takeCommands(row)) as BridgeCommand[];
      await fillCommand(world, row, command!, ticket, 1.08512);
    }
    await world.sortie.notifier.idle();

    await world.app.updates.create(signal.id, { action: "breakeven" }, { source: "api", actor: "t" });
    const [mine] = (await world.app.bridge.takeCommands(TRADER_ID)) as ModifyCommand[];
    const [theirs] = (await world.app.bridge.takeCommands(ftmo)) as ModifyCommand[];
    expect(await world.app.bridge.takeCommands(old)).toEqual([]);
    await world.app.bridge.submitResult(TRADER_ID, { id: mine!.id, status: "filled", retcode: 10009 });
    await world.app.bridge.submitResult(ftmo, {
      id: theirs!.id,
      status: "rejected",
      retcode: 10016,
      message: "invalid stops",
    });
    await world.sortie.notifier.idle();
    // The outbox may join DMs queued together into one message (blank line between): read them as notes.
    const notes = world
      .sentTo(TRADER_ID)
      .flatMap((t) => t.split("\n\n"))
      .filter((t) => t.includes("Stop → breakeven"));
    expect(notes).toHaveLength(3);
    expect(notes).toContain(
      "✅ <b>EURUSD BUY</b> on <b>MT5</b> — 🛡 Stop → breakeven\n✅ TP1 leg: stop 1.08512 · target 1.089",
    );
    expect(notes).toContain(
      "⚠️ <b>EURUSD BUY</b> on <b>FTMO</b> — 🛡 Stop → breakeven\n⚠️ TP1 leg: not changed — invalid stops",
    );
    expect(notes.find((t) => t.includes("EA is too old"))).toMatch(/^⚠️ <b>EURUSD BUY<\/b> on <b>Old<\/b> — /);
  });

  it("tells the trader which terminal went offline and came back; the others keep firing", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await onlineTrader(world, TRADER_ID);
    await world.send(TRADER_ID, "/link FTMO");
    const ftmo = await bridgeRowOf(world, world.lastTo(TRADER_ID));
    const account = {
      login: 7,
      server: "FTMO-Demo",
      currency: "EUR",
      balance: 80_000,
      equity: 80_000,
      trade_allowed: true,
    };
    await world.app.bridge.heartbeat(ftmo, { account });
    const before = world.sentTo(TRADER_ID).length;
    const lastSeen = Date.now() - 31_000;
    await world.store.query("UPDATE users SET bridge_seen_ms = ? WHERE id = ?", [lastSeen, ftmo]);
    world.app.hub.emit("user.updated", { user_id: ftmo });

    for (let i = 0; i < 3; i++) world.sortie.notifier.tick();
    await world.telegram.waitFor(() => world.sentTo(TRADER_ID).length === before + 1, 2_000);
    await world.sortie.notifier.idle();
    expect(world.sentTo(TRADER_ID).slice(before)).toEqual([
      `📴 Your terminal <b>FTMO</b> went offline at ${new Date(lastSeen).toISOString().slice(0, 16).replace("T", " ")} UTC (last heartbeat).\nYour fires skip it until it reconnects: check that MetaTrader 5 is running and the Sortie EA is on a chart.`,
    ]);
    // The trader's other terminal still trades: the mission can fire, FTMO is shown offline.
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "t" });
    const mission = (await world.app.missions.missionFor(TRADER_ID, signal.id)) as unknown as {
      can_fire: boolean;
      terminals: Array<{ name: string; reason: string | null }>;
    };
    expect(mission.can_fire).toBe(true);
    expect(mission.terminals.map((t) => [t.name, t.reason])).toEqual([
      ["MT5", null],
      ["FTMO", "offline"],
    ]);

    await world.app.bridge.heartbeat(ftmo, { account });
    await world.telegram.waitFor(() => world.sentTo(TRADER_ID).length === before + 2, 2_000);
    expect(world.lastTo(TRADER_ID)).toBe("✅ Your terminal <b>FTMO</b> is back online. You can fire again.");
    expect(world.telegram.callsOf("sendMessage").filter((c) => Number(c.payload.chat_id) < 0)).toEqual([]);
  });
});
