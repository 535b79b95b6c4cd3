import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";

/** Findings 5 (a database that cannot write) and 9 (what /health shows, token caching) of #21. */
describe("GET /health", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it("shows no terminal or stream counts to anonymous callers; the admin still sees them", async () => {
    h = await startHarness();
    const token = await h.linkBridge(501);
    await h.heartbeat(token);
    const anonymous = await h.app.inject({ method: "GET", url: "/health" });
    expect(anonymous.statusCode).toBe(200);
    const body = anonymous.json() as Record<string, Record<string, unknown>>;
    expect(body.status).toBe("ok");
    expect(body.bridge).not.toHaveProperty("terminals_linked");
    expect(body.bridge).not.toHaveProperty("terminals_online");
    expect(body).not.toHaveProperty("events");
    expect(JSON.stringify(body)).not.toMatch(/terminals|clients/);
    const admin = (await h.app.inject({ method: "GET", url: "/health", headers: h.admin })).json() as Record<
      string,
      Record<string, unknown>
    >;
    expect(admin.bridge).toMatchObject({ terminals_linked: 1, terminals_online: 1 });
    expect(admin.events).toMatchObject({ clients: 0 });
  });

  it("a database that cannot write (disk full) makes fires a clear 503 and /health not ok", async () => {
    h = await startHarness();
    const token = await h.linkBridge(502);
    await h.heartbeat(token);
    await h.app.inject({ method: "PATCH", url: "/api/users/502", headers: h.admin, payload: { tier: "APEX" } });
    const signals = [];
    for (let i = 0; i < 60; i++) signals.push(await h.createSignal());
    // SQLite's own "disk full": no page may be added to the file, as on a full disk.
    const pages = h.sqlite.pragma("page_count", { simple: true }) as number;
    h.sqlite.pragma(`max_page_count = ${pages}`);
    // Fire until a write needs a page the "disk" no longer has.
    let full: { statusCode: number; json(): unknown } | null = null;
    for (const signal of signals) {
      const fire = await h.fire(502, signal.id);
      if (fire.statusCode !== 202) {
        full = fire;
        break;
      }
    }
    expect(full).not.toBeNull();
    expect(full!.statusCode).toBe(503);
    expect(full!.json()).toMatchObject({
      error: { code: "UNAVAILABLE", message: expect.stringMatching(/cannot write/) },
    });
    const health = await h.app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({
      error: { code: "UNAVAILABLE", message: expect.stringMatching(/cannot write/) },
    });
    // Space again: the next successful write clears it.
    h.sqlite.pragma("max_page_count = 1073741823");
    const again = await h.createSignal();
    expect(again.id).toBeTruthy();
    expect((await h.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
  });
});

describe("POST /api/me/bridge-token", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it("answers with Cache-Control: no-store (the token is shown once)", async () => {
    h = await startHarness();
    const res = await h.app.inject({
      method: "POST",
      url: "/api/me/bridge-token",
      headers: { authorization: h.tma(503) },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
  });
});
