import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedMoney } from "../../bot/format/common.ts";
import { rText } from "../../bot/format/result.ts";
import type { createBot } from "../../bot/index.ts";
import type { Harness } from "../support/harness.ts";
import { paperTrader } from "../support/paper.ts";
import type { TelegramFake } from "../support/telegram-fake.ts";
import { waitFor } from "../support/wait.ts";
import { GROUP_CHAT as GROUP, startWorld } from "../support/world.ts";

const [ANA, BEN, CLEO] = [717_001, 717_002, 717_003];
const HOUR_MS = 3600_000;

/**
 * Issue #17 end to end: real server (HTTP, SQLite file), the bot over HTTP against the Bot API
 * fake, and three traders' paper terminals speaking the bridge protocol. Time is the real clock plus
 * an offset the test moves, so a signal can expire on demand while fills keep real latencies.
 */
describe("track record end to end: paper fills and closes → result reply, /profit = API", () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let telegram: TelegramFake;
  let h: Harness;
  let bot: ReturnType<typeof createBot>;
  let offsetMs = 0;
  const stops: Array<() => Promise<void>> = [];
  let updateId = 1;

  beforeAll(async () => {
    world = await startWorld({ clock: { now: () => Date.now() + offsetMs }, env: { TRACK_RECORD_PUBLIC: "1" } });
    ({ telegram, h, bot } = world);
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    await world.close();
  });

  async function trader(id: number, balance: number) {
    const t = await paperTrader(h, id, { balance });
    stops.push(() => t.terminal.stop());
    await waitFor(
      async () => (await h.store.users.findUser(id))?.balance === balance && (await h.ctx.bridge.isOnline(id)),
      10_000,
      "online",
    );
    return t;
  }
  const fireState = async (signalId: string, userId: number) =>
    (await h.store.fires.listFiresByUser(userId, 50)).find((f) => f.signal_id === signalId)?.state;
  const sentTo = (chat: number) => telegram.callsOf("sendMessage").filter((c) => Number(c.payload.chat_id) === chat);
  const alertOf = async (signalId: string) =>
    (await h.store.alerts.listAlerts(signalId)).find((a) => a.chat_id === GROUP && a.message_id !== null);
  const replyUnder = (messageId: number) =>
    sentTo(GROUP).find(
      (c) => (c.payload.reply_parameters as { message_id?: number } | undefined)?.message_id === messageId,
    );
  async function send(userId: number, text: string) {
    const command = /^\/\w+/.exec(text)!;
    await bot.handleUpdate({
      update_id: updateId++,
      message: {
        message_id: updateId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: userId, type: "private", first_name: "T" },
        from: { id: userId, is_bot: false, first_name: "T" },
        text,
        entities: [{ type: "bot_command", offset: 0, length: command[0].length }],
      },
    } as never);
    return String(sentTo(userId).at(-1)?.payload.text ?? "");
  }

  it("replies under the alert with the volume-weighted R and the counts, and edits the status line", async () => {
    const ana = await trader(ANA, 10_000); // 1 % of 10,000 over a 20-pip stop: 0.5 lots
    const ben = await trader(BEN, 5_000); // 0.25 lots
    const cleo = await trader(CLEO, 10_000);
    cleo.terminal.rejectNext(10019); // not enough money

    const signal = await h.createSignal({ take_profit: [1.089] }); // BUY 1.0850, stop 1.0830 (20 pips)
    const alert = await waitFor(() => alertOf(signal.id), 10_000, "alert posted");
    for (const id of [ANA, BEN, CLEO]) expect((await h.fire(id, signal.id)).statusCode).toBe(202);
    await waitFor(
      async () => (await fireState(signal.id, ANA)) === "filled" && (await fireState(signal.id, BEN)) === "filled",
      15_000,
      "two fills",
    );
    await waitFor(async () => (await fireState(signal.id, CLEO)) === "rejected", 15_000, "one rejection");
    expect((await h.store.fires.listFiresByUser(BEN, 5))[0]!.lots).toBe(0.25);

    // The signal expires with both positions open: no result yet.
    offsetMs += 2 * HOUR_MS;
    await waitFor(() => telegram.message(GROUP, alert.message_id!)?.text.startsWith("⌛"), 10_000, "alert closed");
    expect(await h.store.trackRecord.findResult(signal.id)).toBeNull();

    // Ana's target (1.0890: +40 pips = +2 R), Ben's stop (1.0830: −1 R).
    ana.terminal.setPrice("EURUSD", 1.089, 1.0891);
    ben.terminal.setPrice("EURUSD", 1.083, 1.0831);
    const reply = await waitFor(() => replyUnder(alert.message_id!), 15_000, "result reply");

    // (0.5 × 2 + 0.25 × −1) / 0.75 = +1 R (a plain mean of the traders would say +0.5 R).
    const text = String(reply.payload.text);
    expect(text).toContain("Result: ✅ <b>+1R</b>");
    expect(text).toContain("🔥 Fired 3 · filled 2 · rejected 1");
    expect(text).toMatch(/Avg slippage 0\.0 pips · avg fire→fill \d+(\.\d)? (ms|s)/);
    const stored = (await h.store.trackRecord.findResult(signal.id))!;
    expect(stored).toMatchObject({ outcome: "win", fired: 3, filled: 2, rejected: 1, avg_slippage_pips: 0 });
    expect(stored.r).toBeCloseTo(1, 9);
    expect(stored.avg_fill_latency_ms).toBeGreaterThan(0);
    await waitFor(async () => (await h.store.trackRecord.listUnannounced(10)).length === 0, 5000, "announced");

    const edited = telegram.message(GROUP, alert.message_id!)!.text;
    expect(edited.split("\n")[0]).toBe("✅ <b>+1R</b>");
    expect(edited).toContain("EURUSD BUY");
    expect(sentTo(GROUP).filter((c) => c.payload.reply_parameters)).toHaveLength(1);
  });

  it("a signal nobody fired gets ⏹ expired, and the channel's record counts both", async () => {
    const signal = await h.createSignal({ expires_at: new Date(h.clock.now() + HOUR_MS).toISOString() });
    const alert = await waitFor(() => alertOf(signal.id), 10_000, "alert posted");
    offsetMs += 2 * HOUR_MS;
    const reply = await waitFor(() => replyUnder(alert.message_id!), 10_000, "expired reply");
    expect(String(reply.payload.text)).toContain("⏹ <b>expired</b> — Nobody fired it.");
    expect(String(reply.payload.text)).toContain("🔥 Fired 0 · filled 0 · rejected 0");
    await waitFor(
      () => telegram.message(GROUP, alert.message_id!)?.text.startsWith("⏹ <b>expired</b>"),
      5000,
      "status line",
    );

    const record = (await h.app.inject({ method: "GET", url: "/api/track-record" })).json();
    expect(record).toMatchObject({ signals: 2, closed: 1, win_rate: 1, total_r: 1, avg_r: 1, max_drawdown_r: 0 });
    expect(record.by_symbol).toEqual([{ symbol: "EURUSD", signals: 2, win_rate: 1, total_r: 1 }]);
  });

  it("/profit for a trader says what GET /api/users/:id/performance says", async () => {
    for (const [id, r, profit] of [
      [ANA, 2, 200],
      [BEN, -1, -50],
    ] as const) {
      const res = await h.app.inject({
        method: "GET",
        url: `/api/users/${id}/performance`,
        headers: { authorization: h.tma(id) },
      });
      expect(res.statusCode).toBe(200);
      const api = res.json();
      expect(api).toMatchObject({ user_id: id, closed: 1, total_r: r, profit, currency: "USD" });
      const text = await send(id, "/profit");
      expect(text).toContain(`Total: <b>${rText(api.total_r)}</b>`);
      expect(text).toContain(`Profit: <b>${signedMoney(api.profit, api.currency)}</b>`);
      expect(text).toContain(`Closed trades: ${api.closed} · win rate ${(api.win_rate * 100).toFixed(1)}%`);
    }
    expect(await send(ANA, "/profit")).toContain("+2R");
    expect(await send(ANA, "/profit")).toContain("+200.00 USD");
    expect(await send(BEN, "/profit")).toContain("−1R");
    // Cleo's only fire was rejected: nothing closed.
    expect(await send(CLEO, "/profit")).toContain("No closed trades yet");
  });
});
