/**
 * Trade management in the bot, over real HTTP against the local Bot API fake: admin buttons under
 * /signals with a confirm step, the price conversation, /update, traders' /trades buttons, the
 * group alert showing the latest update, and one DM per trader with what their terminal did.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { BridgeCommand, ModifyCommand } from "../../bridge/protocol.ts";
import { ADMIN_ID, type BotWorld, botWorld, GROUP_A, onlineTrader, signalInput } from "./harness.ts";

let world: BotWorld;
afterEach(() => world?.close());

type Markup = { inline_keyboard: Array<Array<{ text: string; callback_data?: string }>> };
const lastSentTo = (chatId: number) =>
  world.telegram
    .callsOf("sendMessage")
    .filter((c) => Number(c.payload.chat_id) === chatId)
    .at(-1);
const buttonsOf = (call: { payload: Record<string, unknown> } | undefined) =>
  ((call?.payload.reply_markup as Markup | undefined)?.inline_keyboard ?? []).flat();

/** A trader whose terminal speaks `protocol`, fired on `signalId`, both legs filled at `price`. */
async function filledTrader(userId: number, signalId: string, price: number, protocol = "1.1") {
  await onlineTrader(world, userId);
  await world.app.bridge.heartbeat(userId, {
    ...(protocol === "1" ? {} : { protocol }),
    account: { login: userId, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true },
  });
  await world.app.fires.fire(userId, signalId);
  for (const command of (await world.app.bridge.takeCommands(userId)) as BridgeCommand[]) {
    await world.app.bridge.submitResult(userId, {
      id: command.id,
      status: "filled",
      retcode: 10009,
      ticket: 1,
      price,
      volume: command.volume,
    });
  }
}

/** The terminal of `userId` answers every modify/close: applied, or rejected with `message`. */
async function answerAll(userId: number, rejectLeg?: number) {
  for (const command of (await world.app.bridge.takeCommands(userId)) as ModifyCommand[]) {
    const reject = command.leg === rejectLeg;
    await world.app.bridge.submitResult(userId, {
      id: command.id,
      status: reject ? "rejected" : "filled",
      retcode: reject ? 10016 : 10009,
      message: reject ? "invalid stops" : null,
    });
  }
}

describe("bot: updates after entry", () => {
  it("admin taps Breakeven under /signals, confirms; the alert shows it, a reply and one DM per trader follow", async () => {
    world = await botWorld();
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.sortie.notifier.idle();
    await filledTrader(3001, signal.id, 1.08502);
    await filledTrader(3002, signal.id, 1.08498);
    await filledTrader(3003, signal.id, 1.085, "1");
    await world.sortie.notifier.idle();

    await world.send(ADMIN_ID, "/signals");
    const buttons = buttonsOf(world.telegram.callsOf("sendMessage").at(-1));
    expect(buttons.map((b) => b.text)).toEqual(
      expect.arrayContaining(["🛡 Breakeven", "✖ Close all", "✖ Close TP1", "✖ Close TP2", "✏️ Move SL…"]),
    );
    const breakeven = buttons.find((b) => b.text === "🛡 Breakeven")!;
    await world.tap(ADMIN_ID, breakeven.callback_data!);
    const confirm = world.telegram.callsOf("sendMessage").at(-1)!;
    expect(String(confirm.payload.text)).toContain("Confirm");
    expect(String(confirm.payload.text)).toContain("6 open positions");
    expect(await world.store.updates.listSignalUpdates(signal.id)).toHaveLength(0); // nothing until confirmed
    const yes = buttonsOf(confirm).find((b) => b.text === "✅ Confirm")!;
    await world.tap(ADMIN_ID, yes.callback_data!, ADMIN_ID, 77);
    await world.tap(ADMIN_ID, yes.callback_data!, ADMIN_ID, 77); // a double tap: still one update
    const updates = await world.store.updates.listSignalUpdates(signal.id);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      action: "breakeven",
      source: "bot",
      positions: 4,
      skipped: 2,
      actor: `tg:${ADMIN_ID}`,
    });
    expect(world.lastTo(ADMIN_ID)).toContain("4 open positions; 2 skipped");
    await world.sortie.notifier.idle();

    const edits = world.telegram.callsOf("editMessageText").filter((c) => Number(c.payload.chat_id) === GROUP_A);
    expect(String(edits.at(-1)?.payload.text)).toMatch(/🛡 Stop → breakeven · \d\d:\d\d UTC/);
    const reply = world.telegram
      .callsOf("sendMessage")
      .filter((c) => Number(c.payload.chat_id) === GROUP_A)
      .at(-1)!;
    expect(String(reply.payload.text)).toContain("Update: EURUSD BUY");
    expect(reply.payload.reply_parameters).toMatchObject({ message_id: expect.any(Number) });
    expect(world.lastTo(3003)).toContain("EA is too old");

    await answerAll(3001);
    await answerAll(3002, 2);
    await world.sortie.notifier.idle();
    const dm1 = world.sentTo(3001).filter((t) => t.includes("Stop → breakeven"));
    expect(dm1).toHaveLength(1);
    expect(dm1[0]).toContain("✅ TP1 leg: stop 1.08502");
    expect(dm1[0]).toContain("✅ TP2 leg: stop 1.08502");
    const dm2 = world.sentTo(3002).filter((t) => t.includes("Stop → breakeven"));
    expect(dm2).toHaveLength(1);
    expect(dm2[0]).toContain("⚠️ TP2 leg: not changed — invalid stops");
  });

  it("Move SL asks for the price in a short conversation, then confirms; /update does the same in one line", async () => {
    world = await botWorld();
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await filledTrader(3101, signal.id, 1.085);
    await world.tap(ADMIN_ID, `adm:up:sl:${signal.id}:-`);
    expect(world.lastTo(ADMIN_ID)).toContain("New stop loss price?");
    await world.send(ADMIN_ID, "1.0900");
    expect(world.lastTo(ADMIN_ID)).toContain("stop_loss at or below entry");
    await world.send(ADMIN_ID, "1.0842");
    const confirm = lastSentTo(ADMIN_ID)!;
    expect(String(confirm.payload.text)).toContain("Stop → 1.0842");
    await world.tap(ADMIN_ID, buttonsOf(confirm)[0]!.callback_data!, ADMIN_ID, 90);
    expect((await world.store.updates.listSignalUpdates(signal.id)).at(-1)).toMatchObject({
      action: "move_sl",
      stop_loss: 1.0842,
    });

    await world.send(ADMIN_ID, `/update ${signal.id} close 2`);
    const closeConfirm = lastSentTo(ADMIN_ID)!;
    expect(String(closeConfirm.payload.text)).toContain("Closed TP2");
    await world.tap(ADMIN_ID, buttonsOf(closeConfirm)[0]!.callback_data!, ADMIN_ID, 91);
    expect((await world.store.updates.listSignalUpdates(signal.id)).at(-1)).toMatchObject({
      action: "close",
      leg: 2,
      positions: 1,
    });
    // The group alert lists both updates: the stop moved stays on it after the close.
    await world.sortie.notifier.idle();
    const alert = world.telegram
      .callsOf("editMessageText")
      .filter((c) => Number(c.payload.chat_id) === GROUP_A)
      .at(-1)!;
    expect(String(alert.payload.text)).toMatch(/\n🛡 Stop → 1\.0842 · \d\d:\d\d UTC\n✖ Closed TP2 · \d\d:\d\d UTC$/);
    await world.send(ADMIN_ID, "/update nonsense");
    expect(world.lastTo(ADMIN_ID)).toContain("Usage: /update");
    await world.send(3101, `/update ${signal.id} breakeven`);
    expect(world.lastTo(3101)).toContain("admins only");
  });

  it("/trades lists the trader's own open positions with the same buttons; confirm sends to their terminal only", async () => {
    world = await botWorld();
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await filledTrader(3201, signal.id, 1.085);
    await filledTrader(3202, signal.id, 1.085);
    await world.send(3201, "/trades");
    const list = world.telegram.callsOf("sendMessage").at(-1)!;
    expect(String(list.payload.text)).toContain("Open positions");
    const closeAll = buttonsOf(list).find((b) => b.text === "✖ Close all")!;
    const fireId = (await world.store.fires.findFire(signal.id, 3201))!.id;
    expect(closeAll.callback_data).toBe(`mgp:cl:${fireId}:-`);
    await world.tap(3201, closeAll.callback_data!);
    const confirm = world.telegram.callsOf("sendMessage").at(-1)!;
    expect(String(confirm.payload.text)).toContain("2 of your open positions");
    await world.tap(3201, buttonsOf(confirm)[0]!.callback_data!, 3201, 5);
    expect(world.lastTo(3201)).toContain("Sent to your terminal");
    expect(await world.app.bridge.takeCommands(3202)).toHaveLength(0);
    expect((await world.app.bridge.takeCommands(3201)).map((c) => c.action)).toEqual(["close", "close"]);

    // Another trader's fire through a forged button: refused.
    const other = (await world.store.fires.findFire(signal.id, 3202))!.id;
    await world.tap(3201, `mgc:cl:${other}:-:-`, 3201, 6);
    expect(world.lastTo(3201)).toContain("Fire not found");
  });

  it("the /signal wizard can create the signal with breakeven after TP1", async () => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal");
    // All eleven questions (tier, confidence and pattern skipped), then Confirm with breakeven.
    for (const text of [
      "eurusd",
      "buy",
      "1.0850",
      "1.0830",
      "1.0890 1.0910",
      "90",
      "8.5",
      "notes",
      "skip",
      "skip",
      "skip",
    ]) {
      await world.send(ADMIN_ID, text);
    }
    await world.tap(ADMIN_ID, "wiz:confirm_be");
    const [created] = await world.store.signals.listSignals("all", Date.now(), 10);
    expect(created?.signal.breakeven_after_tp1).toBe(true);
    expect(await world.store.updates.breakevenAfterTp1(created!.signal.id)).toBe(true);
  });
});
