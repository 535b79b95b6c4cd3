import { afterEach, describe, expect, it } from "vitest";
import { manualClock } from "../../server/clock.ts";
import { ADMIN_ID, type BotWorld, botWorld, GROUP_A, GROUP_B, onlineTrader, signalInput } from "./harness.ts";

const TRADER = 4004;
const DAY_MS = 24 * 3600_000;
// A Wednesday: last week = Mon 16 – Sun 22 Nov, this week from Mon 23 Nov.
const WEDNESDAY = Date.parse("2026-11-25T12:00:00Z");

/** Fires a signal as `userId`, fills each leg at 1.0850 and closes it at `close` (bridge service). */
async function closedTrade(world: BotWorld, userId: number, close: number, over: Record<string, unknown> = {}) {
  const { app } = world;
  const balance = (await app.store.users.findUser(userId))?.balance ?? 10_000;
  await app.bridge.heartbeat(userId, {
    account: { login: userId, server: "Demo", currency: "USD", balance, equity: balance, trade_allowed: true },
  });
  const { signal } = await app.signals.create(signalInput({ take_profit: [1.089], ...over }), {
    source: "api",
    actor: "admin-token",
  });
  await app.fires.fire(userId, signal.id);
  for (const command of (await app.bridge.takeCommands(userId)) as Array<{ id: string; volume: number }>) {
    await app.bridge.submitResult(userId, {
      id: command.id,
      status: "filled",
      retcode: 10009,
      price: 1.085,
      volume: command.volume,
    });
    await app.bridge.submitClosed(userId, {
      id: command.id,
      close_price: close,
      profit: Math.round((close - 1.085) * 100_000 * command.volume * 100) / 100,
      closed_at: new Date(app.clock.now()).toISOString(),
    });
  }
  await world.sortie.notifier.idle(); // the fill and close DMs are out before any command's reply
  return signal;
}

/** The newest text the bot sent to `chat` that starts with `prefix`. */
const lastStarting = (world: BotWorld, chat: number, prefix: string) =>
  world
    .sentTo(chat)
    .filter((t) => t.startsWith(prefix))
    .at(-1) ?? "";

describe("bot: /daily, /weekly, the weekly summary DM and /report", () => {
  let world: BotWorld;
  const clock = manualClock(WEDNESDAY - 7 * DAY_MS); // last week's Wednesday
  afterEach(async () => {
    await world.close();
    clock.set(WEDNESDAY - 7 * DAY_MS);
  });

  it("/daily and /weekly list results per period, newest first, empty periods included", async () => {
    world = await botWorld({ clock });
    await onlineTrader(world, TRADER);
    await closedTrade(world, TRADER, 1.089); // last week: +2 R, +$200 (0.5 lots)
    clock.set(WEDNESDAY - DAY_MS);
    await closedTrade(world, TRADER, 1.083); // yesterday: −1 R, −$100
    clock.set(WEDNESDAY);

    await world.send(TRADER, "/daily 3");
    const daily = lastStarting(world, TRADER, "📅").split("\n");
    expect(daily).toEqual([
      "📅 <b>Daily (last 3 days, UTC)</b>",
      "<code>2026-11-25</code> —",
      "<code>2026-11-24</code> 1 closed · −1R · -100.00 USD",
      "<code>2026-11-23</code> —",
    ]);
    await world.send(TRADER, "/weekly 2");
    expect(lastStarting(world, TRADER, "📅").split("\n").slice(1)).toEqual([
      "<code>2026-11-23*</code> 1 closed · −1R · -100.00 USD",
      "<code>2026-11-16</code> 1 closed · +2R · +200.00 USD",
    ]);
    await world.send(TRADER, "/daily 99");
    expect(world.lastTo(TRADER)).toMatch(/^Usage: \/daily/);
  });

  it("sends last week's summary once on Monday, and never after /weekly off", async () => {
    world = await botWorld({ clock });
    await onlineTrader(world, TRADER);
    await onlineTrader(world, 5005);
    await closedTrade(world, TRADER, 1.089);
    await closedTrade(world, 5005, 1.089);
    await world.send(5005, "/weekly off");
    expect(world.lastTo(5005)).toContain("Weekly summary off");
    const before = world.sentTo(5005).length;

    clock.set(WEDNESDAY);
    world.sortie.notifier.weeklyNow();
    world.sortie.notifier.weeklyNow(); // a second check the same week sends nothing more
    await world.sortie.notifier.idle();
    const summaries = world.sentTo(TRADER).filter((t) => t.startsWith("🗓 <b>Your week</b>"));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain("(from 2026-11-16)");
    expect(summaries[0]).toContain("Result: <b>+2R</b> · +200.00 USD");
    expect(world.sentTo(5005)).toHaveLength(before);
  });

  it("/report previews the channel's record with a button per alert chat and posts where the admin says", async () => {
    world = await botWorld({ clock });
    await onlineTrader(world, TRADER);
    await closedTrade(world, TRADER, 1.089);
    await world.send(ADMIN_ID, "/report 30");
    const preview = world.telegram
      .callsOf("sendMessage")
      .filter((c) => Number(c.payload.chat_id) === ADMIN_ID)
      .at(-1)!;
    expect(String(preview.payload.text)).toContain("📈 <b>Track record</b> (last 30 days)");
    expect(String(preview.payload.text)).toContain("Total <b>+2R</b>");
    const buttons = (preview.payload.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> })
      .inline_keyboard;
    expect(buttons.flat().map((b) => b.callback_data)).toEqual([
      `adm:report:30:${GROUP_A}`,
      `adm:report:30:${GROUP_B}`,
    ]);

    await world.tap(ADMIN_ID, `adm:report:30:${GROUP_B}`);
    expect(world.lastTo(GROUP_B)).toContain("📈 <b>Track record</b> (last 30 days)");
    await world.send(ADMIN_ID, `/report all ${GROUP_A}`);
    expect(world.lastTo(GROUP_A)).toContain("(all time)");
    expect(world.lastTo(ADMIN_ID)).toBe(`✅ Report posted in chat ${GROUP_A}.`);

    // A trader can neither run it nor press its button.
    const groupPosts = world.sentTo(GROUP_B).length;
    await world.send(TRADER, "/report");
    expect(world.lastTo(TRADER)).toMatch(/only/);
    await world.tap(TRADER, `adm:report:30:${GROUP_B}`);
    expect(world.sentTo(GROUP_B)).toHaveLength(groupPosts);
  });

  it("a result settled while the bot was down is replied under the alert when it starts again", async () => {
    world = await botWorld({ clock });
    const { signal } = await world.app.signals.create(signalInput({ expires_in_min: 30 }), {
      source: "api",
      actor: "admin-token",
    });
    await world.telegram.waitFor(() => world.sentTo(GROUP_A).length === 1);
    await world.sortie.notifier.idle();
    const alertId = (await world.store.alerts.listAlerts(signal.id)).find((a) => a.chat_id === GROUP_A)!.message_id!;

    clock.advance(3600_000); // expired while nothing watched; the restart settles and announces it
    await world.restart();
    await world.telegram.waitFor(() => world.sentTo(GROUP_A).length === 2);
    await world.sortie.notifier.idle();
    const reply = world.telegram
      .callsOf("sendMessage")
      .filter((c) => Number(c.payload.chat_id) === GROUP_A)
      .at(-1)!;
    expect(reply.payload.reply_parameters).toMatchObject({ message_id: alertId });
    expect(String(reply.payload.text)).toContain("⏹ <b>expired</b> — Nobody fired it.");
    expect(world.telegram.message(GROUP_A, alertId)!.text.split("\n")[0]).toBe("⏹ <b>expired</b>");
    expect(await world.store.trackRecord.listUnannounced(10)).toEqual([]);
    await world.restart(); // announced once: nothing more
    await world.sortie.notifier.idle();
    expect(world.sentTo(GROUP_A)).toHaveLength(2);
  });
});
