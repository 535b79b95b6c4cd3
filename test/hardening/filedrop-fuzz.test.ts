import { existsSync } from "node:fs";
import { readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileDropTransport, type FileDropTransport, writeFileAtomic } from "../../bridge/filedrop/index.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { waitFor } from "../support/wait.ts";
import { type Drop, dropArb } from "./support/filedrop-arbs.ts";

const U = 61; // the file-drop terminal's user
const V = 62; // someone else, over HTTP

describe("file-drop fuzz: garbage in out/ and heartbeat.json while a transport runs against ctx.bridge", () => {
  let h: Harness;
  let transport: FileDropTransport;
  let dir: string;
  const logs: string[] = [];
  const ids = { mine: [] as string[], theirs: "", signals: [] as string[] };

  beforeAll(async () => {
    h = await startHarness();
    dir = join(h.dir, "MQL5", "Files", "sortie");
    for (const user of [U, V]) {
      await h.heartbeat(await h.linkBridge(user));
      await h.store.users.setTier(user, "APEX", new Date().toISOString());
    }
    for (let i = 0; i < 4; i++) {
      const signal = await h.createSignal({ take_profit: [1.089, 1.091] });
      ids.signals.push(signal.id);
      for (const user of [U, V]) {
        const res = await h.app.inject({
          method: "POST",
          url: "/api/fire",
          headers: { authorization: h.tma(user) },
          payload: { signal_id: signal.id },
        });
        const legs = (res.json() as { fire: { legs: Array<{ id: string }> } }).fire.legs.map((l) => l.id);
        if (user === U) ids.mine.push(...legs);
        else ids.theirs = legs[0]!;
      }
    }
    transport = createFileDropTransport({
      dir,
      userId: U,
      service: h.ctx.bridge,
      pollMs: 25,
      settleMs: 400,
      tmpStaleMs: 300,
      log: (l) => void logs.push(l),
    });
    await transport.start();
  });
  afterAll(async () => {
    await transport.stop();
    await h.close();
  });

  const list = (sub: string) => readdir(join(dir, sub)).catch(() => [] as string[]);
  let batch = 0;

  it("quarantines every unusable report, consumes the good ones, and never stops scanning", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(dropArb(ids), { minLength: 15, maxLength: 30 }), async (generated) => {
        batch++;
        const drops: Drop[] = generated.map((d, i) => ({ ...d, name: `b${batch}-${i}${d.ext}` }));
        await Promise.all(drops.map((d) => d.write(join(dir, "out", d.name))));
        await waitFor(async () => (await list("out")).length === 0, 15_000, `out/ drained (batch ${batch})`);
        const quarantined = await list("quarantine");
        for (const d of drops) {
          const caught = quarantined.some((q) => q.endsWith(`-out-${d.name}`));
          if (d.fate !== "either") expect(caught, `${d.name} should be ${d.fate}`).toBe(d.fate === "quarantined");
        }
      }),
      { numRuns: 6, endOnFailure: true },
    );
    expect(logs.filter((l) => l.includes("scan failed"))).toEqual([]);
  }, 60_000);

  it("quarantines a garbage heartbeat.json, and the next good one still counts", async () => {
    const path = join(dir, "heartbeat.json");
    const account = {
      login: 1,
      server: "Paper",
      currency: "USD",
      balance: 10_000,
      equity: 10_000,
      trade_allowed: true,
    };
    const garbage = [
      "",
      "{",
      "[1,2]",
      '{"account":null}',
      JSON.stringify({ account: { ...account, balance: "lots" } }),
      "\u0000\u0001binary",
    ];
    for (const body of garbage) {
      const before = (await list("quarantine")).filter((q) => q.endsWith("-heartbeat.json")).length;
      await writeFile(path, body);
      await waitFor(async () => !existsSync(path), 5000, `heartbeat ${JSON.stringify(body)} quarantined`);
      expect((await list("quarantine")).filter((q) => q.endsWith("-heartbeat.json")).length).toBe(before + 1);
    }
    // A price time no Date can hold (a terminal's broken clock): the price is kept, its time read as now.
    await writeFileAtomic(
      path,
      JSON.stringify({ account, prices: [{ symbol: "EURUSD", bid: 1.08, ask: 1.09, time: 1e308 }] }),
    );
    const priceRow = async () =>
      (await h.store.query("SELECT bid, time FROM terminal_prices WHERE user_id = ? AND name = 'EURUSD'", [U]))[0] as
        | { bid: number; time: string }
        | undefined;
    const stored = await waitFor(
      async () => {
        const row = await priceRow();
        return row?.bid === 1.08 ? row : null;
      },
      5000,
      "odd-time heartbeat applied",
    );
    expect(Math.abs(Date.parse(stored.time) - Date.now())).toBeLessThan(60_000);
    const seenBefore = (await h.store.users.findUser(U))!.bridge_seen_ms!;
    await new Promise((r) => setTimeout(r, 20));
    await writeFileAtomic(path, JSON.stringify({ account: { ...account, balance: 12_345 } }));
    await waitFor(async () => (await h.store.users.findUser(U))!.balance === 12_345, 5000, "good heartbeat applied");
    expect((await h.store.users.findUser(U))!.bridge_seen_ms!).toBeGreaterThan(seenBefore);
    expect(await h.ctx.bridge.isOnline(U)).toBe(true);
  });

  it("everything left behind still reads back through the API, and /health is ok", async () => {
    for (const url of ["/api/me", "/api/me/fires", ...ids.signals.map((id) => `/api/missions/${id}`)]) {
      const res = await h.app.inject({ method: "GET", url, headers: { authorization: h.tma(U) } });
      expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200);
    }
    const health = await h.app.inject({ method: "GET", url: "/health" });
    expect((health.json() as { status: string }).status).toBe("ok");
    expect((await stat(join(dir, "quarantine"))).isDirectory()).toBe(true);
  });
});
