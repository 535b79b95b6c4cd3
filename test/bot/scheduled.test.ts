import { afterEach, describe, expect, it } from "vitest";
import { manualClock } from "../../server/clock.ts";
import { type Scheduler, startScheduler } from "../../server/scheduler.ts";
import { ADMIN_ID, type BotWorld, botWorld, GROUP_A, GROUP_B, signalInput } from "./harness.ts";

type Markup = { inline_keyboard: Array<Array<{ text: string; callback_data?: string }>> };

const T0 = Date.parse("2026-11-21T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

describe("scheduled signals in Telegram", () => {
  let world: BotWorld;
  let scheduler: Scheduler | null = null;
  let lines: string[] = [];
  afterEach(async () => {
    scheduler?.stop();
    scheduler = null;
    await world?.close();
  });

  /** The scheduler as server/main.ts runs it, over the world's current process. */
  async function startPublishing() {
    scheduler?.stop();
    lines = [];
    scheduler = startScheduler(world.app, (line) => lines.push(line));
    await scheduler.ready; // what fell due while "the server was down" is published (or expired)
  }
  const alerts = () => [...world.sentTo(GROUP_A), ...world.sentTo(GROUP_B)];
  /** /signal answered up to its preview: EURUSD BUY, one target, 45 min to live, optional steps skipped. */
  async function wizardToPreview() {
    await world.send(ADMIN_ID, "/signal");
    const answers = ["eurusd", "buy", "1.0850", "1.0830", "1.0890", "45", "skip", "skip", "skip", "skip", "skip"];
    for (const answer of answers) await world.send(ADMIN_ID, answer);
  }

  it("restart between scheduling and publishing: published at start with its lateness logged, alerts once", async () => {
    const clock = manualClock(T0);
    world = await botWorld({ clock });
    await startPublishing();
    const { signal } = await world.app.signals.create(signalInput({ publish_at: iso(T0 + 10_000) }), {
      source: "api",
      actor: "admin-token",
    });
    expect(signal.status).toBe("scheduled");
    await world.sortie.notifier.idle();
    expect(alerts()).toEqual([]);

    // The server goes down before the moment and comes back 4.5 s after it.
    scheduler!.stop();
    clock.set(T0 + 14_500);
    await world.restart();
    await world.sortie.notifier.idle();
    expect(alerts()).toEqual([]);
    await startPublishing();
    await world.sortie.notifier.idle();
    expect(world.sentTo(GROUP_A)).toHaveLength(1);
    expect(world.sentTo(GROUP_B)).toHaveLength(1);
    expect(world.lastTo(GROUP_A)).toContain("EURUSD");
    expect(lines.join("\n")).toContain(
      `scheduled signal ${signal.id} published at start, 4500 ms after its publish_at`,
    );
    expect(await world.store.staged.findStaged(signal.id)).toMatchObject({ state: "published", lateness_ms: 4500 });

    // Another restart publishes nothing again and posts no second alert.
    scheduler!.stop();
    world.telegram.reset();
    await world.restart();
    await startPublishing();
    expect(await scheduler!.publishDue()).toBe(0);
    await world.sortie.notifier.idle();
    expect(alerts()).toEqual([]);
  });

  it("a signal that expired while the server was down never goes out", async () => {
    const clock = manualClock(T0);
    world = await botWorld({ clock });
    const { signal } = await world.app.signals.create(
      signalInput({ publish_at: iso(T0 + 10_000), expires_in_min: 5 }),
      {
        source: "api",
        actor: "admin-token",
      },
    );
    clock.set(T0 + 10_000 + 5 * 60_000);
    await world.restart();
    await startPublishing();
    await world.sortie.notifier.idle();
    expect(alerts()).toEqual([]);
    expect(await world.store.signals.findSignal(signal.id)).toBeNull();
    expect((await world.store.staged.findStaged(signal.id))?.state).toBe("expired");
    expect(lines.join("\n")).toContain(`scheduled signal ${signal.id} expired before it could be published`);
  });

  it("/signals lists it with a countdown; its Cancel button means no alert ever", async () => {
    const clock = manualClock(T0);
    world = await botWorld({ clock });
    await startPublishing();
    const { signal } = await world.app.signals.create(signalInput({ publish_at: iso(T0 + 125_000) }), {
      source: "api",
      actor: "admin-token",
    });
    await world.send(ADMIN_ID, "/signals");
    const listing = world.telegram.callsOf("sendMessage").at(-1)!;
    const text = String(listing.payload.text);
    expect(text).toContain("Scheduled signals</b> (1)");
    expect(text).toContain("🕒 2026-11-21 12:02:05 UTC · in 2 min 05 s");
    const buttons = (listing.payload.reply_markup as Markup).inline_keyboard.flat();
    const cancel = buttons.find((b) => b.text.startsWith("✖ Cancel scheduled"))!;
    expect(cancel.callback_data).toBe(`adm:cancel:${signal.id}`);

    await world.tap(ADMIN_ID, cancel.callback_data!);
    const answered = world.telegram.callsOf("answerCallbackQuery").at(-1)!;
    expect(String(answered.payload.text)).toContain("it will never go out");

    clock.set(T0 + 200_000);
    expect(await scheduler!.publishDue()).toBe(0);
    scheduler!.stop();
    await world.restart();
    await startPublishing();
    await world.sortie.notifier.idle();
    expect(alerts()).toEqual([]);
    expect(await world.store.signals.findSignal(signal.id)).toBeNull();
    expect((await world.store.staged.findStaged(signal.id))?.state).toBe("cancelled");
  });

  it("the wizard never schedules a moment that passed while its preview waited", async () => {
    const clock = manualClock(T0);
    world = await botWorld({ clock });
    await wizardToPreview();
    await world.tap(ADMIN_ID, "wiz:at");
    await world.send(ADMIN_ID, "12:01");
    expect(world.lastTo(ADMIN_ID)).toContain("🕒 Publishes at 2026-11-21 12:01:00 UTC");
    clock.set(T0 + 90_000);
    await world.tap(ADMIN_ID, "wiz:confirm");
    const [passed, preview] = world.sentTo(ADMIN_ID).slice(-2);
    expect(passed).toContain("That moment has passed");
    expect(preview).toContain("🚀 Publishes on Confirm");
    expect(await world.app.staged.listScheduled()).toEqual([]);
    expect(await world.store.signals.listSignals("all", clock.now(), 10)).toHaveLength(0);
  });

  it("the wizard's Publish at… schedules the signal (real timer publishes it with alerts)", async () => {
    // Real time, standing still while the admin answers (a loaded machine may take longer than
    // the 2 s lead between the answer and Confirm).
    let frozenMs: number | null = Date.now();
    world = await botWorld({ clock: { now: () => frozenMs ?? Date.now() } });
    await startPublishing();
    await wizardToPreview();
    const preview = world.telegram.callsOf("sendMessage").at(-1)!;
    expect(String(preview.payload.text)).toContain("45 min after publication");
    const data = (preview.payload.reply_markup as Markup).inline_keyboard.flat().map((b) => b.callback_data);
    expect(data).toContain("wiz:at");
    await world.tap(ADMIN_ID, "wiz:at");
    expect(world.lastTo(ADMIN_ID)).toContain("Publish when?");
    await world.send(ADMIN_ID, "yesterday at noon");
    expect(world.lastTo(ADMIN_ID)).toContain("could not read");
    await world.send(ADMIN_ID, "in 8d");
    expect(world.lastTo(ADMIN_ID)).toContain("at most 7 days ahead");
    await world.send(ADMIN_ID, "in 2s");
    const second = world.telegram.callsOf("sendMessage").at(-1)!;
    expect(String(second.payload.text)).toContain("🕒 Publishes at");
    const confirm = (second.payload.reply_markup as Markup).inline_keyboard.flat()[0]!;
    expect(confirm).toMatchObject({ text: "✅ Confirm schedule", callback_data: "wiz:confirm" });
    await world.tap(ADMIN_ID, "wiz:confirm");
    frozenMs = null;
    expect(world.lastTo(ADMIN_ID)).toMatch(/is scheduled for .* UTC \(in 2 s\)/);
    const [scheduled] = await world.app.staged.listScheduled();
    expect(scheduled).toMatchObject({ status: "scheduled", symbol: "EURUSD", source: "bot" });
    expect(Date.parse(scheduled!.expires_at) - Date.parse(scheduled!.publish_at!)).toBe(45 * 60_000);

    // The timer publishes it; the alerts go out as usual, after the moment.
    const waitMs = Date.now() + 20_000;
    while (world.sentTo(GROUP_A).length === 0 && Date.now() < waitMs) {
      await new Promise((r) => setTimeout(r, 25));
      await world.sortie.notifier.idle();
    }
    expect(world.sentTo(GROUP_A)).toHaveLength(1);
    const published = (await world.store.signals.findSignal(scheduled!.id))!;
    expect(Date.parse(published.created_at)).toBeGreaterThanOrEqual(Date.parse(scheduled!.publish_at!));
  });
});
