import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signalBody } from "../support/bodies.ts";
import { type Harness, HOOK_SECRET, startHarness } from "../support/harness.ts";

/** Each request here answered 500 (or left a poisoned row) before its fix; found by the fuzzers. */
describe("fuzz regressions", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness({ listen: true });
    token = await h.linkBridge(8);
    await h.heartbeat(token);
  });
  afterAll(async () => {
    await h.close();
  });

  const expectError = (res: { statusCode: number; body: string }, status: number, code = "BAD_REQUEST") => {
    expect(res.statusCode, res.body).toBe(status);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code, message: expect.any(String) } });
  };
  /** A signal body valid but for `fields`. */
  const valid = (fields: Record<string, unknown>) =>
    signalBody({ expires_at: new Date(Date.now() + 3_600_000).toISOString(), ...fields });
  const json = (body: string) => ({ "content-type": "application/json", authorization: `Bearer ${token}`, body });

  it("a malformed percent-encoding or an over-long segment answers in our error shape, never echoing the path", async () => {
    for (const url of ["/api/signals/%", "/api/prices/%C0%AE%C0%AE%2F", `/hooks/signal/${HOOK_SECRET}%E0%A4%A`]) {
      const res = await h.app.inject({ method: "GET", url });
      expectError(res, 400);
      expect(res.body).not.toContain(HOOK_SECRET);
    }
    expectError(await h.app.inject({ method: "GET", url: `/api/missions/${"a".repeat(300)}` }), 400);
  });

  it("an expiry too far for a Date is a 400 naming the field (was: toISOString RangeError)", async () => {
    const admin = await h.app.inject({
      method: "POST",
      url: "/api/signals",
      headers: h.admin,
      payload: signalBody({ expires_in_min: 1e300 }),
    });
    expectError(admin, 400);
    expect(admin.json()).toMatchObject({ error: { field: "expires_in_min" } });
    const hook = await h.app.inject({
      method: "POST",
      url: `/hooks/signal/${HOOK_SECRET}`,
      payload: { symbol: "EURUSD", side: "BUY", entry: "1.085", sl: "1.083", tp: "1.089", expiry: "1e308" },
    });
    expectError(hook, 400);
  });

  it("a heartbeat price time out of a Date's range is a 400 (was: 500 from the store)", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/bridge/v1/heartbeat",
      headers: { authorization: `Bearer ${token}` },
      payload: {
        account: { login: 1, server: "Demo", currency: "USD", balance: 1, equity: 1, trade_allowed: true },
        prices: [{ symbol: "EURUSD", bid: 1.0849, ask: 1.085, time: 1e308 }],
      },
    });
    expectError(res, 400);
  });

  it("a NUL in JSON text is a 400 naming the field (was: the webhook answered 500 on PostgreSQL)", async () => {
    const hook = await h.app.inject({
      method: "POST",
      url: `/hooks/signal/${HOOK_SECRET}`,
      headers: { "content-type": "application/json" },
      payload:
        '{"symbol":"EURUSD","side":"BUY","entry":1.085,"stop_loss":1.083,"take_profit":1.089,"notes":"a\\u0000b"}',
    });
    expectError(hook, 400);
    expect(JSON.parse(hook.body).error.message).toContain("notes");
    // Another trader's terminal: these heartbeats must not change trader 8's account.
    const other = await h.linkBridge(9);
    const asOther = (body: string) => ({ ...json(body), authorization: `Bearer ${other}` });
    const nested = asOther(
      '{"account":{"login":1,"server":"D\\u0000","currency":"USD","balance":1,"equity":1,"trade_allowed":true}}',
    );
    const res = await h.app.inject({
      method: "POST",
      url: "/bridge/v1/heartbeat",
      headers: nested,
      payload: nested.body,
    });
    expectError(res, 400);
    expect(JSON.parse(res.body).error.message).toContain("account.server");
    // An escaped backslash before "u0000" is ordinary text, not a NUL.
    const text = asOther(
      '{"account":{"login":1,"server":"D\\\\u0000","currency":"USD","balance":1,"equity":1,"trade_allowed":true}}',
    );
    expect(
      (await h.app.inject({ method: "POST", url: "/bridge/v1/heartbeat", headers: text, payload: text.body }))
        .statusCode,
    ).toBe(200);
  });

  it("1e999 in a JSON body is a 400, so Infinity never reaches the database (was: fire unreadable, every read 500)", async () => {
    const signal = await h.createSignal();
    const fired = await h.app.inject({
      method: "POST",
      url: "/api/fire",
      headers: { authorization: h.tma(8) },
      payload: { signal_id: signal.id },
    });
    const command = (fired.json() as { fire: { legs: Array<{ id: string }> } }).fire.legs[0]!.id;
    const { body, ...headers } = json(`{"id":"${command}","status":"filled","retcode":10009,"price":1e999}`);
    expectError(await h.app.inject({ method: "POST", url: "/bridge/v1/results", headers, payload: body }), 400);
    const nested = json(
      '{"account":{"login":1,"server":"D","currency":"USD","balance":-1e999,"equity":1,"trade_allowed":true}}',
    );
    expectError(
      await h.app.inject({ method: "POST", url: "/bridge/v1/heartbeat", headers: nested, payload: nested.body }),
      400,
    );
    const fine = json(`{"id":"${command}","status":"filled","retcode":10009,"price":1.085,"volume":0.5}`);
    expect(
      (await h.app.inject({ method: "POST", url: "/bridge/v1/results", headers: fine, payload: fine.body })).statusCode,
    ).toBe(200);
    for (const url of [`/api/missions/${signal.id}`, "/api/me/fires", "/api/me"]) {
      const res = await h.app.inject({ method: "GET", url, headers: { authorization: h.tma(8) } });
      expect(res.statusCode, res.body).toBe(200);
    }
    // Ordinary JSON, prototype keys still refused as before.
    const proto = await h.app.inject({
      method: "POST",
      url: "/api/fire",
      headers: { authorization: h.tma(8), "content-type": "application/json" },
      payload: `{"signal_id":"${signal.id}","__proto__":{"x":1}}`,
    });
    expectError(proto, 400);
  });

  it("a fill at 1e308 is a 400 over HTTP; through the file-drop service the fire stays readable (was: 500 on every read)", async () => {
    const fireFor = async (user: number) => {
      await h.heartbeat(await h.linkBridge(user));
      const signal = await h.createSignal();
      const res = await h.app.inject({
        method: "POST",
        url: "/api/fire",
        headers: { authorization: h.tma(user) },
        payload: { signal_id: signal.id },
      });
      return { signal, command: (res.json() as { fire: { legs: Array<{ id: string }> } }).fire.legs[0]!.id };
    };
    const http = await fireFor(81);
    const token = await h.linkBridge(81);
    await h.heartbeat(token);
    const refused = await h.app.inject({
      method: "POST",
      url: "/bridge/v1/results",
      headers: { authorization: `Bearer ${token}` },
      payload: { id: http.command, status: "filled", retcode: 10009, price: 1e308, volume: 0.5 },
    });
    expectError(refused, 400);
    const files = await fireFor(82);
    await h.ctx.bridge.submitResult(82, {
      id: files.command,
      status: "filled",
      retcode: 10009,
      price: 1e308,
      volume: 0.5,
    });
    for (const url of [`/api/missions/${files.signal.id}`, "/api/me/fires"]) {
      const res = await h.app.inject({ method: "GET", url, headers: { authorization: h.tma(82) } });
      expect(res.statusCode, res.body).toBe(200);
    }
  });
  it("a price too large to round (1e308) is a 400 naming the field, and nothing is stored (was: Infinity stored, missions 500, a take-profit of 0 sent to a terminal)", async () => {
    const before = (await h.store.query("SELECT COUNT(*) AS n FROM signals", []))[0] as { n: number | string };
    for (const [field, body] of [
      ["stop_loss", valid({ side: "SELL", entry: 1.085, stop_loss: 1e308, take_profit: [1.08] })],
      ["take_profit", valid({ take_profit: [1e308] })],
      ["entry", valid({ entry: "1e308" })],
    ] as const) {
      const res = await h.app.inject({ method: "POST", url: "/api/signals", headers: h.admin, payload: body });
      expectError(res, 400);
      expect(res.json().error.field).toBe(field);
    }
    const hook = await h.app.inject({
      method: "POST",
      url: `/hooks/signal/${HOOK_SECRET}`,
      payload: { ticker: "EURUSD", action: "buy", price: 1.085, stop: 1.083, tp: 1e308, idempotency_key: "huge-tp" },
    });
    expectError(hook, 400);
    const after = (await h.store.query("SELECT COUNT(*) AS n FROM signals", []))[0] as { n: number | string };
    expect(Number(after.n)).toBe(Number(before.n));
    // A trade update's price too.
    const signal = await h.createSignal();
    const update = await h.app.inject({
      method: "POST",
      url: `/api/signals/${signal.id}/updates`,
      headers: h.admin,
      payload: { action: "move_sl", stop_loss: 1e308 },
    });
    expectError(update, 400);
  });

  it("an expiry more than 90 days ahead is a 400 naming the field (was: 99,999 days accepted)", async () => {
    for (const [field, body] of [
      ["expires_at", signalBody({ expires_at: new Date(Date.now() + 91 * 86_400_000).toISOString() })],
      ["expires_in_min", signalBody({ expires_in_min: 100_000_000 })],
    ] as const) {
      const res = await h.app.inject({ method: "POST", url: "/api/signals", headers: h.admin, payload: body });
      expectError(res, 400);
      expect(res.json().error).toMatchObject({ field, message: expect.stringContaining("90 days") });
    }
    const ok = await h.app.inject({
      method: "POST",
      url: "/api/signals",
      headers: h.admin,
      payload: signalBody({ expires_at: new Date(Date.now() + 89 * 86_400_000).toISOString() }),
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('an empty idempotency key is a 400 in the body and no key in the header (was: stored as "", every later one 500)', async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/api/signals",
      headers: h.admin,
      payload: valid({ idempotency_key: "" }),
    });
    expectError(res, 400);
    expect(res.json().error.field).toBe("idempotency_key");
    for (const publish of [false, true]) {
      const body = signalBody({
        expires_at: new Date(Date.now() + 7_200_000).toISOString(),
        ...(publish ? { publish_at: new Date(Date.now() + 3_600_000).toISOString() } : {}),
      });
      for (let i = 0; i < 2; i++) {
        const created = await h.app.inject({
          method: "POST",
          url: "/api/signals",
          headers: { ...h.admin, "idempotency-key": "" },
          payload: { ...body, entry: 1.085 + i * 0.0001 },
        });
        expect(created.statusCode, created.body).toBe(201);
      }
    }
  });

  it("a request that is not valid HTTP, or whose headers are too large, is answered in our error shape", async () => {
    const port = new URL(h.url).port;
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1");
        let answer = "";
        socket.on("data", (chunk) => {
          answer += chunk.toString("utf8");
        });
        socket.on("end", () => resolve(answer));
        socket.on("error", reject);
        socket.write(request);
      });
    const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
    for (const request of [
      "GARBAGE\r\n\r\n",
      "POST /api/fire HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
    ]) {
      const answer = await raw(request);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(bodyOf(answer)).toMatchObject({ error: { code: "BAD_REQUEST", message: expect.any(String) } });
    }
    const big = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: tma ${"x".repeat(100_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(big)).toMatchObject({ error: { code: "HEADERS_TOO_LARGE" } });
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });
});
