import { beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../../support/harness.ts";
import { requestJson } from "../../support/http.ts";
import { waitFor } from "../../support/wait.ts";
import {
  brokerPositions,
  type EaProcess,
  type EaTrader,
  eaSuite,
  quote,
  setMarket,
  settledMission,
} from "./support.ts";

/**
 * Protocol 1.1 end to end: the compiled EA on a simulated broker, the real server deciding what to
 * modify and close (POST /api/signals/:id/updates, POST /api/fires/:id/manage), over HTTP
 * (WebRequest) and through the drop folder.
 */
describe.each(["http", "file"] as const)("trade management with the EA binary over %s", (transport) => {
  const { trader, server } = eaSuite(transport, transport === "http" ? 63_000 : 64_000);
  let h: Harness;
  beforeAll(() => {
    h = server();
  });

  const api = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    requestJson(h.url, method, url, headers, body);
  const asAdmin = (key: string) => ({ ...h.admin, "idempotency-key": key });
  const asUser = (t: EaTrader, key?: string) => ({
    authorization: h.tma(t.userId),
    ...(key ? { "idempotency-key": key } : {}),
  });
  const positionsView = async (t: EaTrader, fireId: string) =>
    (await api("GET", `/api/fires/${fireId}/positions`, asUser(t))).body;
  const progress = async (signalId: string, updateId: string) => {
    const { body } = await api("GET", `/api/signals/${signalId}/updates`, h.admin);
    return body.updates.find((u: { id: string }) => u.id === updateId).progress as Record<string, number>;
  };
  /** States of one update's (or request's) commands on a trader's fire, by leg. */
  const commandStates = async (t: EaTrader, fireId: string, updateId: string) =>
    (await positionsView(t, fireId)).commands
      .filter((c: { update_id: string }) => c.update_id === updateId)
      .map((c: { leg: number; state: string }) => `${c.leg}:${c.state}`)
      .join(" ");
  /** The EA's requests that changed a position's stops, or closed one (a deal on a position). */
  const modifies = (ea: EaProcess) => ea.orders.filter((o) => o.action === "sltp");
  const closes = (ea: EaProcess) => ea.orders.filter((o) => o.action === "deal" && o.position > 0);

  /** Both traders fire a 2-TP signal; each EA fills one position per leg. */
  async function fireTwoLegs(all: EaTrader[]) {
    const signal = await h.createSignal({ take_profit: [1.089, 1.091] });
    const fires = new Map<EaTrader, string>();
    for (const t of all) {
      const res = await h.fire(t.userId, signal.id);
      expect(res.statusCode, res.body).toBe(202);
      fires.set(t, res.json().fire.id);
      await settledMission(h, t.userId, signal.id, (f) => f.legs.every((leg) => leg.state === "filled"));
    }
    return { signalId: signal.id, fires };
  }

  it("breakeven from the admin moves each position's stop to its own fill; a trader's close and an admin close close them with profit", async () => {
    const a = await trader({ account: "hedging" });
    // Two points of slippage: this trader's fills, and so its breakeven stops, differ from a's.
    const b = await trader({ account: "hedging", market: ["slippage_points 2"] });
    const { signalId, fires } = await fireTwoLegs([a, b]);
    expect(brokerPositions(a.dir).map((p) => [p.side, p.volume, p.price, p.sl])).toEqual([
      ["BUY", 0.25, 1.085, 1.083],
      ["BUY", 0.25, 1.085, 1.083],
    ]);
    expect(brokerPositions(b.dir).map((p) => p.price)).toEqual([1.08502, 1.08502]);

    // Breakeven while the bid is still under the fills: a BUY's stop above the bid is refused by
    // the EA before the broker hears of it, and the server records why, per position.
    const early = await api("POST", `/api/signals/${signalId}/updates`, asAdmin("be-early"), { action: "breakeven" });
    expect(early.status).toBe(201);
    expect(early.body.update).toMatchObject({ action: "breakeven", positions: 4, skipped: 0 });
    await waitFor(async () => (await progress(signalId, early.body.update.id)).rejected === 4, 60_000, "4 refusals");
    const refused = await positionsView(a, fires.get(a)!);
    expect(refused.commands.filter((c: { update_id: string }) => c.update_id === early.body.update.id)).toMatchObject([
      { action: "modify", state: "rejected", stop_loss: 1.085, message: expect.stringMatching(/invalid stops/) },
      { action: "modify", state: "rejected", stop_loss: 1.085, message: expect.stringMatching(/invalid stops/) },
    ]);
    expect(modifies(a.ea)).toEqual([]);

    for (const t of [a, b]) await quote(h, t, 1.087, 1.0871, ["slippage_points 0"]);
    const be = await api("POST", `/api/signals/${signalId}/updates`, asAdmin("be-1"), {
      action: "breakeven",
      note: "TP1 near",
    });
    expect(be.status).toBe(201);
    expect(be.body.update).toMatchObject({ action: "breakeven", positions: 4, skipped: 0 });
    const again = await api("POST", `/api/signals/${signalId}/updates`, asAdmin("be-1"), { action: "breakeven" });
    expect(again.status).toBe(200);
    expect(again.body.update.id).toBe(be.body.update.id);
    await waitFor(async () => (await progress(signalId, be.body.update.id)).applied === 4, 60_000, "4 applied");

    // At the broker: every stop at its own position's fill, the targets untouched.
    for (const [t, fill] of [
      [a, 1.085],
      [b, 1.08502],
    ] as const) {
      expect(brokerPositions(t.dir).map((p) => [p.price, p.sl, p.tp])).toEqual([
        [fill, fill, 1.089],
        [fill, fill, 1.091],
      ]);
      // One SLTP request per position, whatever was redelivered.
      expect(modifies(t.ea).map((o) => [o.sl, o.retcode])).toEqual([
        [fill, 10009],
        [fill, 10009],
      ]);
      expect(new Set(modifies(t.ea).map((o) => o.position)).size).toBe(2);
      const view = await positionsView(t, fires.get(t)!);
      expect(view.protocol).toBe("1.1");
      expect(view.open.map((p: { fill_price: number; stop_loss: number }) => [p.fill_price, p.stop_loss])).toEqual([
        [fill, fill],
        [fill, fill],
      ]);
      const applied = view.commands.filter((c: { update_id: string }) => c.update_id === be.body.update.id);
      expect(applied.map((c: { leg: number; state: string }) => [c.leg, c.state])).toEqual([
        [1, "applied"],
        [2, "applied"],
      ]);
      expect(view.timeline.filter((e: { kind: string }) => e.kind === "stop_moved")).toHaveLength(2);
    }

    // Trader a closes its own fire, and the terminal is killed right after the first close
    // reaches the broker, before the EA sees the answer.
    await quote(h, a, 1.0872, 1.0873, ["kill_after_order_send 1"]);
    const manage = await api("POST", `/api/fires/${fires.get(a)}/manage`, asUser(a, "close-a"), { action: "close" });
    expect(manage.status).toBe(202);
    expect(manage.body.request).toMatchObject({ action: "close", positions: 2 });
    const repeated = await api("POST", `/api/fires/${fires.get(a)}/manage`, asUser(a, "close-a"), { action: "close" });
    expect(repeated.status).toBe(200);
    expect(repeated.body.request.id).toBe(manage.body.request.id);
    expect(await a.ea.exited).toEqual({ code: null, signal: "SIGKILL" });
    const [killedClose, ...none] = closes(a.ea);
    expect(none).toEqual([]);
    expect(killedClose).toMatchObject({ side: "SELL", volume: 0.25, price: 1.0872, retcode: 10009 });
    expect(brokerPositions(a.dir)).toHaveLength(1);

    // The restart finds that close in the terminal's history: never sent again, only the other.
    setMarket(a.dir, ["price EURUSD.m 1.0872 1.0873"]);
    const restarted = await a.start();
    const closed = await settledMission(h, a.userId, signalId, (f) => f.state === "closed", 60_000);
    expect(restarted.orders.filter((o) => o.position === killedClose!.position)).toEqual([]);
    expect(closes(restarted).map((o) => [o.side, o.volume, o.price, o.retcode])).toEqual([
      ["SELL", 0.25, 1.0872, 10009],
    ]);
    expect(brokerPositions(a.dir)).toEqual([]);
    // +22 pips x $10 x 0.25 lots on each leg.
    expect(closed.fire.profit).toBe(110);
    // The close commands' own results may land after the fire's `closed` reports (the drop folder
    // and the EA's outbox do not order them): wait for both, then check them.
    const closeStates = async () => {
      const view = await positionsView(a, fires.get(a)!);
      expect(view.open).toEqual([]);
      return view.commands
        .filter((c: { update_id: string }) => c.update_id === manage.body.request.id)
        .map((c: { action: string; state: string }) => [c.action, c.state]);
    };
    await waitFor(
      async () => (await closeStates()).every(([, state]: string[]) => state !== "delivered"),
      30_000,
      "close results",
    );
    expect(await closeStates()).toEqual([
      ["close", "applied"],
      ["close", "applied"],
    ]);
    const nothing = await api("POST", `/api/fires/${fires.get(a)}/manage`, asUser(a), { action: "close" });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe("NOTHING_OPEN");

    // The admin closes what is left of the signal: only b's two positions.
    const close = await api("POST", `/api/signals/${signalId}/updates`, asAdmin("close-all"), { action: "close" });
    expect(close.status).toBe(201);
    expect(close.body.update).toMatchObject({ action: "close", positions: 2, skipped: 0 });
    const closedB = await settledMission(h, b.userId, signalId, (f) => f.state === "closed", 60_000);
    expect(closes(b.ea).map((o) => [o.side, o.volume, o.price, o.retcode])).toEqual([
      ["SELL", 0.25, 1.087, 10009],
      ["SELL", 0.25, 1.087, 10009],
    ]);
    expect(brokerPositions(b.dir)).toEqual([]);
    // +19.8 pips x $10 x 0.25 lots on each leg.
    expect(closedB.fire.profit).toBe(99);
    await waitFor(async () => (await progress(signalId, close.body.update.id)).applied === 2, 30_000, "closes applied");
    expect(closes(restarted)).toHaveLength(1);
  }, 180_000);

  it("on a netting account, closing leg 1 closes only that leg's volume of the shared position, and reports that leg closed at once", async () => {
    const t = await trader({ account: "netting" });
    const { signalId, fires } = await fireTwoLegs([t]);
    expect(brokerPositions(t.dir).map((p) => [p.volume, p.price])).toEqual([[0.5, 1.085]]);
    await quote(h, t, 1.087, 1.0871);
    const res = await api("POST", `/api/fires/${fires.get(t)}/manage`, asUser(t, "leg-1"), { action: "close", leg: 1 });
    expect(res.status).toBe(202);
    const applied = async () => (await commandStates(t, fires.get(t)!, res.body.request.id)) === "1:applied";
    await waitFor(applied, 60_000, "close applied");
    expect(closes(t.ea).map((o) => [o.side, o.volume])).toEqual([["SELL", 0.25]]);
    expect(brokerPositions(t.dir).map((p) => p.volume)).toEqual([0.25]);
    // The position stays open for leg 2, and leg 1 is closed in Sortie now, from its own deal:
    // +20 pips x $10 x 0.25 lots at the bid of 1.087.
    const legOneClosed = await settledMission(h, t.userId, signalId, (f) => f.legs[0]!.state === "closed", 30_000);
    expect(
      legOneClosed.fire.legs.map((l: { state: string; close_price: number | null; profit: number | null }) => [
        l.state,
        l.close_price,
        l.profit,
      ]),
    ).toEqual([
      ["closed", 1.087, 50],
      ["filled", null, null],
    ]);
    expect(legOneClosed.fire.state).toBe("filled");

    // A terminal restart keeps what leg 1 reported (executed.txt), and leg 2 closes 10 pips
    // higher: its own +30 pips, not a share of the whole position's profit.
    await t.ea.stop();
    const restarted = await t.start();
    await quote(h, t, 1.088, 1.0881);
    const rest = await api("POST", `/api/fires/${fires.get(t)}/manage`, asUser(t, "rest"), { action: "close" });
    expect(rest.body.request).toMatchObject({ positions: 1 });
    const closed = await settledMission(h, t.userId, signalId, (f) => f.state === "closed", 60_000);
    expect(closes(restarted).map((o) => [o.side, o.volume])).toEqual([["SELL", 0.25]]);
    expect(brokerPositions(t.dir)).toEqual([]);
    // +30 pips x $10 x 0.25 lots on leg 2; the position's 125 counted once.
    expect(closed.fire.legs.map((l: { close_price: number; profit: number }) => [l.close_price, l.profit])).toEqual([
      [1.087, 50],
      [1.088, 75],
    ]);
    expect(closed.fire.profit).toBe(125);
  }, 120_000);
});
