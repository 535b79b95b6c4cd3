/**
 * What the crash suites share: clean-ups run after each test, the real server process on a
 * database that outlives it (restarted on the same database and port after a SIGKILL), the signal
 * they fire at, and paper terminals (the EA stand-in) that count each position they open.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, expect } from "vitest";
import { createPaperTerminal, createStaticFeed, type PaperTerminal } from "../../../bridge/paper/index.ts";
import type { HeartbeatSymbol } from "../../../bridge/protocol.ts";
import { signalBody } from "../../support/bodies.ts";
import { TEST_ENGINE, testDatabase } from "../../support/engine.ts";
import { tempDir } from "../../support/tmp.ts";
import { createHttpClient } from "./http-client.ts";
import { freePort, PROCESS_ADMIN_TOKEN, startServerProcess } from "./server-process.ts";

export type Cleanup = () => Promise<unknown> | unknown;
type Rows = Array<Record<string, unknown>>;
type HttpClient = ReturnType<typeof createHttpClient>;

/** A list the test pushes its clean-ups on; they run after each test of the file, the last first. */
export function cleanupsAfterEach(): Cleanup[] {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

/**
 * The real server process in a fresh temp folder, with an HTTP client of `sockets` connections.
 * Its database is the file `dbPath` there, or, on the postgres project, a PostgreSQL database of its
 * own. `restart()` starts a new process on the same database and port (so the same URL) after the
 * test killed the last one; `openReader()` reads what the server stored, beside it.
 */
export async function startCrashServer(
  cleanups: Cleanup[],
  options: { tmpPrefix: string; env?: Record<string, string>; sockets: number },
) {
  const tmp = tempDir(options.tmpPrefix);
  cleanups.push(() => tmp.cleanup());
  const dbPath = join(tmp.dir, "sortie.db");
  const database = TEST_ENGINE === "postgres" ? await testDatabase(tmp.dir) : null;
  if (database) cleanups.push(() => database.drop());
  const env = { ...(database ? { DATABASE_URL: database.location } : {}), ...options.env };
  const port = await freePort();
  const start = async () => {
    const server = await startServerProcess({ databasePath: dbPath, port, env });
    cleanups.push(() => server.kill());
    return server;
  };
  const server = await start();
  const client = createHttpClient(server.url, options.sockets);
  cleanups.push(() => client.close());
  const rig = {
    dir: tmp.dir,
    dbPath,
    server,
    client,
    async restart() {
      rig.server = await start();
    },
    /** Reads the database: the SQLite file read-only, or the PostgreSQL database through a store. */
    async openReader(): Promise<(sql: string, params?: unknown[]) => Promise<Rows>> {
      if (database) {
        const store = await database.open();
        cleanups.push(() => store.close());
        return (sql, params) => store.query(sql, params);
      }
      const db = new Database(dbPath, { readonly: true });
      cleanups.push(() => db.close());
      return async (sql, params = []) => db.prepare(sql).all(...params) as Rows;
    },
  };
  return rig;
}

/** Creates the signal the crash suites fire at (BUY EURUSD, two targets, an hour to live); its id. */
export async function createCrashSignal(client: HttpClient): Promise<string> {
  const created = await client.post("/api/signals", signalBody({ take_profit: [1.089, 1.091], expires_in_min: 60 }), {
    authorization: `Bearer ${PROCESS_ADMIN_TOKEN}`,
  });
  expect(created.status, created.body).toBe(201);
  return (JSON.parse(created.body) as { id: string }).id;
}

/**
 * A paper terminal on the server at `baseUrl` over HTTP with short timings, its state in `stateFile` (a new one
 * on the same file is the same terminal after a crash). Each position it opens (not a duplicate)
 * counts in `opens` (command id → opens, over every process of it). Stopped after the test.
 */
export function crashPaperTerminal(
  cleanups: Cleanup[],
  opens: Map<string, number>,
  options: {
    baseUrl: string;
    token: string;
    stateFile: string;
    account: { login: number; server: string; currency: string; balance: number };
    symbol: HeartbeatSymbol;
  },
): PaperTerminal {
  const terminal = createPaperTerminal({
    transport: { kind: "http", baseUrl: options.baseUrl, token: options.token, pollWaitS: 1 },
    stateFile: options.stateFile,
    account: options.account,
    symbols: [options.symbol],
    prices: createStaticFeed({ [options.symbol.name]: { bid: 1.0849, ask: 1.085 } }),
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
}
