import { afterEach, describe, expect, it } from "vitest";
import { CandleSeries, createLiquiditySweep, evaluateStrategy } from "../../core/engine/index.ts";
import { manualClock } from "../../server/clock.ts";
import { EURUSD, sweepSeries, ticksOf } from "../core/engine/series.ts";
import { demoAccount } from "../support/bodies.ts";
import { ADMIN_ID, type BotWorld, botWorld, GROUP_A, GROUP_B, TRADER_ID } from "./harness.ts";

type Markup = { inline_keyboard: Array<Array<{ text: string; callback_data?: string }>> };

const SERIES = sweepSeries(1);
/** The sweep on M1, so the crafted minute candles trigger it. */
const strategies = () => [createLiquiditySweep({ timeframe: 1 })];
/** The quality the sweep's draft gets (core, pure): the threshold tests sit on either side of it. */
const QUALITY = evaluateStrategy(
  strategies()[0]!,
  new CandleSeries(SERIES).windowTo(SERIES.length),
  EURUSD,
  SERIES.at(-1)!.t + 60_000,
)!.quality;

describe("signal engine drafts in Telegram", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  /** The admin's terminal reports the crafted market minute by minute, then the last candle closes. */
  async function market(userId = ADMIN_ID) {
    const clock = world.app.clock as ReturnType<typeof manualClock>;
    const now = new Date(clock.now()).toISOString();
    await world.store.users.ensureUser({ id: userId }, now);
    await world.store.users.setBridgeTokenHash(userId, `hash-${userId}`, now);
    for (const tick of ticksOf(SERIES)) {
      clock.set(tick.time);
      await world.app.bridge.heartbeat(userId, {
        account: demoAccount(userId),
        prices: [{ symbol: "EURUSD.m", bid: tick.bid, ask: tick.ask, time: new Date(tick.time).toISOString() }],
      });
    }
    clock.set(SERIES.at(-1)!.t + 60_000);
    await world.app.engine.advance();
    await world.sortie.notifier.idle();
  }
  const start = async () => {
    world = await botWorld({ clock: manualClock(SERIES[0]!.t), engine: { strategies: strategies() } });
    world.app.engine.start(3_600_000); // listens to heartbeats; the test moves the clock itself
  };
  const alerts = () => [...world.sentTo(GROUP_A), ...world.sentTo(GROUP_B)];

  it("a draft reaches the admin with Approve / Edit / Reject; Approve publishes it with alerts", async () => {
    await start();
    await market();
    const [draft] = await world.app.engine.drafts.listPending();
    expect(draft).toMatchObject({ status: "draft", source: "engine:liquidity-sweep", symbol: "EURUSD", side: "BUY" });
    // Never visible to traders before approval.
    expect(await world.store.signals.listSignals("all", world.app.clock.now(), 10)).toHaveLength(0);
    expect(alerts()).toEqual([]);
    const dm = world.telegram.callsOf("sendMessage").find((c) => Number(c.payload.chat_id) === ADMIN_ID)!;
    expect(String(dm.payload.text)).toContain("Draft</b> from <code>engine:liquidity-sweep</code>");
    expect(String(dm.payload.text)).toContain(`Quality ${QUALITY}/10`);
    const buttons = (dm.payload.reply_markup as Markup).inline_keyboard.flat();
    expect(buttons.map((b) => b.text)).toEqual(["✅ Approve", "✏️ Edit", "✖ Reject"]);

    // A trader cannot use the admin buttons.
    await world.tap(TRADER_ID, buttons[0]!.callback_data!);
    expect(await world.store.signals.findSignal(draft!.id)).toBeNull();

    // Edit, then approve.
    await world.tap(ADMIN_ID, buttons[1]!.callback_data!);
    expect(world.lastTo(ADMIN_ID)).toContain(`/edit_draft ${draft!.id}`);
    await world.send(ADMIN_ID, `/edit_draft ${draft!.id} tp=1.1010`);
    expect(world.lastTo(ADMIN_ID)).toContain("targets 1.101");
    await world.send(ADMIN_ID, `/edit_draft ${draft!.id} sl=1.2`);
    expect(world.lastTo(ADMIN_ID)).toContain("stop_loss below entry");

    await world.tap(ADMIN_ID, buttons[0]!.callback_data!);
    await world.sortie.notifier.idle();
    const published = (await world.store.signals.findSignal(draft!.id))!;
    expect(published).toMatchObject({ status: "active", source: "engine:liquidity-sweep", take_profit: [1.101] });
    expect(world.sentTo(GROUP_A)).toHaveLength(1);
    expect(world.sentTo(GROUP_B)).toHaveLength(1);
    const edited = world.telegram
      .callsOf("editMessageText")
      .filter((c) => Number(c.payload.chat_id) === ADMIN_ID)
      .at(-1)!;
    expect(String(edited.payload.text)).toContain(`Approved and published</b> by tg:${ADMIN_ID}`);

    // A second tap (another admin, a double tap) publishes nothing again.
    await world.tap(ADMIN_ID, buttons[0]!.callback_data!);
    await world.sortie.notifier.idle();
    expect(String(world.telegram.callsOf("answerCallbackQuery").at(-1)!.payload.text)).toContain("already published");
    expect(alerts()).toHaveLength(2);
  });

  it("Reject: no alert ever, and the same setup is never proposed again (also after a restart)", async () => {
    await start();
    await market();
    const [draft] = await world.app.engine.drafts.listPending();
    await world.tap(ADMIN_ID, `adm:draft:reject:${draft!.id}`);
    await world.sortie.notifier.idle();
    expect((await world.store.staged.findStaged(draft!.id))?.state).toBe("rejected");
    const edited = world.telegram.callsOf("editMessageText").at(-1)!;
    expect(String(edited.payload.text)).toContain("Rejected</b>");

    await world.restart();
    world.app.engine.start(3_600_000);
    world.telegram.reset();
    (world.app.clock as ReturnType<typeof manualClock>).set(SERIES[0]!.t);
    await market();
    expect(await world.app.engine.drafts.listPending()).toHaveLength(0);
    expect(world.telegram.callsOf("sendMessage")).toHaveLength(0);
    expect(await world.store.signals.findSignal(draft!.id)).toBeNull();
    world.app.engine.stop();
  });

  it("auto-publish: off by default; on, a draft at the threshold is published at once and one below waits", async () => {
    await start();
    await world.send(ADMIN_ID, "/engine");
    expect(world.lastTo(ADMIN_ID)).toContain("auto-publish off");
    await world.send(ADMIN_ID, `/engine liquidity-sweep auto on ${QUALITY + 0.5}`);
    expect(world.lastTo(ADMIN_ID)).toContain(`ON for drafts of quality ≥ ${QUALITY + 0.5}`);
    await market();
    expect(await world.app.engine.drafts.listPending()).toHaveLength(1);
    expect(alerts()).toEqual([]);
    world.app.engine.stop();

    // The same market again on a fresh world, threshold exactly at the draft's quality.
    await world.close();
    await start();
    await world.send(ADMIN_ID, `/engine liquidity-sweep auto on ${QUALITY}`);
    await market();
    expect(await world.app.engine.drafts.listPending()).toHaveLength(0);
    const [published] = await world.store.signals.listSignals("all", world.app.clock.now(), 10);
    expect(published?.signal).toMatchObject({ source: "engine:liquidity-sweep", status: "active" });
    expect(world.sentTo(GROUP_A)).toHaveLength(1);
    const notice = world.sentTo(ADMIN_ID).at(-1)!;
    expect(notice).toContain("Approved and published</b> by engine:auto");
    world.app.engine.stop();
  });

  it("a draft nobody decides expires by itself: its DM says so and Approve is refused", async () => {
    await start();
    await market();
    const [draft] = await world.app.engine.drafts.listPending();
    const clock = world.app.clock as ReturnType<typeof manualClock>;
    clock.advance(15 * 60_000); // the review time of a draft
    await world.app.engine.advance();
    await world.sortie.notifier.idle();
    expect((await world.store.staged.findStaged(draft!.id))?.state).toBe("expired");
    const edited = world.telegram.callsOf("editMessageText").at(-1)!;
    expect(String(edited.payload.text)).toContain("Expired</b> before anyone approved it");
    await world.tap(ADMIN_ID, `adm:draft:approve:${draft!.id}`);
    expect(String(world.telegram.callsOf("answerCallbackQuery").at(-1)!.payload.text)).toContain("already expired");
    await world.sortie.notifier.idle();
    expect(alerts()).toEqual([]);
    world.app.engine.stop();
  });

  it("a trader's terminal does not feed the engine", async () => {
    await start();
    await market(TRADER_ID);
    expect(world.app.engine.health().symbols).toEqual([]);
    expect(await world.app.engine.drafts.listPending()).toHaveLength(0);
    world.app.engine.stop();
  });
});
