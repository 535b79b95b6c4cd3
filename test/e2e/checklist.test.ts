import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signalBody } from "../support/bodies.ts";
import { paperTrader } from "../support/paper.ts";
import { waitFor } from "../support/wait.ts";
import { GROUP_CHAT, startWorld, TRADER } from "../support/world.ts";
import { byTest, launchChromium, openApp, screenshot } from "../webapp/support/browser.ts";
import { buildWebappOnce } from "../webapp/support/server.ts";
import { signInitData } from "../webapp/support/telegram.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
type Markup = { inline_keyboard: Array<Array<{ text: string; url?: string }>> };
type PaperTrader = Awaited<ReturnType<typeof paperTrader>>;
type FireBody = { fire: { id: string; state: string; lots: number; legs: Array<{ id: string; volume: number }> } };

/** Two more traders beside TRADER ($10 000): each must see and trade their own size. */
const OTHERS = [
  { id: 555_002, balance: 20_000, lots: 1 },
  { id: 555_003, balance: 5_000, lots: 0.25 },
];

/** The production checklist of the original design, walked in one run over real HTTP. */
describe("production checklist, end to end", () => {
  let w: World;
  let browser: Browser;
  const others: PaperTrader[] = [];
  beforeAll(async () => {
    w = await startWorld({ distDir: await buildWebappOnce() });
    for (const o of OTHERS) others.push(await paperTrader(w.h, o.id, { balance: o.balance }));
    for (const id of [TRADER, ...OTHERS.map((o) => o.id)]) {
      await waitFor(async () => await w.h.ctx.bridge.isOnline(id), 30_000, `terminal of ${id} online`);
    }
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    for (const o of others) await o.terminal.stop();
    await w.close();
  });

  it("signal → group alert → personal mission → fire → terminal → fill → alert and DM → filled → close → stats", async () => {
    const { h, telegram, trader } = w;
    // 1. The admin logs a signal; it is stored once, with its JSON in the event log.
    const created = await fetch(`${h.url}/api/signals`, {
      method: "POST",
      headers: { ...h.admin, "content-type": "application/json" },
      body: JSON.stringify(
        signalBody({
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          confidence: 89.5,
          shield_score: 8.9,
        }),
      ),
    });
    expect(created.status).toBe(201);
    const signal = (await created.json()) as { id: string };
    const logged = (
      await h.store.query("SELECT data FROM events WHERE type = 'signal.created' AND signal_id = ?", [signal.id])
    )[0] as { data: string };
    expect(JSON.parse(logged.data).signal).toMatchObject({ id: signal.id, symbol: "EURUSD", entry: 1.085 });
    // Nothing per user was written: only the three linked traders exist.
    expect((await h.store.query("SELECT COUNT(*) AS n FROM users"))[0]).toEqual({ n: 1 + OTHERS.length });

    // 2. One alert in the group, whose only button opens the Mini App with startapp=<id>.
    const alert = await waitFor(
      () => telegram.callsOf("sendMessage").find((c) => c.payload.chat_id === GROUP_CHAT),
      30_000,
      "alert",
    );
    const buttons = (alert.payload.reply_markup as Markup).inline_keyboard.flat();
    expect(buttons).toEqual([
      { text: expect.any(String), url: `https://t.me/sortie_test_bot/app?startapp=${signal.id}` },
    ]);

    // 3. Each trader opens the mission and sees their own size: 1 % of the balance on 20 pips at
    //    $10 per pip per lot — $100 → 0.50 lots, $200 → 1.00, $50 → 0.25.
    const sizes = [{ id: TRADER, lots: 0.5 }, ...OTHERS];
    for (const { id, lots } of sizes) {
      const mission = await fetch(`${h.url}/api/missions/${signal.id}`, { headers: { authorization: h.tma(id) } });
      expect(((await mission.json()) as { position: { lots: number } }).position.lots).toBe(lots);
    }

    // 4. FIRE, for each trader: accepted with a fire id and one command id per leg; that command
    //    (and no other trader's) reaches that trader's terminal and opens their own size.
    const fires = new Map<number, FireBody["fire"]>();
    for (const { id, lots } of sizes) {
      const fired = await fetch(`${h.url}/api/fire`, {
        method: "POST",
        headers: { authorization: h.tma(id), "content-type": "application/json" },
        body: JSON.stringify({ signal_id: signal.id }),
      });
      expect(fired.status).toBe(202);
      const { fire } = (await fired.json()) as FireBody;
      expect(fire).toMatchObject({ state: "queued", lots });
      expect(fire.id).toMatch(/^f_/);
      expect(fire.legs).toHaveLength(1);
      expect(fire.legs[0]!.id).toMatch(/^c_/);
      fires.set(id, fire);
    }
    expect(new Set([...fires.values()].map((f) => f.id)).size).toBe(sizes.length);
    const terminalOf = (id: number) => (id === TRADER ? trader : others[OTHERS.findIndex((o) => o.id === id)]!);
    for (const { id, lots } of sizes) {
      const fire = fires.get(id)!;
      const terminal = terminalOf(id).terminal;
      await waitFor(() => terminal.positions().length === 1, 30_000, `position of ${id} opened`);
      expect(terminal.positions()[0]).toMatchObject({ fire_id: fire.id, command_id: fire.legs[0]!.id, volume: lots });
      expect(terminal.executedIds()).toEqual([fire.legs[0]!.id]);
      const queued = await h.store.query("SELECT data FROM events WHERE type = 'command.queued' AND fire_id = ?", [
        fire.id,
      ]);
      expect(queued.map((r) => (JSON.parse(r.data as string) as { id: string }).id)).toEqual([fire.legs[0]!.id]);
    }
    const filled = await waitFor(
      async () =>
        (await h.store.fires.findFire(signal.id, TRADER))?.state === "filled"
          ? await h.store.fires.findFire(signal.id, TRADER)
          : null,
      30_000,
      "filled",
    );
    expect(filled.fill_price).toBe(1.085);
    expect(filled.id).toBe(fires.get(TRADER)!.id);
    expect(filled.legs.map((l) => [l.id, l.state])).toEqual([[fires.get(TRADER)!.legs[0]!.id, "filled"]]);

    // 5. The group alert shows the fire count; the trader gets a DM about the fill.
    await waitFor(
      () =>
        telegram
          .callsOf("editMessageText")
          .some((c) => c.payload.chat_id === GROUP_CHAT && /3 traders fired|🔥 3/.test(String(c.payload.text))),
      30_000,
      "alert count edit",
    );
    const dm = await waitFor(
      () =>
        telegram
          .callsOf("sendMessage")
          .find((c) => c.payload.chat_id === TRADER && /fill/i.test(String(c.payload.text))),
      30_000,
      "fill DM",
    );
    expect(String(dm.payload.text)).toContain("0.5 lots at <code>1.085</code>");
    // Every trader hears about their own fill, with their own size.
    for (const { id, lots } of OTHERS) {
      const own = await waitFor(
        () =>
          telegram
            .callsOf("sendMessage")
            .find((c) => c.payload.chat_id === id && /Filled/.test(String(c.payload.text))),
        30_000,
        `fill DM to ${id}`,
      );
      expect(String(own.payload.text)).toContain(`${lots} lots at <code>1.085</code>`);
    }

    // 6. The mission shows filled.
    const after = (await (
      await fetch(`${h.url}/api/missions/${signal.id}`, { headers: { authorization: h.tma(TRADER) } })
    ).json()) as { fire: { id: string; state: string; fill_price: number } };
    expect(after.fire).toMatchObject({ id: fires.get(TRADER)!.id, state: "filled", fill_price: 1.085 });

    // 7. Price hits the take-profit: the close updates stats and XP, and the trader hears about it.
    trader.terminal.setPrice("EURUSD", 1.089, 1.0891);
    await waitFor(async () => (await h.store.fires.findFire(signal.id, TRADER))?.state === "closed", 30_000, "closed");
    const stats = (await (
      await fetch(`${h.url}/api/users/${TRADER}/stats`, { headers: { authorization: h.tma(TRADER) } })
    ).json()) as Record<string, number>;
    expect(stats).toMatchObject({ trades: 1, wins: 1, pnl: 200, xp: 35 });
    const closeDm = await waitFor(
      () =>
        telegram
          .callsOf("sendMessage")
          .find((c) => c.payload.chat_id === TRADER && /closed/i.test(String(c.payload.text))),
      30_000,
      "close DM",
    );
    expect(String(closeDm.payload.text)).toContain("EURUSD BUY 0.5 lots");
    expect(String(closeDm.payload.text)).toContain("P&amp;L +200.00 USD");
    const closedLeg = (await h.store.fires.findFire(signal.id, TRADER))!.legs[0]!;
    expect([closedLeg.id, closedLeg.state, closedLeg.close_price]).toEqual([
      fires.get(TRADER)!.legs[0]!.id,
      "closed",
      1.089,
    ]);
    // The other traders' positions are still open: their terminals' prices did not move.
    for (const o of others) expect(o.terminal.positions()).toHaveLength(1);

    // 8. The Mini App, in headless Chromium, shows the trader the closed trade with its P&L.
    const user = { id: TRADER, first_name: "Trader", username: "trader" };
    const launch = (startParam?: string) => signInitData(h.config.signingToken, user, startParam);
    const { page, errors } = await openApp(
      browser,
      h.url,
      { user, initData: launch(), launch, terminal: null },
      signal.id,
    );
    await page.waitForSelector(`${byTest("fire-status")}[data-state="closed"]`, { timeout: 20_000 });
    const status = (await page.textContent(byTest("fire-status"))) ?? "";
    expect(status).toContain("+$200.00");
    await screenshot(page, "checklist-closed");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);
});
