import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait.ts";
import { GROUP_CHAT, startWorld, TRADER } from "../support/world.ts";

type World = Awaited<ReturnType<typeof startWorld>>;
type Markup = { inline_keyboard: Array<Array<{ text: string; url?: string }>> };

/** The production checklist of the original design, walked in one run over real HTTP. */
describe("production checklist, end to end", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
    await waitFor(async () => await w.h.ctx.bridge.isOnline(TRADER), 5000, "trader's terminal online");
  });
  afterAll(() => w.close());

  it("signal → group alert → personal mission → fire → terminal → fill → alert and DM → filled → close → stats", async () => {
    const { h, telegram, trader } = w;
    // 1. The admin logs a signal; it is stored once, with its JSON in the event log.
    const created = await fetch(`${h.url}/api/signals`, {
      method: "POST",
      headers: { ...h.admin, "content-type": "application/json" },
      body: JSON.stringify({
        symbol: "EURUSD",
        side: "BUY",
        entry: 1.085,
        stop_loss: 1.083,
        take_profit: [1.089],
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        confidence: 89.5,
        shield_score: 8.9,
      }),
    });
    expect(created.status).toBe(201);
    const signal = (await created.json()) as { id: string };
    const logged = (
      await h.store.query("SELECT data FROM events WHERE type = 'signal.created' AND signal_id = ?", [signal.id])
    )[0] as { data: string };
    expect(JSON.parse(logged.data).signal).toMatchObject({ id: signal.id, symbol: "EURUSD", entry: 1.085 });
    expect((await h.store.query("SELECT COUNT(*) AS n FROM users"))[0]).toEqual({ n: 1 }); // nothing per user was written

    // 2. One alert in the group, whose only button opens the Mini App with startapp=<id>.
    const alert = await waitFor(
      () => telegram.callsOf("sendMessage").find((c) => c.payload.chat_id === GROUP_CHAT),
      5000,
      "alert",
    );
    const buttons = (alert.payload.reply_markup as Markup).inline_keyboard.flat();
    expect(buttons).toEqual([
      { text: expect.any(String), url: `https://t.me/sortie_test_bot/app?startapp=${signal.id}` },
    ]);

    // 3. The trader opens the mission and sees their own size: $100 on 20 pips = 0.50 lots.
    const mission = await fetch(`${h.url}/api/missions/${signal.id}`, { headers: { authorization: h.tma(TRADER) } });
    expect(((await mission.json()) as { position: { lots: number } }).position.lots).toBe(0.5);

    // 4. FIRE: accepted, the command reaches that trader's terminal, executes, the result comes back.
    const fired = await fetch(`${h.url}/api/fire`, {
      method: "POST",
      headers: { authorization: h.tma(TRADER), "content-type": "application/json" },
      body: JSON.stringify({ signal_id: signal.id }),
    });
    expect(fired.status).toBe(202);
    await waitFor(() => trader.terminal.positions().length === 1, 5000, "position opened");
    const filled = await waitFor(
      async () =>
        (await h.store.fires.findFire(signal.id, TRADER))?.state === "filled"
          ? await h.store.fires.findFire(signal.id, TRADER)
          : null,
      5000,
      "filled",
    );
    expect(filled.fill_price).toBe(1.085);

    // 5. The group alert shows the fire count; the trader gets a DM about the fill.
    await waitFor(
      () =>
        telegram
          .callsOf("editMessageText")
          .some((c) => c.payload.chat_id === GROUP_CHAT && /1 fired|Fired: 1|🔥 1/.test(String(c.payload.text))),
      5000,
      "alert count edit",
    );
    const dm = await waitFor(
      () =>
        telegram
          .callsOf("sendMessage")
          .find((c) => c.payload.chat_id === TRADER && /fill/i.test(String(c.payload.text))),
      5000,
      "fill DM",
    );
    expect(String(dm.payload.text)).toContain("1.085");

    // 6. The mission shows filled.
    const after = (await (
      await fetch(`${h.url}/api/missions/${signal.id}`, { headers: { authorization: h.tma(TRADER) } })
    ).json()) as { fire: { state: string; fill_price: number } };
    expect(after.fire).toMatchObject({ state: "filled", fill_price: 1.085 });

    // 7. Price hits the take-profit: the close updates stats and XP, and the trader hears about it.
    trader.terminal.setPrice("EURUSD", 1.089, 1.0891);
    await waitFor(async () => (await h.store.fires.findFire(signal.id, TRADER))?.state === "closed", 5000, "closed");
    const stats = (await (
      await fetch(`${h.url}/api/users/${TRADER}/stats`, { headers: { authorization: h.tma(TRADER) } })
    ).json()) as Record<string, number>;
    expect(stats).toMatchObject({ trades: 1, wins: 1, pnl: 200, xp: 35 });
    await waitFor(
      () =>
        telegram
          .callsOf("sendMessage")
          .some((c) => c.payload.chat_id === TRADER && /closed/i.test(String(c.payload.text))),
      5000,
      "close DM",
    );
  });
});
