import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_COMMANDS, commandRole } from "../../bot/commands.ts";
import { ADMIN_ID, type BotWorld, botWorld, GROUP_A, onlineTrader, signalInput, TRADER_ID } from "./harness.ts";

type Markup = { inline_keyboard: Array<Array<{ text: string; callback_data?: string }>> };

const events = async (world: BotWorld, type: string) =>
  (await world.store.query("SELECT * FROM events WHERE type = ? ORDER BY seq", [type])) as Array<{
    actor: string;
    user_id: number | null;
    signal_id: string | null;
    data: string | null;
  }>;

describe("admin commands", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  it("refuses every admin command and button to a non-admin, and logs who tried", async () => {
    world = await botWorld();
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.sortie.notifier.idle();
    world.telegram.reset();
    for (const { command } of ADMIN_COMMANDS) {
      await world.send(TRADER_ID, `/${command} ${command === "tier" ? `${TRADER_ID} APEX` : signal.id}`);
      const who = { owner: "owners", admin: "admins", analyst: "staff" }[commandRole(command)];
      expect(world.lastTo(TRADER_ID)).toBe(`⛔ This command is for Sortie ${who} only.`);
    }
    await world.send(TRADER_ID, "/signals", GROUP_A);
    expect(world.lastTo(GROUP_A)).toBe("⛔ This command is for Sortie admins only.");
    await world.tap(TRADER_ID, `adm:cancel:${signal.id}`);
    expect(world.telegram.callsOf("answerCallbackQuery").at(-1)?.payload).toMatchObject({
      text: "Only Sortie admins can do that.",
    });

    expect((await world.store.signals.findSignal(signal.id))?.status).toBe("active");
    expect((await world.store.users.findUser(TRADER_ID))?.tier).toBe("NIBBLER");
    expect(world.telegram.callsOf("sendMessage")).toHaveLength(ADMIN_COMMANDS.length + 1); // refusals only
    const refused = await events(world, "admin.refused");
    expect(refused).toHaveLength(ADMIN_COMMANDS.length + 2);
    expect(refused.every((e) => e.actor === `tg:${TRADER_ID}`)).toBe(true);
  });

  it("/signals lists active signals with fire counts and cancel buttons that cancel", async () => {
    world = await botWorld();
    await onlineTrader(world, 3003);
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.app.fires.fire(3003, signal.id);
    await world.send(ADMIN_ID, "/signals");
    const list = world.telegram.callsOf("sendMessage").at(-1)!;
    expect(String(list.payload.text)).toContain("EURUSD BUY</b> @ 1.085 · 🔥 1");
    expect(String(list.payload.text)).toContain(signal.id);
    const buttons = (list.payload.reply_markup as Markup).inline_keyboard.flat();
    expect(buttons[0]).toEqual({ text: "✖ Cancel EURUSD BUY", callback_data: `adm:cancel:${signal.id}` });

    await world.tap(ADMIN_ID, buttons[0]!.callback_data!);
    expect((await world.store.signals.findSignal(signal.id))?.status).toBe("cancelled");
    expect(world.telegram.callsOf("answerCallbackQuery").at(-1)?.payload.text).toContain("Cancelled EURUSD BUY");
    // The admin's list is edited in their chat (the group alert's own edit may come before or after it).
    const listEdits = world.telegram.callsOf("editMessageText").filter((c) => Number(c.payload.chat_id) === ADMIN_ID);
    expect(String(listEdits.at(-1)?.payload.text)).toContain("No active signals");
    const cancelled = await events(world, "signal.cancelled");
    expect(cancelled).toMatchObject([{ actor: `tg:${ADMIN_ID}`, signal_id: signal.id }]);
  });

  it("/cancel_signal cancels by id, and explains a bad or finished id", async () => {
    world = await botWorld();
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.send(ADMIN_ID, "/cancel_signal");
    expect(world.lastTo(ADMIN_ID)).toContain("Usage: /cancel_signal <signal id>");
    await world.send(ADMIN_ID, "/cancel_signal s_nope");
    expect(world.lastTo(ADMIN_ID)).toBe("No signal s_nope.");
    await world.send(ADMIN_ID, `/cancel_signal ${signal.id}`);
    expect(world.lastTo(ADMIN_ID)).toContain(`Cancelled EURUSD BUY (${signal.id})`);
    await world.send(ADMIN_ID, `/cancel_signal ${signal.id}`);
    expect(world.lastTo(ADMIN_ID)).toContain("is already cancelled");
    expect(await events(world, "signal.cancelled")).toMatchObject([{ actor: `tg:${ADMIN_ID}` }]);
    expect((await events(world, "admin.command")).length).toBe(4);
  });

  it("/tier changes a tier by id or @username, logged with the admin", async () => {
    world = await botWorld();
    await world.send(TRADER_ID, "/start");
    await world.send(ADMIN_ID, `/tier ${TRADER_ID} fang`);
    expect(world.lastTo(ADMIN_ID)).toContain("NIBBLER → FANG");
    await world.send(ADMIN_ID, `/tier @user${TRADER_ID} COMMANDER`);
    expect(world.lastTo(ADMIN_ID)).toContain("FANG → COMMANDER");
    expect((await world.store.users.findUser(TRADER_ID))?.tier).toBe("COMMANDER");
    await world.send(ADMIN_ID, "/tier 999 APEX");
    expect(world.lastTo(ADMIN_ID)).toContain("No user 999");
    await world.send(ADMIN_ID, `/tier ${TRADER_ID} GOD`);
    expect(world.lastTo(ADMIN_ID)).toContain("Usage: /tier");
    // The tier it already has: said, and not logged as a change (was: "COMMANDER → COMMANDER").
    await world.send(ADMIN_ID, `/tier ${TRADER_ID} commander`);
    expect(world.lastTo(ADMIN_ID)).toContain("is already COMMANDER: nothing changed.");
    const changes = await events(world, "user.tier_changed");
    expect(changes.map((e) => [e.actor, e.user_id, JSON.parse(e.data!)])).toEqual([
      [`tg:${ADMIN_ID}`, TRADER_ID, { from: "NIBBLER", to: "FANG" }],
      [`tg:${ADMIN_ID}`, TRADER_ID, { from: "FANG", to: "COMMANDER" }],
    ]);
  });

  it("/stats, /users and /bridges report the last 7 days, tiers and offline terminals", async () => {
    world = await botWorld();
    await onlineTrader(world, 3003);
    await onlineTrader(world, 3004);
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.app.fires.fire(3003, signal.id);
    await world.store.query("UPDATE users SET bridge_seen_ms = ? WHERE id = 3004", [Date.now() - 120_000]);

    await world.send(ADMIN_ID, "/stats");
    const stats = world.lastTo(ADMIN_ID);
    expect(stats).toContain("Signals: 1");
    expect(stats).toContain("Fires: 1");
    expect(stats).toContain("Fill rate: —");
    expect(stats).toContain("P&amp;L: 0.00");

    await world.send(ADMIN_ID, "/users");
    const users = world.lastTo(ADMIN_ID);
    expect(users).toContain("APEX: 2 users · 2 linked · 1 online");
    expect(users).toContain("Terminals online now: 1 of 2 linked");

    // A further terminal of 3003's, never started: named with its trader (was: "Spare (-1)").
    await world.app.terminals.create(3003, "Spare", 1);
    await world.send(ADMIN_ID, "/bridges");
    const bridges = world.lastTo(ADMIN_ID);
    expect(bridges).toContain("Terminals offline</b>: 2");
    expect(bridges).toContain("• @t3004 (3004) — last seen");
    expect(bridges).toContain("• Spare of @t3003 (3003) — never connected");
    expect(bridges).not.toContain("• @t3003");
    expect(bridges).not.toMatch(/\(-\d+\)/);
  });
});
