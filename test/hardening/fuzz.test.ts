import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_USER_ID, type Harness, signInitData, startHarness } from "../support/harness.ts";
import { tempDir } from "../support/tmp.ts";
import {
  garbageText,
  type Mutation,
  mutate,
  mutation,
  nastyQuery,
  nastySegment,
  toJsonText,
} from "./support/fuzz-arbs.ts";
import { type Auth, type Endpoint, endpoints } from "./support/fuzz-endpoints.ts";

/** FUZZ_RUNS=100000 for a longer hunt; the default keeps the suite under ~15 s. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_500);
const BRIDGE_USER = 2;
const TMA_USERS = [3, 4, ADMIN_USER_ID];

const request = fc.record({
  endpoint: fc.nat(),
  method: fc.oneof(
    { weight: 12, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD") },
  ),
  segment: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: nastySegment }),
  query: nastyQuery,
  auth: fc.oneof(
    { weight: 5, arbitrary: fc.constant(null) },
    {
      weight: 4,
      arbitrary: fc.constantFrom<Auth>(
        "none",
        "tma",
        "tma-admin",
        "admin",
        "bridge",
        "forged",
        "expired",
        "junk",
        "huge",
        "swapped",
      ),
    },
  ),
  junk: fc.string({ unit: "binary-ascii", maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
  body: fc.oneof(
    {
      weight: 60,
      arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((m) => ({ kind: "mutated" as const, m })),
    },
    { weight: 20, arbitrary: fc.constant({ kind: "valid" as const }) },
    { weight: 20, arbitrary: garbageText.map((text) => ({ kind: "text" as const, text })) },
    {
      weight: 20,
      arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: "text" as const, text: JSON.stringify(v) })),
    },
    { weight: 20, arbitrary: fc.constant({ kind: "none" as const }) },
    { weight: 3, arbitrary: fc.constant({ kind: "huge" as const }) },
  ),
  contentType: fc.oneof(
    { weight: 8, arbitrary: fc.constant("application/json") },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-16",
        "application/jsonx",
        "",
        "*/*",
      ),
    },
  ),
  lastEventId: fc.option(fc.string({ unit: "binary-ascii", maxLength: 25 }).map((s) => s.replace(/[^\x20-\x7e]/g, ""))),
});

const ERROR_SHAPE = /^[A-Z][A-Z0-9_]*$/;

describe("bad input fuzz (fast-check, app.inject, rate limits off)", () => {
  let h: Harness;
  let routes: Endpoint[];
  const tokens: Record<string, string> = {};
  const signals: string[] = [];
  const dist = tempDir("sortie-fuzz-dist-");
  beforeAll(async () => {
    mkdirSync(join(dist.dir, "assets"));
    writeFileSync(join(dist.dir, "index.html"), "<!doctype html><title>Sortie</title>");
    writeFileSync(join(dist.dir, "assets", "app.js"), "console.log(1)");
    h = await startHarness({ app: { distDir: dist.dir } });
    tokens.bridge = await h.linkBridge(BRIDGE_USER);
    await h.heartbeat(tokens.bridge);
    await h.store.users.setTier(BRIDGE_USER, "APEX", new Date().toISOString()); // no daily fire limit
    await h.heartbeat(await h.linkBridge(3));
    // Several fires of the bridge user, so results and closed reports keep finding open commands.
    const commands: string[] = [];
    for (let i = 0; i < 6; i++) {
      signals.push((await h.createSignal({ take_profit: [1.089, 1.091] })).id);
      const fired = await h.app.inject({
        method: "POST",
        url: "/api/fire",
        headers: { authorization: h.tma(BRIDGE_USER) },
        payload: { signal_id: signals[i] },
      });
      commands.push(...(fired.json() as { fire: { legs: Array<{ id: string }> } }).fire.legs.map((l) => l.id));
    }
    routes = endpoints({ signal: signals[0]!, commands });
  });
  afterAll(async () => {
    await h.close();
    dist.cleanup();
  });

  function credentials(auth: Auth, junk: string): string | undefined {
    const user = TMA_USERS[junk.length % TMA_USERS.length]!;
    switch (auth) {
      case "none":
        return undefined;
      case "tma":
        return h.tma(user);
      case "tma-admin":
        return h.tma(ADMIN_USER_ID);
      case "admin":
        return h.admin.authorization;
      case "bridge":
        return `Bearer ${tokens.bridge}`;
      case "forged":
        return `tma ${signInitData({ id: user }, "999:forged-token-forged-token-xx")}`;
      case "expired":
        return h.tma(user, new Date(Date.now() - 3 * 86400_000));
      case "swapped":
        return (
          ["tma ", "Bearer ", "Basic ", "bearer  "][junk.length % 4]! +
          [tokens.bridge!, h.admin.authorization, h.tma(user)][junk.length % 3]!
        );
      case "huge":
        return `tma ${"A".repeat(16_000)}`;
      case "junk":
        return junk;
    }
  }

  function build(g: typeof request extends fc.Arbitrary<infer T> ? T : never): InjectOptions {
    const route = routes[g.endpoint % routes.length]!;
    const path = route.path.replace(":id", g.segment ?? "s_NOPE");
    let auth = g.auth ?? route.auth;
    const method = g.method ?? route.method;
    let query = g.query;
    if (path === "/api/events" && (auth === "tma" || auth === "tma-admin")) auth = "junk"; // streams never end
    if (path.startsWith("/bridge/v1/commands") && auth === "bridge") query = "?wait=0"; // nor do long-polls, quickly
    const headers: Record<string, string> = {};
    const authorization = credentials(auth, g.junk);
    if (authorization !== undefined) headers.authorization = authorization;
    if (g.lastEventId !== null) headers["last-event-id"] = g.lastEventId;
    let payload: string | undefined;
    const template = route.body?.() ?? {};
    if (g.body.kind === "valid") payload = toJsonText(template);
    else if (g.body.kind === "mutated") payload = toJsonText(mutate(template, g.body.m as Mutation[]));
    else if (g.body.kind === "text") payload = g.body.text;
    else if (g.body.kind === "huge") payload = `{"text":"${"x".repeat(300 * 1024)}"}`;
    if (payload !== undefined && method !== "GET" && method !== "HEAD") {
      if (g.contentType) headers["content-type"] = g.contentType;
      return { method: method as never, url: path + query, headers, payload };
    }
    return { method: method as never, url: path + query, headers };
  }

  it(`answers ${RUNS} malformed requests without a 5xx, always in the error shape`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (g) => {
        const options = build(g);
        const res = await h.app.inject(options);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const what = `${options.method} ${String(options.url).slice(0, 120)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        // 503 BRIDGE_OFFLINE is the contract's answer for a fire to a silent terminal, not a failure.
        const offline = res.statusCode === 503 && res.body.includes('"BRIDGE_OFFLINE"');
        expect(res.statusCode < 500 || offline, what).toBe(true);
        expect(res.body, what).not.toMatch(/\n\s+at [\w.<>]+ \(/); // never a stack trace
        if (res.statusCode >= 400 && options.method !== "HEAD") {
          const body = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
          expect(typeof body.error?.code === "string" && ERROR_SHAPE.test(body.error.code), what).toBe(true);
          expect(typeof body.error?.message, what).toBe("string");
        }
      }),
      { numRuns: RUNS },
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(10_000);
    console.log(`fuzz: ${total} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);

    const health = await h.app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(200);
    expect((health.json() as { status: string }).status).toBe("ok");
    // Whatever the fuzz stored must still read back: no value that poisons later answers.
    for (const user of [BRIDGE_USER, ...TMA_USERS]) {
      for (const url of ["/api/me", "/api/me/fires", ...signals.map((id) => `/api/missions/${id}`)]) {
        const res = await h.app.inject({ method: "GET", url, headers: { authorization: h.tma(user) } });
        expect(res.statusCode, `${url} as ${user}: ${res.body.slice(0, 200)}`).toBe(200);
      }
    }
  }, 120_000);
});
