/**
 * Trades after entry at scale, on the real loop: the real server process (SIGKILLable), a real
 * SQLite file, and 200 paper terminals in their own process speaking protocol 1.1 over HTTP.
 * An admin breakeven must reach every open position exactly once — also when the server is killed
 * right after the update's commit and when terminals die between executing and reporting.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { PaperState } from "../../bridge/paper/state.ts";
import { LOCAL_BOT_TOKEN } from "../../server/config/index.ts";
import { signInitData } from "../support/harness.ts";
import { tempDir } from "../support/tmp.ts";
import { waitFor } from "../support/wait.ts";
import { createHttpClient, pool } from "./support/http-client.ts";
import { startPaperFleet } from "./support/paper-fleet.ts";
import { freePort, PROCESS_ADMIN_TOKEN, startServerProcess } from "./support/server-process.ts";

const TRADERS = Array.from({ length: 200 }, (_, i) => 710_000 + i);
const tma = (id: number) => ({ authorization: `tma ${signInitData({ id }, LOCAL_BOT_TOKEN)}` });
const admin = (key?: string) => ({
  authorization: `Bearer ${PROCESS_ADMIN_TOKEN}`,
  ...(key ? { "idempotency-key": key } : {}),
});

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scenario(opts: { killServer: boolean; crashTerminals: boolean }) {
  const tmp = tempDir("sortie-updates-");
  cleanups.push(() => tmp.cleanup());
  const dbPath = join(tmp.dir, "sortie.db");
  const port = await freePort();
  let server = await startServerProcess({ databasePath: dbPath, port });
  cleanups.push(() => server.kill());
  const client = createHttpClient(server.url, 32);
  cleanups.push(() => client.close());

  const tokens = await pool(
    TRADERS.map(
      (id) => async () => JSON.parse((await client.post("/api/me/bridge-token", {}, tma(id))).body).token as string,
    ),
    16,
  );
  // Each trader's broker quotes a slightly different ask, so every position has its own fill price.
  const askOf = (i: number) => Number((1.0849 + (i % 10) * 0.00002).toFixed(5));
  const fleet = await startPaperFleet({
    baseUrl: server.url,
    dir: tmp.dir,
    terminals: TRADERS.map((id, i) => ({ id, token: tokens[i]!, ask: askOf(i) })),
  });
  cleanups.push(() => fleet.stop());

  const db = new Database(dbPath, { readonly: true });
  cleanups.push(() => db.close());
  const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
  await waitFor(
    () => count("SELECT COUNT(*) AS n FROM users WHERE bridge_protocol = '1.1'") === TRADERS.length,
    60_000,
    "all terminals on protocol 1.1",
  );

  const created = await client.post(
    "/api/signals",
    { symbol: "EURUSD", side: "BUY", entry: 1.085, stop_loss: 1.083, take_profit: [1.089, 1.091], expires_in_min: 60 },
    admin(),
  );
  const signalId = JSON.parse(created.body).id as string;
  const fired = await pool(
    TRADERS.map((id) => () => client.post("/api/fire", { signal_id: signalId }, tma(id))),
    16,
  );
  expect(fired.map((r) => r.status)).toEqual(TRADERS.map(() => 202));
  await waitFor(
    () => count("SELECT COUNT(*) AS n FROM bridge_commands WHERE state = 'filled'") === 400,
    90_000,
    "400 legs filled",
  );

  await fleet.setPrice(1.087, 1.0871); // in profit: a stop at each fill is on the right side of the market
  const crashing = opts.crashTerminals ? TRADERS.filter((_, i) => i % 4 === 0) : [];
  if (crashing.length > 0) await fleet.crashAfterExecute(crashing);

  const be = await client.post(`/api/signals/${signalId}/updates`, { action: "breakeven" }, admin("be-200"));
  expect(be.status).toBe(201);
  const update = JSON.parse(be.body).update as { id: string; positions: number; skipped: number };
  expect(update).toMatchObject({ positions: 400, skipped: 0 });
  if (opts.killServer) {
    await server.kill(); // right after the commit that answered 201
    server = await startServerProcess({ databasePath: dbPath, port });
    cleanups.push(() => server.kill());
    const replay = await client.post(`/api/signals/${signalId}/updates`, { action: "breakeven" }, admin("be-200"));
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.body).update.id).toBe(update.id);
  }
  await waitFor(
    () =>
      count("SELECT COUNT(*) AS n FROM position_commands WHERE update_id = ? AND state = 'applied'", update.id) === 400,
    90_000,
    "400 modifies applied",
  );

  // Exactly one modify per open position, each applied once by its terminal.
  const modifies = db
    .prepare("SELECT id, position_of FROM position_commands WHERE update_id = ?")
    .all(update.id) as Array<{ id: string; position_of: string }>;
  expect(new Set(modifies.map((m) => m.position_of)).size).toBe(400);
  const appliedTimes = new Map<string, number>();
  for (const e of fleet.events) {
    if (e.e === "executed" && e.action === "modify" && !e.dup)
      appliedTimes.set(e.id!, (appliedTimes.get(e.id!) ?? 0) + 1);
  }
  expect([...appliedTimes.keys()].sort()).toEqual(modifies.map((m) => m.id).sort());
  expect([...appliedTimes.values()].every((n) => n === 1)).toBe(true);
  const fills = new Map(
    (db.prepare("SELECT id, price FROM bridge_commands").all() as Array<{ id: string; price: number }>).map((r) => [
      r.id,
      r.price,
    ]),
  );
  for (const id of TRADERS) {
    const state = JSON.parse(readFileSync(join(tmp.dir, `paper-${id}.json`), "utf8")) as PaperState;
    expect(state.positions).toHaveLength(2);
    for (const p of state.positions) {
      expect(p.stop_loss).toBe(p.open_price);
      expect(p.stop_loss).toBe(fills.get(p.command_id));
    }
  }
  const redelivered = count(
    "SELECT COUNT(*) AS n FROM position_commands WHERE update_id = ? AND deliveries > 1",
    update.id,
  );
  if (opts.crashTerminals) expect(redelivered).toBeGreaterThanOrEqual(crashing.length);

  // Close leg 2, then everything: closed reports arrive, stats and XP counted once.
  const leg2 = await client.post(`/api/signals/${signalId}/updates`, { action: "close", leg: 2 }, admin());
  expect(JSON.parse(leg2.body).update).toMatchObject({ positions: 200, skipped: 0 });
  await waitFor(
    () => count("SELECT COUNT(*) AS n FROM bridge_commands WHERE leg = 2 AND state = 'closed'") === 200,
    90_000,
    "leg 2 closed",
  );
  expect(count("SELECT COUNT(*) AS n FROM bridge_commands WHERE leg = 1 AND state = 'filled'")).toBe(200);
  const all = await client.post(`/api/signals/${signalId}/updates`, { action: "close" }, admin());
  expect(JSON.parse(all.body).update).toMatchObject({ positions: 200 });
  await waitFor(() => count("SELECT COUNT(*) AS n FROM fires WHERE state = 'closed'") === 200, 90_000, "fires closed");
  await waitFor(() => count("SELECT COUNT(*) AS n FROM users WHERE trades = 1") === 200, 30_000, "stats");
  expect(count("SELECT COUNT(*) AS n FROM events WHERE type = 'command.closed'")).toBe(400);
  expect(count("SELECT COUNT(*) AS n FROM users WHERE trades = 1 AND wins = 1 AND xp = 35")).toBe(200);
  const closedReports = fleet.events.filter((e) => e.e === "closed");
  expect(new Set(closedReports.map((e) => e.id)).size).toBe(400);
  expect(closedReports).toHaveLength(400);
  console.log(
    `updates-crash: 200 traders, 400 positions; breakeven applied once each (${redelivered} redelivered` +
      `${opts.killServer ? ", server SIGKILLed after the commit" : ""}${opts.crashTerminals ? `, ${crashing.length} terminals died before answering` : ""})`,
  );
}

describe("signal updates on 200 paper terminals in their own process", () => {
  it("breakeven then close leg 2: one modify per open position, stops at each fill, closes counted once", async () => {
    await scenario({ killServer: false, crashTerminals: false });
  }, 300_000);

  it("the same with the server SIGKILLed after the commit and terminals dying between receiving and answering", async () => {
    await scenario({ killServer: true, crashTerminals: true });
  }, 300_000);
});
