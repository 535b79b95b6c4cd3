import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../server/clock.ts";
import { TEST_ENGINE } from "../support/engine.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { spec } from "../support/paper.ts";

describe("POST /api/fire", () => {
  const clock = manualClock(Date.parse("2026-11-21T12:00:00Z"));
  let h: Harness;
  let nextUser = 1000;
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(() => h.close());

  const fire = (user: number, signalId: string, extra: Record<string, unknown> = {}) =>
    h.app.inject({
      method: "POST",
      url: "/api/fire",
      headers: { authorization: h.tma(user) },
      payload: { signal_id: signalId, ...extra },
    });

  /** A trader with a linked, online terminal reporting `balance` USD. */
  async function trader(balance = 10_000, tradeAllowed = true) {
    const id = nextUser++;
    const token = await h.linkBridge(id);
    await h.heartbeat(token, { balance, trade_allowed: tradeAllowed });
    return { id, token };
  }

  it("accepts the first fire with 202 and answers every later one with 200 duplicate", async () => {
    const s = await h.createSignal();
    const t = await trader();
    const first = await fire(t.id, s.id);
    expect(first.statusCode).toBe(202);
    const body = first.json();
    expect(body.fire).toMatchObject({ state: "queued", lots: 0.5, signal_id: s.id, user_id: t.id });
    expect(body.fire.id).toMatch(/^f_/);
    expect(body.duplicate).toBeUndefined();
    const again = await fire(t.id, s.id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true, fire: { id: body.fire.id } });
    expect(
      (await h.store.query("SELECT COUNT(*) AS n FROM bridge_commands WHERE fire_id = ?", [body.fire.id]))[0],
    ).toEqual({
      n: 1,
    });
    const events = await h.store.query("SELECT type FROM events WHERE fire_id = ? ORDER BY seq", [body.fire.id]);
    expect(events).toEqual([{ type: "fire.created" }, { type: "command.queued" }]);
  });

  it("answers duplicate before any other check, whatever happened since", async () => {
    const s = await h.createSignal();
    const t = await trader();
    expect((await fire(t.id, s.id)).statusCode).toBe(202);
    await h.app.inject({ method: "POST", url: `/api/signals/${s.id}/cancel`, headers: h.admin });
    const after = await fire(t.id, s.id);
    expect(after.statusCode).toBe(200);
    expect(after.json().duplicate).toBe(true);
  });

  it("refuses a body user_id that is not the caller with 403", async () => {
    const s = await h.createSignal();
    const t = await trader();
    const res = await fire(t.id, s.id, { user_id: t.id + 1 });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("FORBIDDEN");
    expect((await fire(t.id, s.id, { user_id: t.id })).statusCode).toBe(202);
  });

  it("404 for an unknown signal, 400 for a missing signal_id", async () => {
    const t = await trader();
    const res = await fire(t.id, "s_does_not_exist");
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("NOT_FOUND");
    const missing = await h.app.inject({
      method: "POST",
      url: "/api/fire",
      headers: { authorization: h.tma(t.id) },
      payload: {},
    });
    expect(missing.statusCode).toBe(400);
  });

  it("410 SIGNAL_CANCELLED and 410 SIGNAL_EXPIRED", async () => {
    const t = await trader();
    const cancelled = await h.createSignal();
    await h.app.inject({ method: "POST", url: `/api/signals/${cancelled.id}/cancel`, headers: h.admin });
    const c = await fire(t.id, cancelled.id);
    expect([c.statusCode, c.json().error.code]).toEqual([410, "SIGNAL_CANCELLED"]);
    const expiring = await h.createSignal({ expires_at: new Date(clock.now() + 60_000).toISOString() });
    clock.advance(61_000);
    await h.heartbeat(t.token);
    const e = await fire(t.id, expiring.id);
    expect([e.statusCode, e.json().error.code]).toEqual([410, "SIGNAL_EXPIRED"]);
  });

  it("403 FORBIDDEN below the signal's tier, 403 LIMIT_REACHED past the daily limit", async () => {
    const t = await trader();
    const apex = await h.createSignal({ min_tier: "APEX" });
    const tier = await fire(t.id, apex.id);
    expect([tier.statusCode, tier.json().error.code]).toEqual([403, "FORBIDDEN"]);
    // NIBBLER: 5 fires per UTC day.
    for (let i = 0; i < 5; i++) expect((await fire(t.id, (await h.createSignal()).id)).statusCode).toBe(202);
    const limit = await fire(t.id, (await h.createSignal()).id);
    expect([limit.statusCode, limit.json().error.code]).toEqual([403, "LIMIT_REACHED"]);
  });

  it("409 BRIDGE_NOT_LINKED, 503 BRIDGE_OFFLINE when stale or trading disabled", async () => {
    const s = await h.createSignal();
    const unlinked = await fire(nextUser++, s.id);
    expect([unlinked.statusCode, unlinked.json().error.code]).toEqual([409, "BRIDGE_NOT_LINKED"]);
    const stale = await trader();
    clock.advance(31_000);
    const s2 = await h.createSignal();
    const offline = await fire(stale.id, s2.id);
    expect([offline.statusCode, offline.json().error.code]).toEqual([503, "BRIDGE_OFFLINE"]);
    const disabled = await trader(10_000, false);
    const d = await fire(disabled.id, s2.id);
    expect([d.statusCode, d.json().error.code]).toEqual([503, "BRIDGE_OFFLINE"]);
  });

  it("422 SIZE_TOO_SMALL below the broker minimum, and the mission says why", async () => {
    const s = await h.createSignal();
    const t = await trader(100); // $1 risk on 20 pips = 0.005 lots < 0.01
    const mission = await h.app.inject({
      method: "GET",
      url: `/api/missions/${s.id}`,
      headers: { authorization: h.tma(t.id) },
    });
    expect(mission.json().position).toMatchObject({ lots: 0, reason: expect.stringContaining("minimum") });
    const res = await fire(t.id, s.id);
    expect([res.statusCode, res.json().error.code]).toEqual([422, "SIZE_TOO_SMALL"]);
  });

  it("splits a multi-take-profit signal into one command per leg with the broker's symbol", async () => {
    const s = await h.createSignal({ take_profit: [1.087, 1.089, 1.091] });
    const id = nextUser++;
    const token = await h.linkBridge(id);
    await h.heartbeat(
      token,
      {},
      {
        symbols: [spec("EURUSD.m")],
      },
    );
    const res = await fire(id, s.id);
    expect(res.statusCode).toBe(202);
    expect(res.json().fire.legs.map((l: { volume: number }) => l.volume)).toEqual([0.17, 0.17, 0.16]);
    const polled = await h.app.inject({
      method: "GET",
      url: "/bridge/v1/commands?wait=0",
      headers: { authorization: `Bearer ${token}` },
    });
    const commands = polled.json().commands;
    expect(commands).toHaveLength(3);
    expect(commands[0]).toMatchObject({
      symbol: "EURUSD.m",
      side: "BUY",
      volume: 0.17,
      entry: 1.085,
      stop_loss: 1.083,
      take_profit: 1.087,
      leg: 1,
      action: "open",
      max_entry_distance: 0.0005,
    });
    expect(commands[0].comment).toBe(commands[0].id);
  });

  it("maps to the broker's name in the contract's order (suffix form before alias) and sizes with that spec", async () => {
    const s = await h.createSignal({ symbol: "XAUUSD", entry: 2000, stop_loss: 1990, take_profit: [2020] });
    const id = nextUser++;
    const token = await h.linkBridge(id);
    const gold = { tick_size: 0.01, tick_value: 1, volume_max: 100, contract_size: 100, digits: 2 };
    await h.heartbeat(
      token,
      {},
      {
        symbols: [
          // Listed first and shorter: the old query took it, and its 1-lot minimum refused the fire.
          { name: "GOLD", ...gold, volume_min: 1, volume_step: 1 },
          { name: "XAUUSD.m", ...gold, volume_min: 0.01, volume_step: 0.01 },
        ],
      },
    );
    const res = await fire(id, s.id);
    expect(res.statusCode).toBe(202);
    // $10,000 × 1 % = $100 over a $10 stop at $1 per 0.01 tick per lot: 0.10 lots.
    expect(res.json().fire).toMatchObject({ lots: 0.1, broker_symbol: "XAUUSD.m" });
    const polled = await h.app.inject({
      method: "GET",
      url: "/bridge/v1/commands?wait=0",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(polled.json().commands[0]).toMatchObject({ symbol: "XAUUSD.m", volume: 0.1 });
  });
});

describe("POST /api/fire with a terminal that only polls", () => {
  it("counts it online and allowed (no heartbeat said no), so the size check answers: 422 without a balance", async () => {
    const h = await startHarness();
    try {
      const s = await h.createSignal();
      const token = await h.linkBridge(4_000);
      const poll = await h.app.inject({
        method: "GET",
        url: "/bridge/v1/commands?wait=0",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(poll.json()).toEqual({ commands: [] });
      const res = await h.app.inject({
        method: "POST",
        url: "/api/fire",
        headers: { authorization: h.tma(4_000) },
        payload: { signal_id: s.id },
      });
      expect([res.statusCode, res.json().error.code]).toEqual([422, "SIZE_TOO_SMALL"]);
      expect(res.json().error.message).toMatch(/Balance unknown/);
    } finally {
      await h.close();
    }
  });
});

describe("POST /api/fire group commit", () => {
  it("keeps the daily limit when one user fires several signals in the same instant", async () => {
    const h = await startHarness();
    try {
      const token = await h.linkBridge(4_100);
      await h.heartbeat(token);
      const signals = [];
      for (let i = 0; i < 7; i++) signals.push(await h.createSignal());
      // NIBBLER: 5 a day. All seven land in one event-loop turn, hence one batch.
      const answers = await Promise.all(
        signals.map((s) =>
          h.app.inject({
            method: "POST",
            url: "/api/fire",
            headers: { authorization: h.tma(4_100) },
            payload: { signal_id: s.id },
          }),
        ),
      );
      const codes = answers.map((a) => a.statusCode).sort();
      expect(codes).toEqual([202, 202, 202, 202, 202, 403, 403]);
      expect(answers.filter((a) => a.statusCode === 403).every((a) => a.json().error.code === "LIMIT_REACHED")).toBe(
        true,
      );
      expect(await h.store.fires.countFiresSince(4_100, 0)).toBe(5);
    } finally {
      await h.close();
    }
  });
});

describe("POST /api/fire while the first tap is in flight", () => {
  it("answers the later taps from the first one: one overlay read, one fire, the rest duplicates", async () => {
    const queries: string[] = [];
    const h = await startHarness({ onQuery: (sql) => queries.push(sql) });
    try {
      const token = await h.linkBridge(4_200);
      await h.heartbeat(token);
      const signal = await h.createSignal();
      queries.length = 0;
      const tap = () => h.fire(4_200, signal.id);
      const answers = await Promise.all([tap(), tap(), tap(), tap(), tap()]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 202]);
      const fireIds = new Set(answers.map((a) => a.json().fire.id));
      expect(fireIds.size).toBe(1);
      expect(answers.filter((a) => a.json().duplicate === true)).toHaveLength(4);
      // One tap's worth of statements; the four others touched no table at all.
      expect(queries.map((sql) => sql.split(/\s+/).slice(0, 3).join(" "))).toEqual([
        "SELECT s.*, (SELECT", // the signal, with its fire count
        TEST_ENGINE === "postgres" ? "SELECT u.*, EXISTS" : "SELECT u.id, u.first_name,", // this trader's overlay
        "BEGIN",
        "SELECT status FROM", // a cancel committed since the checks refuses the fire (and waits on PostgreSQL)
        // Several instances share a PostgreSQL: the daily limit is re-checked under a row lock.
        ...(TEST_ENGINE === "postgres"
          ? ["SELECT id FROM", "SELECT json_build_object( 'id',", "SELECT COUNT(*) AS"]
          : []),
        "INSERT INTO fires",
        "INSERT INTO bridge_commands", // every leg in one statement
        "INSERT INTO events", // fire.created and every command.queued in one statement
        "COMMIT",
      ]);

      // A refusal is shared the same way: every tap gets the first one's error.
      const expired = await h.createSignal({ expires_at: new Date(Date.now() + 50).toISOString() });
      await new Promise((resolve) => setTimeout(resolve, 80));
      const refused = await Promise.all([0, 1, 2].map(() => h.fire(4_200, expired.id)));
      expect(refused.map((a) => [a.statusCode, a.json().error.code])).toEqual([
        [410, "SIGNAL_EXPIRED"],
        [410, "SIGNAL_EXPIRED"],
        [410, "SIGNAL_EXPIRED"],
      ]);
    } finally {
      await h.close();
    }
  });
});
