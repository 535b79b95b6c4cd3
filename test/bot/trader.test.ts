import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_COMMANDS, TRADER_COMMANDS } from "../../bot/commands.ts";
import { ADMIN_ID, type BotWorld, botWorld, GROUP_A, onlineTrader, signalInput, TRADER_ID } from "./harness.ts";

type Markup = { inline_keyboard: Array<Array<Record<string, unknown>>> };

describe("trader commands", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  it("/start welcomes, explains linking, offers a button to the app, and records the user", async () => {
    world = await botWorld();
    await world.send(TRADER_ID, "/start");
    const call = world.telegram.callsOf("sendMessage").at(-1)!;
    expect(String(call.payload.text)).toContain("Welcome to Sortie, User 2002!");
    expect(String(call.payload.text)).toContain("Send /link here");
    expect((call.payload.reply_markup as Markup).inline_keyboard).toEqual([
      [{ text: "🚀 Open Sortie", url: "https://t.me/sortie_test_bot/app" }],
    ]);
    expect(await world.store.users.findUser(TRADER_ID)).toMatchObject({
      username: `user${TRADER_ID}`,
      dm_status: "ok",
    });
  });

  it("/me shows tier, balance, risk, terminal status and fires left today", async () => {
    world = await botWorld();
    await world.send(TRADER_ID, "/me");
    expect(world.lastTo(TRADER_ID)).toContain("Terminal: not linked — send /link");
    await onlineTrader(world, TRADER_ID, 2500);
    await world.store.users.setTier(TRADER_ID, "FANG", new Date().toISOString());
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.app.fires.fire(TRADER_ID, signal.id);
    await world.send(TRADER_ID, "/me");
    const me = world.lastTo(TRADER_ID);
    expect(me).toContain("<b>Fang</b> tier");
    expect(me).toContain("Balance: 2500.00 USD");
    expect(me).toContain("Risk per trade: 1%");
    expect(me).toContain("Terminal: 🟢 online");
    expect(me).toContain("Fires left today: 14");
  });

  it("/risk sets the risk percent (0.1–10) and refuses anything else", async () => {
    world = await botWorld();
    const updated: number[] = [];
    world.app.hub.on("user.updated", ({ user_id }) => updated.push(user_id));
    await world.send(TRADER_ID, "/risk 1.5%");
    expect(world.lastTo(TRADER_ID)).toContain("Risk per trade set to 1.5%");
    expect((await world.store.users.findUser(TRADER_ID))?.risk_percent).toBe(1.5);
    expect(updated).toContain(TRADER_ID);
    for (const bad of ["", "0", "11", "lots"]) {
      await world.send(TRADER_ID, `/risk ${bad}`.trim());
      expect(world.lastTo(TRADER_ID)).toBe("Usage: /risk <percent>, between 0.1 and 10 (e.g. /risk 1.5). Now: 1.5%.");
    }
    expect((await world.store.users.findUser(TRADER_ID))?.risk_percent).toBe(1.5);
  });

  it("/link is refused in groups and issues nothing there", async () => {
    world = await botWorld();
    await world.send(TRADER_ID, "/link", GROUP_A);
    expect(world.lastTo(GROUP_A)).toBe("🔒 For your safety, /link only works in a private chat with me.");
    expect(world.lastTo(GROUP_A)).not.toMatch(/sb_/);
    const tokens = (await world.store.query("SELECT COUNT(*) AS n FROM bridge_tokens"))[0] as { n: number };
    expect(tokens.n).toBe(0);
  });

  it("/link issues a token shown once, stores only its sha256, and rotation retires the old one", async () => {
    world = await botWorld();
    const updated: number[] = [];
    world.app.hub.on("user.updated", ({ user_id }) => updated.push(user_id));
    await world.send(TRADER_ID, "/link");
    const first = /<code>(sb_[\w-]+)<\/code>/.exec(world.lastTo(TRADER_ID))?.[1];
    expect(first).toBeDefined();
    expect(world.lastTo(TRADER_ID)).toContain("Install the EA in MetaTrader 5");
    const sha = (t: string) => createHash("sha256").update(t).digest("hex");
    expect(await world.store.users.findUserIdByTokenHash(sha(first!))).toBe(TRADER_ID);
    const stored = await world.store.query("SELECT token_hash FROM bridge_tokens");
    expect(JSON.stringify(stored)).not.toContain(first!);
    expect(updated).toContain(TRADER_ID);

    await world.send(TRADER_ID, "/link");
    expect(world.lastTo(TRADER_ID)).toContain("the old one no longer works");
    const second = /<code>(sb_[\w-]+)<\/code>/.exec(world.lastTo(TRADER_ID))?.[1];
    expect(second).not.toBe(first);
    expect(await world.store.users.findUserIdByTokenHash(sha(first!))).toBeNull();
    expect(await world.store.users.findUserIdByTokenHash(sha(second!))).toBe(TRADER_ID);
    const logged = await world.store.query(
      "SELECT type, actor FROM events WHERE type LIKE 'bridge.token%' ORDER BY seq",
    );
    expect(logged).toEqual([
      { type: "bridge.token_issued", actor: `tg:${TRADER_ID}` },
      { type: "bridge.token_rotated", actor: `tg:${TRADER_ID}` },
    ]);
  });

  it("/trades lists recent fires with their states, /help lists the commands", async () => {
    world = await botWorld();
    await world.send(TRADER_ID, "/trades");
    expect(world.lastTo(TRADER_ID)).toContain("No trades yet");
    await onlineTrader(world, TRADER_ID);
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.app.fires.fire(TRADER_ID, signal.id);
    await world.send(TRADER_ID, "/trades");
    expect(world.lastTo(TRADER_ID)).toMatch(/EURUSD BUY [\d.]+ lots — <b>queued<\/b>/);
    await world.send(TRADER_ID, "/help");
    for (const { command } of TRADER_COMMANDS.filter((c) => c.command !== "start")) {
      expect(world.lastTo(TRADER_ID)).toContain(`/${command}`);
    }
  });
});

describe("command menus", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  it("publishes trader commands by default and admin commands in each admin's chat; a failure is not fatal", async () => {
    world = await botWorld();
    const { telegram } = world;
    telegram.failNext("setMyCommands", { code: 400, description: "Bad Request: chat not found" }, 2);
    await world.sortie.stop();
    await world.sortie.start(); // publishes again: the trader menu and the admin menu both fail
    expect(world.logs.filter((l) => l.startsWith("setMyCommands"))).toHaveLength(2);
    await world.sortie.stop();
    telegram.reset();
    await world.sortie.start();
    const calls = telegram.callsOf("setMyCommands");
    expect(calls.map((c) => c.payload.scope)).toEqual([
      { type: "all_private_chats" },
      { type: "chat", chat_id: ADMIN_ID },
    ]);
    expect(calls[0]!.payload.commands).toEqual(TRADER_COMMANDS);
    expect(calls[1]!.payload.commands).toEqual([...TRADER_COMMANDS, ...ADMIN_COMMANDS]);
    // Still answering.
    await world.send(TRADER_ID, "/help");
    expect(world.lastTo(TRADER_ID)).toContain("/me");
  });
});
