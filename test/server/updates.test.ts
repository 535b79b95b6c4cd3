/**
 * Managing trades after entry over real HTTP: admin updates, a trader's own requests, protocol 1.1
 * in paper terminals (real SQLite file, paper terminals speaking the bridge protocol over HTTP).
 */

import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PaperTerminal } from "../../bridge/paper/index.ts";
import { createPaperTerminal, createStaticFeed } from "../../bridge/paper/index.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { requestJson } from "../support/http.ts";
import { spec } from "../support/paper.ts";
import { waitFor } from "../support/wait.ts";

let h: Harness;
const terminals: PaperTerminal[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) await t.stop();
  await h?.close();
});

interface Trader {
  id: number;
  terminal: PaperTerminal;
  setPrice(bid: number, ask: number): void;
}

async function trader(id: number, ask: number, protocol: "1" | "1.1" = "1.1"): Promise<Trader> {
  const token = await h.linkBridge(id);
  const feed = createStaticFeed({ EURUSD: { bid: ask - 0.0001, ask } });
  const terminal = createPaperTerminal({
    transport: { kind: "http", baseUrl: h.url, token, pollWaitS: 1 },
    stateFile: join(h.dir, `paper-${id}.json`),
    account: { login: id, server: "Paper-Demo", currency: "USD", balance: 10_000 },
    symbols: [spec("EURUSD")],
    prices: feed,
    protocol,
    heartbeatMs: 200,
    retryBaseMs: 50,
    retryMaxMs: 200,
    stopsCheckMs: 20,
  });
  terminals.push(terminal);
  await terminal.start();
  await waitFor(async () => (await h.store.updates.findProtocol(id)) !== null, 5000, `terminal ${id} heartbeat`);
  return { id, terminal, setPrice: (bid, ask) => terminal.setPrice("EURUSD", bid, ask) };
}

const api = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
  requestJson(h.url, method, url, headers, body);
const asAdmin = (key?: string) => ({ ...h.admin, ...(key ? { "idempotency-key": key } : {}) });
const asUser = (id: number) => ({ authorization: h.tma(id) });

async function fireAll(traders: Trader[], signal: Record<string, unknown> = {}) {
  const created = await h.createSignal({ take_profit: [1.089, 1.091], ...signal });
  const fires = new Map<number, string>();
  for (const t of traders) {
    const res = await api("POST", "/api/fire", asUser(t.id), { signal_id: created.id });
    expect(res.status).toBe(202);
    fires.set(t.id, res.body.fire.id);
  }
  const filledLegs = async () =>
    ((await h.store.query("SELECT COUNT(*) AS n FROM bridge_commands WHERE state = 'filled'"))[0] as { n: number }).n;
  await waitFor(async () => (await filledLegs()) === traders.length * 2, 10_000, "every leg filled");
  return { signalId: created.id, fires };
}

describe("POST /api/signals/:id/updates", () => {
  it("breakeven sends one modify per open position, stops at each fill price; close leg 2 closes them once", async () => {
    h = await startHarness({ listen: true });
    const a = await trader(1001, 1.08502);
    const b = await trader(1002, 1.08498);
    const old = await trader(1003, 1.085, "1");
    const { signalId, fires } = await fireAll([a, b, old]);
    for (const t of [a, b, old]) t.setPrice(1.087, 1.0871); // in profit: a stop at the fill is valid

    const first = await api("POST", `/api/signals/${signalId}/updates`, asAdmin("be-1"), {
      action: "breakeven",
      note: "TP1 close",
    });
    expect(first.status).toBe(201);
    expect(first.body.update).toMatchObject({
      signal_id: signalId,
      action: "breakeven",
      positions: 4,
      skipped: 2,
      note: "TP1 close",
    });
    expect(first.body.update.id).toMatch(/^u_/);
    const again = await api("POST", `/api/signals/${signalId}/updates`, asAdmin("be-1"), { action: "breakeven" });
    expect(again.status).toBe(200);
    expect(again.body.update.id).toBe(first.body.update.id);

    await waitFor(
      async () => (await h.store.updates.progress(first.body.update.id)).applied === 4,
      10_000,
      "4 applied",
    );
    for (const t of [a, b]) {
      for (const p of t.terminal.positions()) expect(p.stop_loss).toBe(p.open_price);
    }
    expect(a.terminal.positions()[0]!.stop_loss).toBe(1.08502);
    expect(b.terminal.positions()[0]!.stop_loss).toBe(1.08498);
    expect(old.terminal.positions().every((p) => p.stop_loss === 1.083)).toBe(true); // protocol 1: untouched
    const modifies = (await h.store.query(
      "SELECT position_of, COUNT(*) AS n FROM position_commands WHERE update_id = ? AND state = 'applied' GROUP BY position_of",
      [first.body.update.id],
    )) as Array<{ n: number }>;
    expect(modifies).toHaveLength(4);
    expect(modifies.every((m) => m.n === 1)).toBe(true);

    const close = await api("POST", `/api/signals/${signalId}/updates`, asAdmin(), { action: "close", leg: 2 });
    expect(close.status).toBe(201);
    expect(close.body.update).toMatchObject({ action: "close", leg: 2, positions: 2, skipped: 1 });
    await waitFor(
      async () => (await h.store.updates.progress(close.body.update.id)).applied === 2,
      10_000,
      "closes applied",
    );
    for (const t of [a, b]) {
      await waitFor(
        async () => (await h.store.fires.findFireById(fires.get(t.id)!))?.legs[1]?.state === "closed",
        10_000,
        "leg 2 closed",
      );
      expect(t.terminal.positions().map((p) => p.fire_id)).toHaveLength(1);
      expect(t.terminal.closedPositions()).toHaveLength(1);
    }
    const list = await api("GET", `/api/signals/${signalId}/updates`, asUser(a.id));
    expect(list.status).toBe(200);
    expect(list.body.updates.map((u: { action: string }) => u.action)).toEqual(["breakeven", "close"]);
    expect(list.body.updates[0].progress).toMatchObject({ applied: 4, skipped: 2 });
  }, 60_000);

  it("answers 404 for an unknown signal and 400 naming the field for bad input", async () => {
    h = await startHarness({ listen: true });
    const { id } = await h.createSignal({ take_profit: [1.089, 1.091] });
    const post = (body: unknown, signal = id) => api("POST", `/api/signals/${signal}/updates`, asAdmin(), body);
    expect((await post({ action: "breakeven" }, "s_nope")).status).toBe(404);
    const cases: Array<[unknown, string]> = [
      [{ action: "explode" }, "action"],
      [{ action: "move_sl" }, "stop_loss"],
      [{ action: "move_sl", stop_loss: 1.086 }, "stop_loss"], // a BUY's stop above entry
      [{ action: "move_tp", leg: 1, take_profit: 1.084 }, "take_profit"], // a BUY's target below entry
      [{ action: "move_tp", take_profit: 1.095 }, "leg"],
      [{ action: "close", leg: 3 }, "leg"],
      [{ action: "close", note: "x".repeat(501) }, "note"],
      [{ action: "move_sl", stop_loss: "1.08" }, "stop_loss"],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("BAD_REQUEST");
      expect(res.body.error.message).toContain(field);
    }
    // Nothing open: recorded, zero positions.
    const none = await post({ action: "move_sl", stop_loss: 1.0835 });
    expect(none.status).toBe(201);
    expect(none.body.update).toMatchObject({ positions: 0, skipped: 0, stop_loss: 1.0835 });
    expect((await api("POST", `/api/signals/${id}/updates`, {}, { action: "close" })).status).toBe(401);
    expect((await api("POST", `/api/signals/${id}/updates`, asUser(5), { action: "close" })).status).toBe(403);
    // Same key, another update: a conflict, never a silent replay.
    expect((await api("POST", `/api/signals/${id}/updates`, asAdmin("k"), { action: "close" })).status).toBe(201);
    const clash = await api("POST", `/api/signals/${id}/updates`, asAdmin("k"), { action: "breakeven" });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe("CONFLICT");
  });
});

describe("GET /api/me/fires: open_risk follows the stops", () => {
  it("is the sized risk at the fill, less once the stop moves up, 0 at breakeven; a closed fire has none", async () => {
    h = await startHarness({ listen: true });
    const a = await trader(1101, 1.08502);
    const { signalId } = await fireAll([a]);
    const openRisk = async () => {
      const res = await api("GET", "/api/me/fires", asUser(1101));
      expect(res.status).toBe(200);
      return res.body.fires[0] as { state: string; lots: number; risk_amount: number; open_risk?: number | null };
    };
    const applied = async (n: number) =>
      waitFor(
        async () =>
          (
            (await h.store.query("SELECT COUNT(*) AS n FROM position_commands WHERE state = 'applied'"))[0] as {
              n: number;
            }
          ).n === n,
        10_000,
        `${n} applied`,
      );
    // $10,000 at 1 % over a 20-pip stop: 0.50 lots risking $100. Filled at 1.08502 (the ask), the
    // stop at 1.0830 is 20.2 pips away: $101.
    expect(await openRisk()).toMatchObject({ state: "filled", lots: 0.5, risk_amount: 100, open_risk: 101 });
    a.setPrice(1.087, 1.0871);
    const moved = await api("POST", `/api/signals/${signalId}/updates`, asAdmin(), {
      action: "move_sl",
      stop_loss: 1.084,
    });
    expect(moved.status).toBe(201);
    await applied(2);
    expect((await openRisk()).open_risk).toBe(51); // 10.2 pips × $10 × 0.5 lots
    const be = await api("POST", `/api/signals/${signalId}/updates`, asAdmin(), { action: "breakeven" });
    expect(be.status).toBe(201);
    await applied(4);
    expect((await openRisk()).open_risk).toBe(0);
    const closed = await api("POST", `/api/signals/${signalId}/updates`, asAdmin(), { action: "close" });
    expect(closed.status).toBe(201);
    await waitFor(async () => (await openRisk()).state === "closed", 10_000, "the fire closed");
    expect((await openRisk()).open_risk).toBeUndefined();
  });
});

describe("POST /api/fires/:fireId/manage", () => {
  it("manages only the caller's own positions: 404 for another's fire, EA_TOO_OLD, NOTHING_OPEN", async () => {
    h = await startHarness({ listen: true });
    const a = await trader(2001, 1.085);
    const b = await trader(2002, 1.085);
    const old = await trader(2003, 1.085, "1");
    const { fires } = await fireAll([a, b, old]);
    a.setPrice(1.087, 1.0871);

    const other = await api("POST", `/api/fires/${fires.get(b.id)}/manage`, asUser(a.id), { action: "close" });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe("NOT_FOUND");
    const tooOld = await api("POST", `/api/fires/${fires.get(old.id)}/manage`, asUser(old.id), { action: "breakeven" });
    expect(tooOld.status).toBe(409);
    expect(tooOld.body.error.code).toBe("EA_TOO_OLD");

    const be = await api("POST", `/api/fires/${fires.get(a.id)}/manage`, asUser(a.id), {
      action: "move_sl",
      stop_loss: 1.0845,
    });
    expect(be.status).toBe(202);
    expect(be.body.request).toMatchObject({ action: "move_sl", positions: 2 });
    await waitFor(() => a.terminal.positions().every((p) => p.stop_loss === 1.0845), 10_000, "stops moved");
    expect(b.terminal.positions().every((p) => p.stop_loss === 1.083)).toBe(true);

    const closeLeg = await api("POST", `/api/fires/${fires.get(a.id)}/manage`, asUser(a.id), {
      action: "close",
      leg: 1,
    });
    expect(closeLeg.body.request).toMatchObject({ positions: 1 });
    const closeAll = await api("POST", `/api/fires/${fires.get(a.id)}/manage`, asUser(a.id), { action: "close" });
    expect(closeAll.status).toBe(202);
    expect(closeAll.body.request.positions).toBe(1); // leg 1 already has its close on the way
    await waitFor(
      async () => (await h.store.fires.findFireById(fires.get(a.id)!))?.state === "closed",
      10_000,
      "fire closed",
    );
    const nothing = await api("POST", `/api/fires/${fires.get(a.id)}/manage`, asUser(a.id), { action: "close" });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe("NOTHING_OPEN");

    const view = await api("GET", `/api/fires/${fires.get(a.id)}/positions`, asUser(a.id));
    expect(view.status).toBe(200);
    const kinds = view.body.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k === "opened")).toHaveLength(2);
    expect(kinds.filter((k: string) => k === "stop_moved")).toHaveLength(2);
    expect(kinds.filter((k: string) => k === "closed").length).toBeGreaterThanOrEqual(2);
    // The trader's requests in words, prices at the symbol's digits (was: "You asked: close").
    const texts = view.body.timeline.map((e: { text: string }) => e.text);
    expect(texts).toContain("You asked: close leg 1");
    expect(texts).toContain("You asked: close every leg");
    expect(texts.filter((t: string) => /^Stop → \d\.\d{5}/.test(t))).toHaveLength(2);
    const stats = await api("GET", `/api/users/${a.id}/stats`, asUser(a.id));
    expect(stats.body.trades).toBe(1);
  }, 60_000);
});

describe("breakeven_after_tp1", () => {
  it("moves the remaining legs' stops to the fill price once, when leg 1 hits its target", async () => {
    h = await startHarness({ listen: true });
    const a = await trader(3001, 1.08502);
    const b = await trader(3002, 1.08498);
    const { signalId } = await fireAll([a, b], { breakeven_after_tp1: true });
    for (const t of [a, b]) t.setPrice(1.0891, 1.0892); // TP1 (1.089) hit in the paper market
    await waitFor(() => [a, b].every((t) => t.terminal.closedPositions().length === 1), 10_000, "TP1 closed");
    await waitFor(
      () => [a, b].every((t) => t.terminal.positions().every((p) => p.stop_loss === p.open_price)),
      10_000,
      "breakeven",
    );
    const updates = await h.store.updates.listSignalUpdates(signalId);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ action: "breakeven", source: "auto", positions: 2 });
    expect(a.terminal.positions()[0]!.stop_loss).toBe(1.08502);
  }, 60_000);
});

describe("TradingView update alerts (POST /hooks/signal/:secret)", () => {
  it("turns close / breakeven / move_sl alerts into updates of the signal named by id or idempotency_key", async () => {
    h = await startHarness({ listen: true });
    const hook = (body: unknown) => api("POST", "/hooks/signal/hook-secret-123", {}, body);
    const created = await hook({
      ticker: "EURUSD",
      action: "buy",
      price: 1.085,
      sl: 1.083,
      tp1: 1.089,
      tp2: 1.091,
      idempotency_key: "tv-1",
      breakeven_after_tp1: true,
    });
    expect(created.status).toBe(201);
    expect(created.body.breakeven_after_tp1).toBe(true);
    const signalId = created.body.id as string;

    const be = await hook({ action: "breakeven", idempotency_key: "tv-1" });
    expect(be.status).toBe(201);
    expect(be.body.update).toMatchObject({ signal_id: signalId, action: "breakeven", source: "webhook" });
    const again = await hook({ idempotency_key: "tv-1", action: "breakeven" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, update: { id: be.body.update.id } });

    const sl = await hook({ action: "move_sl", signal_id: signalId, sl: "1.0840" });
    expect(sl.status).toBe(201);
    expect(sl.body.update).toMatchObject({ action: "move_sl", stop_loss: 1.084 });
    const close = await hook({ action: "close", signal_id: signalId, leg: 2 });
    expect(close.body.update).toMatchObject({ action: "close", leg: 2 });

    expect((await hook({ action: "close" })).body.error).toMatchObject({ code: "BAD_REQUEST" });
    expect((await hook({ action: "close", idempotency_key: "nope" })).status).toBe(404);
    expect((await hook({ action: "close", signal_id: "s_nope" })).status).toBe(404);
    const wrong = await hook({ action: "move_sl", signal_id: signalId, sl: 1.09 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain("stop_loss");
    const listed = await api("GET", `/api/signals/${signalId}/updates`, h.admin);
    expect(listed.body.updates.map((u: { action: string }) => u.action)).toEqual(["breakeven", "move_sl", "close"]);
  });
});
