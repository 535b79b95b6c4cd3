import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, signInitData, startHarness } from "../support/harness.ts";

describe("authentication doors", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const get = (authorization?: string) =>
    h.app.inject({ method: "GET", url: "/api/me", headers: authorization ? { authorization } : {} });

  it("accepts valid initData and creates the user on first sight", async () => {
    const res = await get(h.tma({ id: 4242, first_name: "Ada", username: "ada" }));
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ id: 4242, tier: "NIBBLER", risk_percent: 1, first_name: "Ada" });
    expect((await h.store.users.findUser(4242))?.username).toBe("ada");
  });

  it("refuses a missing Authorization header with 401 in the error shape", async () => {
    const res = await get();
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
  });

  it("refuses a forged hash", async () => {
    const good = signInitData({ id: 1 });
    const forged = good.replace(/hash=[0-9a-f]+/, `hash=${"0".repeat(64)}`);
    expect((await get(`tma ${forged}`)).json().error.code).toBe("UNAUTHORIZED");
  });

  it("refuses initData whose user was changed after signing", async () => {
    const good = new URLSearchParams(signInitData({ id: 1 }));
    good.set("user", JSON.stringify({ id: 2, first_name: "Mallory" }));
    expect((await get(`tma ${good.toString()}`)).statusCode).toBe(401);
  });

  it("refuses initData signed with another bot's token", async () => {
    const res = await get(`tma ${signInitData({ id: 1 }, "999:another-bot-token-xxxxxxxxxxxxxxx")}`);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/signature/);
  });

  it("refuses an auth_date older than INITDATA_MAX_AGE_S", async () => {
    const old = new Date(Date.now() - 86_401_000);
    const res = await get(`tma ${signInitData({ id: 1 }, undefined, old)}`);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/expired/);
  });

  it("refuses garbage and other schemes", async () => {
    expect((await get("tma not-init-data")).statusCode).toBe(401);
    expect((await get("Basic abc")).statusCode).toBe(401);
    expect((await get("tma ")).statusCode).toBe(401);
  });

  it("admin API: missing or wrong token 401, non-admin initData 403, admin initData allowed", async () => {
    const post = (authorization?: string) =>
      h.app.inject({
        method: "POST",
        url: "/api/signals/s_nope/cancel",
        headers: authorization ? { authorization } : {},
      });
    expect((await post()).statusCode).toBe(401);
    expect((await post("Bearer wrong-token-wrong-token")).statusCode).toBe(401);
    const nonAdmin = await post(h.tma(5));
    expect(nonAdmin.statusCode).toBe(403);
    expect(nonAdmin.json().error.code).toBe("FORBIDDEN");
    // An admin passes the door and reaches the route (404: no such signal).
    expect((await post(h.tma(900001))).statusCode).toBe(404);
    expect((await post(h.admin.authorization)).statusCode).toBe(404);
  });

  it("bridge: unknown token 401; a rotated token stops working", async () => {
    const hb = (token: string) =>
      h.app.inject({
        method: "POST",
        url: "/bridge/v1/heartbeat",
        headers: { authorization: `Bearer ${token}` },
        payload: { account: { login: 1, server: "x", currency: "USD", balance: 1, equity: 1, trade_allowed: true } },
      });
    expect((await hb("nope")).statusCode).toBe(401);
    const first = await h.linkBridge(77);
    expect((await hb(first)).statusCode).toBe(200);
    const second = await h.linkBridge(77);
    expect(second).not.toBe(first);
    expect((await hb(first)).statusCode).toBe(401);
    expect((await hb(second)).statusCode).toBe(200);
    // Only the hash is stored.
    const stored = (await h.store.query("SELECT token_hash FROM bridge_tokens WHERE user_id = 77"))[0] as {
      token_hash: string;
    };
    expect(stored.token_hash).not.toContain(second);
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("door before body", () => {
  it("answers a stranger 401 even when the body is also wrong", async () => {
    const h = await startHarness();
    try {
      const fire = await h.app.inject({ method: "POST", url: "/api/fire", payload: { signal_id: 42 } });
      expect(fire.statusCode).toBe(401);
      const signal = await h.app.inject({ method: "POST", url: "/api/signals", payload: { entry: "x" } });
      expect(signal.statusCode).toBe(401);
      const bridge = await h.app.inject({ method: "POST", url: "/bridge/v1/results", payload: { id: "" } });
      expect(bridge.statusCode).toBe(401);
    } finally {
      await h.close();
    }
  });
});
