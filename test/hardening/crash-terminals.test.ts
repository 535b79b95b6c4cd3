/**
 * Several terminals per trader through a crash: one trader, three paper terminals (their own
 * tokens, balances and brokers) on the REAL server process. Two terminals die right after
 * executing their first leg, before reporting it, and the server is SIGKILLed; then everything
 * comes back. Each terminal must still hold exactly its own legs, each opened once.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createPaperTerminal, createStaticFeed, type PaperTerminal } from "../../bridge/paper/index.ts";
import type { HeartbeatSymbol } from "../../bridge/protocol.ts";
import { LOCAL_BOT_TOKEN } from "../../server/config/index.ts";
import { TEST_ENGINE, testDatabase } from "../support/engine.ts";
import { signInitData } from "../support/harness.ts";
import { spec } from "../support/paper.ts";
import { tempDir } from "../support/tmp.ts";
import { waitFor } from "../support/wait.ts";
import { createHttpClient } from "./support/http-client.ts";
import { freePort, PROCESS_ADMIN_TOKEN, startServerProcess } from "./support/server-process.ts";

const TRADER = 700_001;
const tma = { authorization: `tma ${signInitData({ id: TRADER }, LOCAL_BOT_TOKEN)}` };
const TERMINALS: Array<{ name: string; currency: string; balance: number; symbol: HeartbeatSymbol; crash: boolean }> = [
  { name: "first", currency: "USD", balance: 10_000, symbol: spec("EURUSD"), crash: false },
  {
    name: "FTMO",
    currency: "EUR",
    balance: 50_000,
    symbol: spec("EURUSD.m", { tick_value: 0.92, volume_step: 0.1, volume_min: 0.1 }),
    crash: true,
  },
  { name: "Pepper", currency: "GBP", balance: 8_000, symbol: spec("EURUSD", { tick_value: 0.79 }), crash: true },
];

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("crash: a fire over several terminals while the server is SIGKILLed", () => {
  it("gives each terminal its own legs exactly once after everything restarts", async () => {
    const tmp = tempDir("sortie-crash-terminals-");
    cleanups.push(() => tmp.cleanup());
    const dbPath = join(tmp.dir, "sortie.db");
    // On the postgres project the server process runs on its own PostgreSQL database.
    const database = TEST_ENGINE === "postgres" ? await testDatabase(tmp.dir) : null;
    if (database) cleanups.push(() => database.drop());
    const env: Record<string, string> = database ? { DATABASE_URL: database.location } : {};
    const port = await freePort();
    let server = await startServerProcess({ databasePath: dbPath, port, env });
    cleanups.push(() => server.kill());
    const client = createHttpClient(server.url, 8);
    cleanups.push(() => client.close());

    const opens = new Map<string, number>(); // command id → positions opened, over every instance
    const make = (i: number, token: string): PaperTerminal => {
      const t = TERMINALS[i]!;
      const terminal = createPaperTerminal({
        transport: { kind: "http", baseUrl: server.url, token, pollWaitS: 1 },
        stateFile: join(tmp.dir, `paper-${t.name}.json`),
        account: { login: 100 + i, server: `${t.name}-Live`, currency: t.currency, balance: t.balance },
        symbols: [t.symbol],
        prices: createStaticFeed({ [t.symbol.name]: { bid: 1.0849, ask: 1.085 } }),
        heartbeatMs: 300,
        retryBaseMs: 100,
        retryMaxMs: 500,
        stopsCheckMs: 50,
      });
      terminal.on("executed", (e) => {
        if (!e.duplicate && e.result.status === "filled") opens.set(e.id, (opens.get(e.id) ?? 0) + 1);
      });
      cleanups.push(() => terminal.stop());
      return terminal;
    };

    const tokens: string[] = [];
    const first = await client.post("/api/me/bridge-token", {}, tma);
    tokens.push((JSON.parse(first.body) as { token: string }).token);
    for (const t of TERMINALS.slice(1)) {
      const res = await client.post("/api/me/terminals", { name: t.name }, tma);
      expect(res.status, res.body).toBe(201);
      tokens.push((JSON.parse(res.body) as { terminal: { token: string } }).terminal.token);
    }
    const terminals = TERMINALS.map((_, i) => make(i, tokens[i]!));
    for (const terminal of terminals) await terminal.start();
    await waitFor(
      async () => {
        const list = JSON.parse((await client.get("/api/me/terminals", tma)).body) as {
          terminals: Array<{ online: boolean; account: unknown }>;
        };
        return list.terminals.length === 3 && list.terminals.every((t) => t.online && t.account);
      },
      10_000,
      "three terminals online",
    );

    const created = await client.post(
      "/api/signals",
      {
        symbol: "EURUSD",
        side: "BUY",
        entry: 1.085,
        stop_loss: 1.083,
        take_profit: [1.089, 1.091],
        expires_in_min: 60,
      },
      { authorization: `Bearer ${PROCESS_ADMIN_TOKEN}` },
    );
    const signalId = (JSON.parse(created.body) as { id: string }).id;
    TERMINALS.forEach((t, i) => {
      if (t.crash) terminals[i]!.crashAfterExecute();
    });
    const answer = await client.post("/api/fire", { signal_id: signalId }, tma);
    expect(answer.status, answer.body).toBe(202);
    const fireId = (JSON.parse(answer.body) as { fire: { id: string } }).fire.id;

    // The crashing terminals execute a leg and die unreported; then the server dies too.
    const crashing = TERMINALS.flatMap((t, i) => (t.crash ? [i] : []));
    await waitFor(() => crashing.every((i) => terminals[i]!.executedIds().length >= 1), 10_000, "crashes");
    await server.kill();
    for (const i of crashing) {
      terminals[i] = make(i, tokens[i]!); // a new process on the same state file
      await terminals[i]!.start();
    }
    server = await startServerProcess({ databasePath: dbPath, port, env });
    cleanups.push(() => server.kill());

    // What the restarted server stored, read beside it: the SQLite file read-only, or PostgreSQL.
    let read: (sql: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;
    if (database) {
      const store = await database.open();
      cleanups.push(() => store.close());
      read = (sql, params) => store.query(sql, params);
    } else {
      const db = new Database(dbPath, { readonly: true });
      cleanups.push(() => db.close());
      read = async (sql, params = []) => db.prepare(sql).all(...params) as Array<Record<string, unknown>>;
    }
    await waitFor(
      async () => (await read("SELECT COUNT(*) AS n FROM bridge_commands WHERE state <> 'filled'"))[0]!.n === 0,
      40_000,
      "every leg filled",
    );
    const legs = (await read("SELECT id, user_id, deliveries FROM bridge_commands WHERE fire_id = ?", [
      fireId,
    ])) as Array<{
      id: string;
      user_id: number;
      deliveries: number;
    }>;
    expect(legs).toHaveLength(6); // two take-profits on each of three terminals
    expect([...opens.keys()].sort()).toEqual(legs.map((l) => l.id).sort());
    expect([...opens.values()].every((n) => n === 1)).toBe(true); // each opened exactly once
    const rows = [...new Set(legs.map((l) => l.user_id))];
    expect(rows).toHaveLength(3);
    terminals.forEach((terminal, i) => {
      const positions = terminal.positions();
      expect(positions, TERMINALS[i]!.name).toHaveLength(2);
      expect(new Set(positions.map((p) => p.symbol))).toEqual(new Set([TERMINALS[i]!.symbol.name]));
      // Its positions are the legs addressed to its own bridge row, none of another terminal's.
      const own = legs.filter((l) => positions.some((p) => p.command_id === l.id));
      expect(new Set(own.map((l) => l.user_id)).size, TERMINALS[i]!.name).toBe(1);
    });
    expect(legs.filter((l) => l.deliveries > 1).length).toBeGreaterThanOrEqual(crashing.length);
  }, 90_000);
});
