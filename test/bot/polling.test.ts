import { afterEach, describe, expect, it } from "vitest";
import { createLocalBot } from "../../bot/index.ts";
import { LOCAL_ALERT_CHAT_ID } from "../../bot/local.ts";
import { type BotWorld, botWorld, GROUP_A, onlineTrader, signalInput, TRADER_ID } from "./harness.ts";

describe("long polling with the runner", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  it("receives updates through getUpdates, answers them, and stops cleanly", async () => {
    world = await botWorld({ bot: { receive: "polling", pollTimeoutS: 1 } });
    await world.telegram.waitFor(() => world.telegram.callsOf("getUpdates").length > 0);
    const message = (id: number, chat: Record<string, unknown>, text: string) => ({
      message: {
        message_id: id,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: { id: TRADER_ID, is_bot: false, first_name: "Ana" },
        text,
        entities: [{ type: "bot_command", offset: 0, length: text.length }],
      },
    });
    const privateChat = { id: TRADER_ID, type: "private", first_name: "Ana" };
    // The first reply fails for good (a 400 is not retried): that update fails, the bot goes on.
    world.telegram.failNext("sendMessage", { code: 400, description: "Bad Request: can't parse entities" });
    world.telegram.pushUpdate(message(1, privateChat, "/help"));
    world.telegram.pushUpdate(message(2, privateChat, "/help"));
    world.telegram.pushUpdate(message(3, { id: GROUP_A, type: "supergroup", title: "G" }, "/link"));
    await world.telegram.waitFor(() => world.sentTo(GROUP_A).length === 1 && world.sentTo(TRADER_ID).length === 2);
    expect(world.logs.some((l) => /^update \d+ failed: GrammyError/.test(l))).toBe(true);
    expect(world.lastTo(TRADER_ID)).toContain("/risk 1.5");
    expect(world.lastTo(GROUP_A)).toContain("only works in a private chat");
    const stopped = Date.now();
    await world.sortie.stop();
    expect(Date.now() - stopped).toBeLessThan(2_000);
  });
});

describe("local mode", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  it("runs the notifier against the local outbox: alerts, edits and DMs are listed and logged", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: "" } });
    await world.sortie.stop(); // only the local bot speaks in this test
    const lines: string[] = [];
    const local = createLocalBot({ ctx: world.app, log: (m) => lines.push(m), editIntervalMs: 50, tickMs: 50 });
    await local.start();
    await onlineTrader(world, TRADER_ID);
    const { signal } = await world.app.signals.create(signalInput(), { source: "demo", actor: "demo" });
    await local.notifier.idle();
    await world.app.fires.fire(TRADER_ID, signal.id);
    await new Promise((r) => setTimeout(r, 150));
    // Both legs answer: the fill DM goes out once the whole fire has.
    for (const command of await world.app.bridge.takeCommands(TRADER_ID)) {
      await world.app.bridge.submitResult(TRADER_ID, {
        id: command.id,
        status: "filled",
        retcode: 10009,
        price: 1.0851,
      });
    }
    await local.notifier.idle();
    await local.stop();

    const entries = local.outbox.list();
    const alert = entries.find((e) => e.kind === "send" && e.chat_id === LOCAL_ALERT_CHAT_ID);
    expect(alert?.text).toContain("EURUSD BUY");
    expect(alert?.buttons).toEqual([
      [{ text: "🎯 Open mission", url: `https://t.me/sortie_test_bot/app?startapp=${signal.id}` }],
    ]);
    expect(entries.some((e) => e.kind === "edit" && e.text.includes("🔥 1 trader fired"))).toBe(true);
    expect(entries.at(-1)).toMatchObject({ kind: "send", chat_id: TRADER_ID });
    expect(entries.at(-1)!.text).toContain("Filled — EURUSD BUY");
    expect(lines.some((l) => l.startsWith(`[local bot] → chat ${TRADER_ID}`) && l.includes("Filled"))).toBe(true);
    expect(world.telegram.callsOf("sendMessage")).toHaveLength(0);
  });
});
