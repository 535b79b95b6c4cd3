import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";

describe("me, stats and missions routes", () => {
  let h: Harness;
  const queries: string[] = [];
  beforeAll(async () => {
    h = await startHarness({ onQuery: (sql) => queries.push(sql) });
  });
  afterAll(() => h.close());

  it("GET /api/me shows the overlay and bridge status; PATCH changes risk % within 0.1–10", async () => {
    const me = await h.app.inject({ method: "GET", url: "/api/me", headers: { authorization: h.tma(501) } });
    expect(me.json()).toMatchObject({
      user: { id: 501, tier: "NIBBLER", risk_percent: 1, balance: null },
      bridge: { linked: false, online: false },
    });
    const patch = (risk_percent: unknown) =>
      h.app.inject({
        method: "PATCH",
        url: "/api/me",
        headers: { authorization: h.tma(501) },
        payload: { risk_percent },
      });
    expect((await patch(1.5)).json().user.risk_percent).toBe(1.5);
    for (const bad of [0.05, 10.5, "2", null, -1]) {
      const res = await patch(bad);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe("BAD_REQUEST");
    }
    expect((await h.store.users.findUser(501))?.risk_percent).toBe(1.5);
    // A body with nothing it can change (empty, or only fields a trader cannot set) says so.
    for (const payload of [{}, { tier: "APEX" }]) {
      const res = await h.app.inject({
        method: "PATCH",
        url: "/api/me",
        headers: { authorization: h.tma(501) },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringMatching(/nothing to change/i),
      });
    }
    expect((await h.store.users.findUser(501))?.tier).toBe("NIBBLER");
  });

  it("a mission is personalised at request time and a new risk % gives new lots", async () => {
    const s = await h.createSignal();
    const token = await h.linkBridge(502);
    await h.heartbeat(token, { balance: 10_000 });
    const get = async () =>
      (
        await h.app.inject({ method: "GET", url: `/api/missions/${s.id}`, headers: { authorization: h.tma(502) } })
      ).json();
    const m = await get();
    expect(m.position).toMatchObject({
      lots: 0.5,
      risk_amount: 100,
      reward_amount: 200,
      stop_pips: 20,
      target_pips: 40,
      risk_reward: 2,
      pip_value: 10,
    });
    expect(m).toMatchObject({
      fire: null,
      fire_count: 0,
      status: "active",
      bridge: { linked: true, online: true },
      can_fire: true,
    });
    expect(m.expires_in_s).toBeGreaterThan(3500);
    await h.app.inject({
      method: "PATCH",
      url: "/api/me",
      headers: { authorization: h.tma(502) },
      payload: { risk_percent: 2 },
    });
    expect((await get()).position.lots).toBe(1);
    await h.heartbeat(token, { balance: 5_000 });
    expect((await get()).position.lots).toBe(0.5);
  });

  it("reads a mission with at most 2 database statements (and none when warm)", async () => {
    const s = await h.createSignal();
    const token = await h.linkBridge(503);
    await h.heartbeat(token);
    const url = `/api/missions/${s.id}`;
    const headers = { authorization: h.tma(503) };
    queries.length = 0;
    expect((await h.app.inject({ method: "GET", url, headers })).statusCode).toBe(200);
    expect(queries.length).toBeLessThanOrEqual(2);
    queries.length = 0;
    await h.app.inject({ method: "GET", url, headers });
    expect(queries.length).toBe(0);
  });

  it("stores the trader's private note on a mission", async () => {
    const s = await h.createSignal();
    const put = await h.app.inject({
      method: "PUT",
      url: `/api/missions/${s.id}/note`,
      headers: { authorization: h.tma(504) },
      payload: { text: "wait for London open" },
    });
    expect(put.statusCode).toBe(200);
    const m = await h.app.inject({
      method: "GET",
      url: `/api/missions/${s.id}`,
      headers: { authorization: h.tma(504) },
    });
    expect(m.json().note).toBe("wait for London open");
    const other = await h.app.inject({
      method: "GET",
      url: `/api/missions/${s.id}`,
      headers: { authorization: h.tma(505) },
    });
    expect(other.json().note).toBeNull();
  });

  it("stats: own 200, another user's 403, admin 200, unknown 404", async () => {
    await h.app.inject({ method: "GET", url: "/api/me", headers: { authorization: h.tma(601) } });
    const own = await h.app.inject({
      method: "GET",
      url: "/api/users/601/stats",
      headers: { authorization: h.tma(601) },
    });
    expect(own.json()).toMatchObject({ user_id: 601, trades: 0, win_rate: 0, pnl: 0, xp: 0, rank: "Recruit" });
    const other = await h.app.inject({
      method: "GET",
      url: "/api/users/601/stats",
      headers: { authorization: h.tma(602) },
    });
    expect([other.statusCode, other.json().error.code]).toEqual([403, "FORBIDDEN"]);
    expect((await h.app.inject({ method: "GET", url: "/api/users/601/stats", headers: h.admin })).statusCode).toBe(200);
    expect((await h.app.inject({ method: "GET", url: "/api/users/999999/stats", headers: h.admin })).statusCode).toBe(
      404,
    );
    expect((await h.app.inject({ method: "GET", url: "/api/users/abc/stats", headers: h.admin })).statusCode).toBe(400);
  });
});

describe("rate limits", () => {
  it("answer RATE_LIMITED per user and per address", async () => {
    const h = await startHarness({ env: { RATE_LIMIT_PER_MIN: "3", RATE_LIMIT_IP_PER_MIN: "8" } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push(
          (await h.app.inject({ method: "GET", url: "/api/me", headers: { authorization: h.tma(1) } })).statusCode,
        );
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const limited = await h.app.inject({ method: "GET", url: "/api/me", headers: { authorization: h.tma(1) } });
      expect(limited.json().error.code).toBe("RATE_LIMITED");
      // Another user still gets through until the per-address limit (8/min) is spent.
      const other = await h.app.inject({ method: "GET", url: "/api/me", headers: { authorization: h.tma(2) } });
      expect(other.statusCode).toBe(200);
      const signals = (user: number) =>
        h.app.inject({ method: "GET", url: "/api/signals", headers: { authorization: h.tma(user) } });
      expect((await signals(3)).statusCode).toBe(200); // the address's 8th request
      const ip = await signals(4);
      expect([ip.statusCode, ip.json().error.code]).toEqual([429, "RATE_LIMITED"]);
      // /health counts in a bucket of its own (issue #21): a flood of it cannot starve the API.
      expect((await h.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe("rate limits and repeated fires", () => {
  it("never refuses a repeat of a fire already taken, however many; other requests stay limited", async () => {
    const h = await startHarness({ env: { RATE_LIMIT_PER_MIN: "3", RATE_LIMIT_IP_PER_MIN: "0" } });
    try {
      await h.heartbeat(await h.linkBridge(1)); // 1st request of the minute
      const signal = await h.createSignal();
      const tap = () => h.fire(1, signal.id);
      expect((await tap()).statusCode).toBe(202); // 2nd
      const repeats = await Promise.all(Array.from({ length: 20 }, tap));
      expect(repeats.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
      expect(repeats.every((r) => r.json().duplicate === true)).toBe(true);
      const me = () => h.app.inject({ method: "GET", url: "/api/me", headers: { authorization: h.tma(1) } });
      expect((await me()).statusCode).toBe(200); // 3rd
      expect((await me()).json().error.code).toBe("RATE_LIMITED");
    } finally {
      await h.close();
    }
  });
});

describe("PATCH /api/users/:userId (admin)", () => {
  it("changes a tier, logs who did it, and the new tier's limits apply at once; others are refused", async () => {
    const h = await startHarness();
    try {
      await h.app.inject({ method: "GET", url: "/api/me", headers: { authorization: h.tma(801) } });
      const setTier = (userId: number, tier: string, headers: Record<string, string> = h.admin) =>
        h.app.inject({ method: "PATCH", url: `/api/users/${userId}`, headers, payload: { tier } });
      const denied = await setTier(801, "APEX", { authorization: h.tma(801) });
      expect([denied.statusCode, denied.json().error.code]).toEqual([403, "FORBIDDEN"]);
      const bad = await setTier(801, "GOD");
      expect(bad.statusCode).toBe(400);
      const missing = await setTier(999999, "FANG");
      expect(missing.statusCode).toBe(404);
      const ok = await setTier(801, "APEX");
      expect(ok.json()).toMatchObject({ user_id: 801, tier: "APEX" });
      const me = await h.app.inject({ method: "GET", url: "/api/me", headers: { authorization: h.tma(801) } });
      expect(me.json().user).toMatchObject({ tier: "APEX", daily_limit: null });
      const logged = (
        await h.store.query("SELECT actor, data FROM events WHERE type = 'admin.tier' AND user_id = 801")
      )[0] as { actor: string; data: string };
      expect(logged.actor).toBe("admin-token");
      expect(JSON.parse(logged.data)).toEqual({ from: "NIBBLER", to: "APEX" });
    } finally {
      await h.close();
    }
  });
});
