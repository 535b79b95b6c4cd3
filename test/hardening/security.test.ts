import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggerOptions } from "../../server/app.ts";
import {
  ADMIN_TOKEN,
  ADMIN_USER_ID,
  type Harness,
  HOOK_SECRET,
  signInitData,
  startHarness,
} from "../support/harness.ts";
import { tempDir } from "../support/tmp.ts";

const A = 101;
const B = 102;
const PLAIN = 103;
const OTHER_BOT = "42:another-bots-token-aaaaaaaaaaaa";

interface Door {
  door: "mini app" | "admin" | "bridge" | "webhook";
  what: string;
  request: () => InjectOptions;
  status: number;
  code?: string;
}

/** Every door, tried with the wrong key; one table. Plus: secrets never logged, and page headers. */
describe("security matrix", () => {
  let h: Harness;
  const logLines: string[] = [];
  const dist = tempDir("sortie-sec-dist-");
  const ids = { signal: "", commandA: "", commandB: "" };
  const tokens = { a: "", b: "" };

  beforeAll(async () => {
    mkdirSync(join(dist.dir, "assets"));
    writeFileSync(join(dist.dir, "index.html"), "<!doctype html><title>Sortie</title>");
    writeFileSync(join(dist.dir, "assets", "app.js"), "console.log(1)");
    const stream = { write: (line: string) => void logLines.push(line) };
    h = await startHarness({ app: { logger: loggerOptions("info", stream), distDir: dist.dir } });
    ids.signal = (await h.createSignal()).id;
    for (const [user, key] of [
      [A, "a"],
      [B, "b"],
    ] as const) {
      tokens[key] = await h.linkBridge(user);
      await h.heartbeat(tokens[key]);
      const fired = await h.app.inject({
        method: "POST",
        url: "/api/fire",
        headers: { authorization: h.tma(user) },
        payload: { signal_id: ids.signal },
      });
      ids[user === A ? "commandA" : "commandB"] = (fired.json() as { fire: { legs: Array<{ id: string }> } }).fire
        .legs[0]!.id;
    }
  });
  afterAll(async () => {
    await h.close();
    dist.cleanup();
  });

  const get = (url: string, authorization?: string): InjectOptions => ({
    method: "GET",
    url,
    headers: authorization ? { authorization } : {},
  });
  const post = (url: string, payload: unknown, authorization?: string): InjectOptions => ({
    method: "POST",
    url,
    payload: payload as Record<string, unknown>,
    headers: authorization ? { authorization } : {},
  });
  const signalBody = () => ({
    symbol: "EURUSD",
    side: "SELL",
    entry: 1.085,
    stop_loss: 1.087,
    take_profit: [1.081],
    expires_in_min: 30,
  });
  const heartbeatBody = {
    account: { login: 1, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true },
  };
  const tamper = (initData: string) => initData.replace(`%22id%22%3A${A}`, `%22id%22%3A${B}`);
  const result = (id: string) => ({ id, status: "filled", retcode: 10009, ticket: 1, price: 1.085, volume: 0.5 });

  // biome-ignore format: one door per line reads as the table it is
  const DOORS: Door[] = [
    { door: "mini app", what: "no credentials", request: () => get("/api/me"), status: 401, code: "UNAUTHORIZED" },
    { door: "mini app", what: "initData signed with another bot's token", request: () => get("/api/me", `tma ${signInitData({ id: A }, OTHER_BOT)}`), status: 401, code: "UNAUTHORIZED" },
    { door: "mini app", what: "initData with the user id changed after signing", request: () => get("/api/me", tamper(h.tma(A))), status: 401, code: "UNAUTHORIZED" },
    { door: "mini app", what: "expired initData (older than INITDATA_MAX_AGE_S)", request: () => get("/api/me", h.tma(A, new Date(Date.now() - 2 * 86400_000))), status: 401, code: "UNAUTHORIZED" },
    { door: "mini app", what: "initData dated in the future", request: () => get("/api/me", h.tma(A, new Date(Date.now() + 3600_000))), status: 401, code: "UNAUTHORIZED" },
    { door: "mini app", what: "initData without its hash", request: () => get("/api/me", h.tma(A).replace(/&?hash=[0-9a-f]+/, "")), status: 401, code: "UNAUTHORIZED" },
    { door: "mini app", what: "a bridge token instead of initData", request: () => get("/api/me", `Bearer ${tokens.a}`), status: 401, code: "UNAUTHORIZED" },
    { door: "mini app", what: "the admin token on a trader-only route", request: () => get("/api/me", `Bearer ${ADMIN_TOKEN}`), status: 401, code: "UNAUTHORIZED" },
    { door: "mini app", what: "another user's stats", request: () => get(`/api/users/${B}/stats`, h.tma(A)), status: 403, code: "FORBIDDEN" },
    { door: "mini app", what: "firing as another user (user_id in the body)", request: () => post("/api/fire", { signal_id: ids.signal, user_id: B }, h.tma(A)), status: 403, code: "FORBIDDEN" },
    { door: "mini app", what: "an event stream with forged initData", request: () => get("/api/events", `tma ${signInitData({ id: A }, OTHER_BOT)}`), status: 401, code: "UNAUTHORIZED" },
    { door: "admin", what: "create a signal without credentials", request: () => post("/api/signals", signalBody()), status: 401, code: "UNAUTHORIZED" },
    { door: "admin", what: "create a signal with a wrong token", request: () => post("/api/signals", signalBody(), `Bearer ${ADMIN_TOKEN}x`), status: 401, code: "UNAUTHORIZED" },
    { door: "admin", what: "create a signal with a bridge token", request: () => post("/api/signals", signalBody(), `Bearer ${tokens.a}`), status: 401, code: "UNAUTHORIZED" },
    { door: "admin", what: "create a signal as a trader who is not in ADMIN_IDS", request: () => post("/api/signals", signalBody(), h.tma(PLAIN)), status: 403, code: "FORBIDDEN" },
    { door: "admin", what: "cancel a signal as a trader who is not in ADMIN_IDS", request: () => post(`/api/signals/${ids.signal}/cancel`, {}, h.tma(A)), status: 403, code: "FORBIDDEN" },
    { door: "admin", what: "read /metrics without credentials", request: () => get("/metrics"), status: 401, code: "UNAUTHORIZED" },
    { door: "admin", what: "read /metrics as a trader", request: () => get("/metrics", h.tma(PLAIN)), status: 403, code: "FORBIDDEN" },
    { door: "admin", what: "the admin token (control: allowed)", request: () => post("/api/signals", signalBody(), `Bearer ${ADMIN_TOKEN}`), status: 201 },
    { door: "admin", what: "initData of an ADMIN_IDS user (control: allowed)", request: () => post("/api/signals", signalBody(), h.tma(ADMIN_USER_ID)), status: 201 },
    { door: "bridge", what: "heartbeat without a token", request: () => post("/bridge/v1/heartbeat", heartbeatBody), status: 401, code: "UNAUTHORIZED" },
    { door: "bridge", what: "poll with an unknown token", request: () => get("/bridge/v1/commands", "Bearer sb_not-a-real-token"), status: 401, code: "UNAUTHORIZED" },
    { door: "bridge", what: "poll with the admin token", request: () => get("/bridge/v1/commands", `Bearer ${ADMIN_TOKEN}`), status: 401, code: "UNAUTHORIZED" },
    { door: "bridge", what: "poll with initData", request: () => get("/bridge/v1/commands", h.tma(A)), status: 401, code: "UNAUTHORIZED" },
    { door: "bridge", what: "token A reporting a result for B's command", request: () => post("/bridge/v1/results", result(ids.commandB), `Bearer ${tokens.a}`), status: 403, code: "FORBIDDEN" },
    { door: "bridge", what: "token A reporting B's position closed", request: () => post("/bridge/v1/closed", { id: ids.commandB, close_price: 1.09, profit: 1 }, `Bearer ${tokens.a}`), status: 403, code: "FORBIDDEN" },
    { door: "bridge", what: "a result for a command that does not exist", request: () => post("/bridge/v1/results", result("c_NOPE"), `Bearer ${tokens.a}`), status: 404, code: "NOT_FOUND" },
    { door: "webhook", what: "wrong secret", request: () => post("/hooks/signal/not-the-secret", signalBody()), status: 404, code: "NOT_FOUND" },
    { door: "webhook", what: "the secret minus its last character", request: () => post(`/hooks/signal/${HOOK_SECRET.slice(0, -1)}`, signalBody()), status: 404, code: "NOT_FOUND" },
    { door: "webhook", what: "the secret plus a character", request: () => post(`/hooks/signal/${HOOK_SECRET}x`, signalBody()), status: 404, code: "NOT_FOUND" },
    { door: "webhook", what: "the secret in a header instead of the path", request: () => ({ ...post("/hooks/signal/", signalBody()), headers: { authorization: `Bearer ${HOOK_SECRET}` } }), status: 404, code: "NOT_FOUND" },
    { door: "webhook", what: "the right secret (control: allowed)", request: () => post(`/hooks/signal/${HOOK_SECRET}`, { symbol: "EURUSD", side: "buy", price: 1.085, sl: 1.083, tp: 1.089 }), status: 201 },
  ];

  it.each(DOORS)("$door door: $what → $status", async ({ request, status, code }) => {
    const res = await h.app.inject(request());
    expect(res.statusCode, res.body).toBe(status);
    if (code) expect(res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
  });

  it("bridge: a terminal only ever sees and settles its own commands; a rotated token stops working", async () => {
    const polled = await h.app.inject(get("/bridge/v1/commands", `Bearer ${tokens.a}`));
    const seen = (polled.json() as { commands: Array<{ id: string }> }).commands.map((c) => c.id);
    expect(seen).toEqual([ids.commandA]);
    expect((await h.store.commands.findCommand(ids.commandB))?.state).toBe("queued"); // untouched by A's attempts
    const rotated = await h.app.inject(post("/api/me/bridge-token", {}, h.tma(A)));
    expect((rotated.json() as { rotated: boolean }).rotated).toBe(true);
    const old = await h.app.inject(get("/bridge/v1/commands", `Bearer ${tokens.a}`));
    expect(old.statusCode).toBe(401);
  });

  it("tokens, initData and the hook secret never reach the log", async () => {
    const initData = h.tma(A).slice(4);
    const hash = new URLSearchParams(initData).get("hash")!;
    const bogus = "sb_bogus-token-that-must-not-be-logged";
    await h.app.inject(get("/api/me", `tma ${initData}`));
    await h.app.inject(get("/api/me", `tma ${initData}x`)); // refused: still not logged
    await h.app.inject(get("/bridge/v1/commands", `Bearer ${tokens.b}`));
    await h.app.inject(get("/bridge/v1/commands", `Bearer ${bogus}`));
    await h.app.inject(post("/api/signals", signalBody(), `Bearer ${ADMIN_TOKEN}`));
    await h.app.inject(post(`/hooks/signal/${HOOK_SECRET}`, { symbol: "EURUSD" }));
    await h.app.inject(get(`/app/?tgWebAppData=${encodeURIComponent(initData)}&token=${tokens.b}`));
    await h.app.inject(get(`/hooks/signal/${HOOK_SECRET}%E0%A4%A`));
    for (const typo of ["//hooks/signal/", "/Hooks/Signal/", "/hooks//signal/"])
      await h.app.inject(post(`${typo}${HOOK_SECRET}`, {}));
    const log = logLines.join("");
    if (process.env.SHOW_LOG) console.log(log);
    expect(log).toContain('"url":"/hooks/signal/[redacted]"'); // the log is on, and redacting
    expect(logLines.length).toBeGreaterThan(20);
    for (const secret of [tokens.a, tokens.b, bogus, ADMIN_TOKEN, HOOK_SECRET, initData, hash]) {
      expect(log).not.toContain(secret);
    }
  });

  it("Mini App pages may be framed by Telegram only, and are never sniffed", async () => {
    for (const url of ["/app/", `/mission/${ids.signal}`, "/app/assets/app.js"]) {
      const res = await h.app.inject(get(url));
      expect(res.statusCode, url).toBe(200);
      const csp = String(res.headers["content-security-policy"]);
      expect(csp, url).toMatch(/frame-ancestors [^;]*https:\/\/web\.telegram\.org/);
      expect(csp, url).not.toMatch(/frame-ancestors [^;]*\*(\s|;|$)/); // no bare wildcard
      expect(res.headers["x-content-type-options"], url).toBe("nosniff");
      expect(String(res.headers["x-frame-options"] ?? ""), url).not.toMatch(/deny/i);
    }
  });
});
