import { afterEach, describe, expect, it } from "vitest";
import { manualClock } from "../../server/clock.ts";
import { loadConfig } from "../../server/config/index.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { waitFor } from "../support/wait.ts";

const HOUR_MS = 3600_000;
const START = Date.parse("2026-11-02T10:00:00Z");

/**
 * The track record routes over a real SQLite file, with fills and closes through the bridge
 * service (the same calls the HTTP bridge routes make), on a manual clock.
 */
describe("track record routes", () => {
  let h: Harness;
  const clock = manualClock(START);
  afterEach(async () => {
    await h?.close();
    clock.set(START);
  });

  const tokens = new Map<number, { token: string; balance: number }>();
  async function trader(userId: number, balance = 10_000) {
    const token = await h.linkBridge(userId);
    tokens.set(userId, { token, balance });
    await h.heartbeat(token, { balance });
  }

  /** Fires `signalId` as `userId`, fills every leg at `fill`, and closes each at its `closes` price. */
  async function trade(userId: number, signalId: string, fill: number, closes: number[]) {
    const terminal = tokens.get(userId)!;
    await h.heartbeat(terminal.token, { balance: terminal.balance }); // online at the (moved) clock
    expect((await h.fire(userId, signalId)).statusCode).toBe(202);
    const commands = await h.ctx.bridge.takeCommands(userId);
    for (const [i, command] of commands.entries()) {
      await h.ctx.bridge.submitResult(userId, {
        id: command.id,
        status: "filled",
        retcode: 10009,
        ticket: `${command.id}-t`,
        price: fill,
        volume: (command as { volume: number }).volume,
      });
      const close = closes[i];
      if (close === undefined) continue;
      await h.ctx.bridge.submitClosed(userId, {
        id: command.id,
        close_price: close,
        // $1 per 0.00001 per lot (EURUSD): (close − fill) / 0.00001 × volume dollars, to cents.
        profit: Math.round((close - fill) * 100_000 * (command as { volume: number }).volume * 100) / 100,
        closed_at: new Date(clock.now()).toISOString(),
      });
    }
  }

  const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: "GET", url, headers });

  it("answers the contract's shape, refreshes its cache when a fire changes, and windows by days", async () => {
    h = await startHarness({ clock });
    await trader(7001);
    const a = await h.createSignal(); // BUY 1.0850 / 1.0830, one TP: 0.5 lots
    await trade(7001, a.id, 1.085, [1.089]); // +2 R
    // Signed at each call: the clock moves past initData's 24 h lifetime.
    const asTrader = () => ({ authorization: h.tma(7001) });
    const first = (await get("/api/track-record", asTrader())).json();
    expect(first).toMatchObject({ days: null, signals: 1, closed: 1, win_rate: 1, avg_r: 2, total_r: 2 });
    expect(first.equity_r).toEqual([{ t: new Date(START).toISOString(), r: 2 }]);

    clock.advance(24 * HOUR_MS);
    const b = await h.createSignal({ side: "SELL", entry: 1.085, stop_loss: 1.087, take_profit: [1.081] });
    await trade(7001, b.id, 1.085, [1.087]); // −1 R
    const second = (await get("/api/track-record", asTrader())).json();
    expect(second).toMatchObject({ signals: 2, closed: 2, win_rate: 0.5, total_r: 1, max_drawdown_r: 1 });
    expect(second.monthly).toEqual([{ month: "2026-11", closed: 2, win_rate: 0.5, avg_r: 0.5, total_r: 1 }]);

    // An hour later the first signal is 25 h old: the last day holds only the second.
    clock.advance(HOUR_MS);
    const recent = await get("/api/track-record?days=1", asTrader());
    expect(recent.json()).toMatchObject({ days: 1, signals: 1, total_r: -1 });
    const bad = await get("/api/track-record?days=0", asTrader());
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/days/);
  });

  it("is private unless TRACK_RECORD_PUBLIC=1, and so is its page", async () => {
    h = await startHarness({ clock });
    expect((await get("/api/track-record")).statusCode).toBe(401);
    const page = await get("/track-record");
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain("TRACK_RECORD_PUBLIC");
    await h.close();
    h = await startHarness({ clock, env: { TRACK_RECORD_PUBLIC: "1" } });
    expect((await get("/api/track-record")).json()).toMatchObject({ signals: 0, closed: 0, win_rate: null });
    const open = await get("/track-record?days=30");
    expect(open.statusCode).toBe(200);
    expect(open.headers["content-type"]).toContain("text/html");
    expect(open.body).toContain("No closed signals yet.");
    expect(() => loadConfig({ TRACK_RECORD_PUBLIC: "yes" })).toThrow(/TRACK_RECORD_PUBLIC/);
  });

  it("a trader's performance: own only (staff may read anyone's), R by their own fills, money and histogram", async () => {
    h = await startHarness({ clock });
    await trader(7101);
    await trader(7102, 20_000); // 1.0 lot
    const s = await h.createSignal({ take_profit: [1.089, 1.091] }); // two legs
    // 0.25 lots +1.95 R (+$97.50) and 0.25 lots −1.05 R (−$52.50) → +0.45 R, +$45.
    await trade(7101, s.id, 1.0851, [1.089, 1.083]);
    await trade(7102, s.id, 1.085, [1.091, 1.091]); // +3 R
    const res = await get(`/api/users/7101/performance`, { authorization: h.tma(7101) });
    expect(res.statusCode).toBe(200);
    const perf = res.json();
    expect(perf).toMatchObject({ user_id: 7101, currency: "USD", closed: 1, total_r: 0.45, profit: 45 });
    expect(perf.r_histogram).toEqual([{ from: 0, to: 0.5, count: 1 }]);
    expect(perf.best).toEqual({ signal_id: s.id, symbol: "EURUSD", r: 0.45 });

    const other = await get(`/api/users/7102/performance`, { authorization: h.tma(7101) });
    expect(other.statusCode).toBe(403);
    const byAdmin = await get(`/api/users/7102/performance`, h.admin);
    expect(byAdmin.json()).toMatchObject({ total_r: 3 });
    expect((await get(`/api/users/999999/performance`, h.admin)).statusCode).toBe(404);
    // The channel weighs both traders by volume: (0.25 × 1.95 + 0.25 × −1.05 + 1 × 3) / 1.5 = 2.15 R.
    expect((await get("/api/track-record", h.admin)).json()).toMatchObject({ total_r: 2.15 });
  });

  it("exports a trader's trades and the channel's signals as CSV", async () => {
    h = await startHarness({ clock });
    await trader(7201);
    const s = await h.createSignal({ shield_notes: "=HYPERLINK(evil)" });
    await trade(7201, s.id, 1.085, [1.089]);
    clock.advance(2 * HOUR_MS); // expired: settled
    h.ctx.hub.emit("signal.expired", { signal: (await h.store.signals.findSignal(s.id))! });
    await waitFor(() => h.store.trackRecord.findResult(s.id), 5000, "result settled");

    const csv = await get("/api/users/7201/trades.csv", { authorization: h.tma(7201) });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    const [header, row] = csv.body.trim().split("\r\n");
    expect(header).toBe(
      "fired_at,closed_at,fire_id,signal_id,symbol,side,lots,state,entry,stop_loss,fill_price,slippage_pips,r,profit,currency",
    );
    expect(row!.split(",").slice(3)).toEqual([
      s.id,
      "EURUSD",
      "BUY",
      "0.5",
      "closed",
      "1.085",
      "1.083",
      "1.085",
      "0",
      "2",
      "200",
      "USD",
    ]);
    expect((await get("/api/users/7201/trades.csv", { authorization: h.tma(7202) })).statusCode).toBe(403);

    expect((await get("/api/track-record/signals.csv", { authorization: h.tma(7201) })).statusCode).toBe(403);
    const signals = await get("/api/track-record/signals.csv", h.admin);
    const lines = signals.body.trim().split("\r\n");
    expect(lines[0]).toContain("outcome,r,fired,filled,rejected");
    expect(lines[1]).toContain(`${s.id},EURUSD,BUY,1.085,1.083,active`);
    expect(lines[1]).toContain(",win,2,1,1,0,0,");
  });

  it("the weekly summary is on by default and a trader turns it off in their settings (PATCH /api/me)", async () => {
    h = await startHarness({ clock });
    const me = () => h.app.inject({ method: "GET", url: "/api/me", headers: { authorization: h.tma(7301) } });
    expect((await me()).json().settings).toEqual({ weekly_summary: true });
    const off = await h.app.inject({
      method: "PATCH",
      url: "/api/me",
      headers: { authorization: h.tma(7301) },
      payload: { weekly_summary: false },
    });
    expect(off.json().settings).toEqual({ weekly_summary: false });
    expect(await h.store.trackRecord.weeklySummaryOn(7301)).toBe(false);
    const bad = await h.app.inject({
      method: "PATCH",
      url: "/api/me",
      headers: { authorization: h.tma(7301) },
      payload: { weekly_summary: "nope" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/weekly_summary/);
  });
});
