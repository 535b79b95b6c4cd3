import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signalBody } from "../support/bodies.ts";
import { type Harness, HOOK_SECRET, startHarness } from "../support/harness.ts";

describe("signals routes", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const base = () => signalBody({ expires_at: new Date(Date.now() + 3600_000).toISOString() });
  const create = (payload: Record<string, unknown>) =>
    h.app.inject({ method: "POST", url: "/api/signals", headers: h.admin, payload });

  it("creates a signal: 201 with the contract's fields, stored once", async () => {
    const res = await create({
      ...base(),
      confidence: 89.5,
      shield_score: 8.9,
      shield_notes: "Institutional",
      pattern: "LIQUIDITY_SWEEP_REVERSAL",
      session: "LONDON",
    });
    expect(res.statusCode).toBe(201);
    const s = res.json();
    expect(s).toMatchObject({
      symbol: "EURUSD",
      side: "BUY",
      entry: 1.085,
      stop_loss: 1.083,
      take_profit: [1.089],
      confidence: 89.5,
      shield_score: 8.9,
      min_tier: "NIBBLER",
      status: "active",
    });
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect((await h.store.query("SELECT COUNT(*) AS n FROM signals WHERE id = ?", [s.id]))[0]).toEqual({ n: 1 });
    const events = await h.store.query("SELECT actor FROM events WHERE signal_id = ? AND type = 'signal.created'", [
      s.id,
    ]);
    expect(events).toEqual([{ actor: "admin-token" }]);
  });

  it.each([
    [{ stop_loss: 1.086 }, "stop_loss"],
    [{ take_profit: [1.08] }, "take_profit"],
    [{ side: "SELL" }, "stop_loss"],
    [{ symbol: "NOPEUSD" }, "symbol"],
    [{ expires_at: "2001-01-01T00:00:00Z" }, "expires_at"],
    [{ expires_at: "tomorrow" }, "expires_at"],
    [{ confidence: 101 }, "confidence"],
    [{ shield_score: -1 }, "shield_score"],
    [{ entry: "abc" }, "entry"],
    [{ entry: -1 }, "entry"],
    [{ side: "UP" }, "side"],
    [{ min_tier: "GOD" }, "min_tier"],
  ])("refuses %j with 400 naming %s", async (patch, field) => {
    const res = await create({ ...base(), ...patch });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("BAD_REQUEST");
    expect(res.json().error.message).toContain(field);
  });

  it("refuses a missing field, bad JSON and a wrong content type with 4xx in the error shape", async () => {
    const { symbol: _s, ...noSymbol } = base();
    const missing = await create(noSymbol);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain("symbol");
    const badJson = await h.app.inject({
      method: "POST",
      url: "/api/signals",
      headers: { ...h.admin, "content-type": "application/json" },
      payload: "{nope",
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe("BAD_REQUEST");
    const text = await h.app.inject({
      method: "POST",
      url: "/api/signals",
      headers: { ...h.admin, "content-type": "text/plain" },
      payload: "hi",
    });
    expect(text.statusCode).toBe(400);
    expect(text.json().error).toBeDefined();
  });

  it("accepts a SELL with several take-profits, nearest first", async () => {
    const res = await create({
      ...base(),
      side: "SELL",
      entry: 1.085,
      stop_loss: 1.087,
      take_profit: [1.079, 1.083, 1.081],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().take_profit).toEqual([1.083, 1.081, 1.079]);
  });

  it("lists signals newest first, filters active, and cancels", async () => {
    const a = (await create(base())).json();
    const b = (await create(base())).json();
    const list = await h.app.inject({
      method: "GET",
      url: "/api/signals?status=active",
      headers: { authorization: h.tma(1) },
    });
    expect(list.statusCode).toBe(200);
    const ids = list.json().signals.map((s: { id: string }) => s.id);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    const cancel = await h.app.inject({ method: "POST", url: `/api/signals/${a.id}/cancel`, headers: h.admin });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json().status).toBe("cancelled");
    const after = await h.app.inject({
      method: "GET",
      url: "/api/signals?status=active",
      headers: { authorization: h.tma(1) },
    });
    expect(after.json().signals.map((s: { id: string }) => s.id)).not.toContain(a.id);
    const mission = await h.app.inject({
      method: "GET",
      url: `/api/missions/${a.id}`,
      headers: { authorization: h.tma(1) },
    });
    expect(mission.json().status).toBe("cancelled");
    expect(mission.json().fire_block.code).toBe("SIGNAL_CANCELLED");
    const count = await h.app.inject({
      method: "GET",
      url: `/api/signals/${b.id}/fire-count`,
      headers: { authorization: h.tma(1) },
    });
    expect(count.json()).toEqual({ signal_id: b.id, count: 0 });
  });

  it("answers 404 for unknown signals and 400 for malformed ids", async () => {
    const unknown = await h.app.inject({
      method: "GET",
      url: "/api/signals/s_unknown/fire-count",
      headers: { authorization: h.tma(1) },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("NOT_FOUND");
    const cancel = await h.app.inject({ method: "POST", url: "/api/signals/s_unknown/cancel", headers: h.admin });
    expect(cancel.statusCode).toBe(404);
    const weird = await h.app.inject({
      method: "GET",
      url: "/api/missions/..%2F..%2Fetc",
      headers: { authorization: h.tma(1) },
    });
    expect(weird.statusCode).toBe(400);
  });

  it("webhook: wrong secret 404; TradingView fields map; same alert twice creates one signal", async () => {
    const alert = {
      ticker: "OANDA:XAUUSD",
      action: "sell",
      price: "2000.5",
      sl: 2010,
      tp1: 1990,
      tp2: 1980,
      expiry: 30,
    };
    const wrong = await h.app.inject({ method: "POST", url: "/hooks/signal/wrong-secret", payload: alert });
    expect(wrong.statusCode).toBe(404);
    const first = await h.app.inject({ method: "POST", url: `/hooks/signal/${HOOK_SECRET}`, payload: alert });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      symbol: "XAUUSD",
      side: "SELL",
      entry: 2000.5,
      stop_loss: 2010,
      take_profit: [1990, 1980],
      source: "webhook",
    });
    const again = await h.app.inject({ method: "POST", url: `/hooks/signal/${HOOK_SECRET}`, payload: alert });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const keyed = { ...alert, idempotency_key: "tv-123", price: 2001 };
    const k1 = await h.app.inject({ method: "POST", url: `/hooks/signal/${HOOK_SECRET}`, payload: keyed });
    const k2 = await h.app.inject({
      method: "POST",
      url: `/hooks/signal/${HOOK_SECRET}`,
      payload: { ...keyed, price: 2002 },
    });
    expect(k1.statusCode).toBe(201);
    expect(k2.statusCode).toBe(200);
    expect(k2.json().id).toBe(k1.json().id);
    const bad = await h.app.inject({
      method: "POST",
      url: `/hooks/signal/${HOOK_SECRET}`,
      payload: { ...alert, sl: 1990 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("stop_loss");
  });

  it("webhook: takes the contract's own signal fields, and the same alert in another key order once", async () => {
    const expires_at = new Date(Date.now() + 3600_000).toISOString();
    const alert = {
      symbol: "GBPUSD",
      side: "BUY",
      entry: 1.27,
      stop_loss: 1.268,
      take_profit: [1.274, 1.276],
      expires_at,
    };
    const created = await h.app.inject({ method: "POST", url: `/hooks/signal/${HOOK_SECRET}`, payload: alert });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      symbol: "GBPUSD",
      stop_loss: 1.268,
      take_profit: [1.274, 1.276],
      expires_at,
    });
    const reordered = Object.fromEntries(Object.entries(alert).reverse());
    const again = await h.app.inject({ method: "POST", url: `/hooks/signal/${HOOK_SECRET}`, payload: reordered });
    expect([again.statusCode, again.json().id, again.json().duplicate]).toEqual([200, created.json().id, true]);
    // A single take-profit as a plain number counts too.
    const single = await h.app.inject({
      method: "POST",
      url: `/hooks/signal/${HOOK_SECRET}`,
      payload: { ...alert, entry: 1.2702, take_profit: 1.275 },
    });
    expect([single.statusCode, single.json().take_profit]).toEqual([201, [1.275]]);
  });

  it("webhook: reads the body as JSON whatever its content type; anything else is a 400 saying so", async () => {
    const alert = { symbol: "EURUSD", side: "BUY", entry: 1.0861, stop_loss: 1.0841, take_profit: [1.0901] };
    const post = (body: string, headers: Record<string, string>, secret = HOOK_SECRET) =>
      h.app.inject({ method: "POST", url: `/hooks/signal/${secret}`, payload: body, headers });
    // JSON sent as text/plain (an alert sender's default), and with no content type at all.
    const plain = await post(JSON.stringify(alert), { "content-type": "text/plain" });
    expect(plain.statusCode).toBe(201);
    expect(plain.json()).toMatchObject({ symbol: "EURUSD", entry: 1.0861, source: "webhook" });
    const untyped = await post(JSON.stringify({ ...alert, entry: 1.0862 }), {});
    expect(untyped.statusCode).toBe(201);
    // TradingView's own plain-text message (not JSON), then JSON that is not an object, or nothing.
    const text = await post("BUY EURUSD now", { "content-type": "text/plain" });
    expect([text.statusCode, text.json().error]).toEqual([
      400,
      { code: "BAD_REQUEST", message: "Body is not valid JSON" },
    ]);
    for (const body of ["[1, 2]", '"EURUSD"', ""]) {
      const res = await post(body, { "content-type": "text/plain" });
      expect([res.statusCode, res.json().error]).toEqual([
        400,
        { code: "BAD_REQUEST", message: "Body must be a JSON object" },
      ]);
    }
    // The app's JSON checks hold for every content type: a NUL in text names its field.
    const nul = await post('{"symbol":"EURUSD","notes":"a\\u0000b"}', { "content-type": "text/plain" });
    expect([nul.statusCode, nul.json().error.message]).toEqual([
      400,
      "notes: text must not contain NUL (\\u0000) characters",
    ]);
    // A wrong secret is a 404 whatever the body.
    const wrong = await post("not json", { "content-type": "text/plain" }, "wrong-secret");
    expect(wrong.statusCode).toBe(404);
    // Too big for an alert: 413 in the error shape.
    const huge = await post(JSON.stringify({ ...alert, notes: "x".repeat(300_000) }), {
      "content-type": "application/json",
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error).toBeDefined();
  });

  it("serves the OpenAPI document and unknown routes in the error shape", async () => {
    const docs = await h.app.inject({ method: "GET", url: "/docs/json" });
    expect(docs.statusCode).toBe(200);
    expect(Object.keys(docs.json().paths)).toEqual(
      expect.arrayContaining(["/api/fire", "/api/missions/{signalId}", "/bridge/v1/commands"]),
    );
    // /docs: a readable page of that document, its viewer served from this server (no CDN).
    const page = await h.app.inject({ method: "GET", url: "/docs/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).not.toMatch(/src="https?:\/\//);
    const bundle = await h.app.inject({ method: "GET", url: "/docs/static/swagger-ui-bundle.js" });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.body.length).toBeGreaterThan(100_000);
    const none = await h.app.inject({ method: "GET", url: "/api/nothing-here" });
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe("NOT_FOUND");
  });
});

describe("POST routes that take no body", () => {
  it("accept an empty body sent as application/json; a route that needs a body still answers 400", async () => {
    const h = await startHarness();
    try {
      const s = await h.createSignal();
      const json = { "content-type": "application/json" };
      const cancel = await h.app.inject({
        method: "POST",
        url: `/api/signals/${s.id}/cancel`,
        headers: { ...h.admin, ...json },
        payload: "",
      });
      expect(cancel.statusCode).toBe(200);
      const token = await h.app.inject({
        method: "POST",
        url: "/api/me/bridge-token",
        headers: { authorization: h.tma(5), ...json },
        payload: "",
      });
      expect(token.statusCode).toBe(200);
      const fire = await h.app.inject({
        method: "POST",
        url: "/api/fire",
        headers: { authorization: h.tma(5), ...json },
        payload: "",
      });
      expect([fire.statusCode, fire.json().error.code]).toEqual([400, "BAD_REQUEST"]);
    } finally {
      await h.close();
    }
  });
});
