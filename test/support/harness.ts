import { join } from "node:path";
import { sign } from "@telegram-apps/init-data-node";
import { startCheckpointer } from "../../db/checkpointer.ts";
import type { Sqlite } from "../../db/index.ts";
import { type BuildAppOptions, buildApp, LISTEN_BACKLOG } from "../../server/app.ts";
import { type Clock, systemClock } from "../../server/clock.ts";
import { loadConfig } from "../../server/config/index.ts";
import { createContext } from "../../server/context.ts";
import type { MemoryBounds } from "../../server/memory.ts";
import type { App } from "../../server/routes/types.ts";
import { startScheduler } from "../../server/scheduler.ts";
import type { EngineServiceOptions } from "../../server/services/engine/index.ts";
import { startSweeper } from "../../server/sweeper.ts";
import { demoAccount, signalBody } from "./bodies.ts";
import { testDatabase } from "./engine.ts";
import { tempDir } from "./tmp.ts";

export const TEST_BOT_TOKEN = "123456:TEST-token-for-sortie-tests-only";
export const ADMIN_TOKEN = "test-admin-token-0123456789";
export const HOOK_SECRET = "hook-secret-123";
export const ADMIN_USER_ID = 900001;

export interface TestUser {
  id: number;
  first_name?: string;
  username?: string;
}

/** Signs Mini App initData for `user` as Telegram would, with `authDate` (default: now). */
export function signInitData(user: TestUser, token = TEST_BOT_TOKEN, authDate = new Date()): string {
  return sign({ user: { first_name: "Test", ...user } as never, query_id: `q${user.id}` } as never, token, authDate);
}

export interface HarnessOptions {
  env?: Record<string, string>;
  clock?: Clock;
  app?: BuildAppOptions;
  /** Listen on a real port (for real-HTTP tests); otherwise use app.inject. */
  listen?: boolean;
  sweeper?: boolean;
  /** The live signal engine's options (strategies, timings); started when given. */
  engine?: EngineServiceOptions;
  /** Publish scheduled signals at their moment (server/scheduler.ts), as server/main.ts does. */
  scheduler?: boolean;
  onQuery?: (sql: string) => void;
  /** Checkpoint the WAL from a worker thread, as server/main.ts does (benchmarks). */
  checkpointer?: boolean;
  /** Bounds of the in-process maps (server/memory.ts), e.g. small ones for a flood test. */
  bounds?: Partial<MemoryBounds>;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/**
 * One helper to build the real thing for a test: a fresh database (a SQLite file, or a PostgreSQL
 * database when the suite runs on that engine: test/support/engine.ts), the context, the Fastify
 * app (listening on a random loopback port when asked), plus signing and admin shortcuts.
 */
export async function startHarness(options: HarnessOptions = {}) {
  const tmp = tempDir("sortie-test-");
  const dbPath = join(tmp.dir, "sortie.db");
  const database = await testDatabase(tmp.dir);
  const store = await database.open({
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    walCheckpointing: options.checkpointer ? "external" : "auto",
  });
  /** SQLite only (SQLite-specific suites); null when the suite runs on PostgreSQL. */
  const sqlite = database.sqlite as Sqlite;
  const checkpointer = options.checkpointer && sqlite ? startCheckpointer(dbPath, 1000) : null;
  const config = loadConfig({
    BOT_TOKEN: TEST_BOT_TOKEN,
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    ADMIN_IDS: String(ADMIN_USER_ID),
    SIGNAL_HOOK_SECRET: HOOK_SECRET,
    DATABASE_PATH: dbPath,
    RATE_LIMIT_PER_MIN: "0",
    RATE_LIMIT_IP_PER_MIN: "0",
    ...options.env,
  });
  const clock = options.clock ?? systemClock;
  const ctx = createContext({
    store,
    config,
    clock,
    bounds: options.bounds,
    ...(options.engine ? { engine: options.engine } : {}),
  });
  if (options.engine) ctx.engine.start(100);
  const app: App = await buildApp(ctx, options.app ?? {});
  const stopSweeper = options.sweeper ? startSweeper(ctx, 200) : () => undefined;
  const schedulerLog: string[] = [];
  const scheduler = options.scheduler ? startScheduler(ctx, (line) => schedulerLog.push(line)) : null;
  let url = "";
  if (options.listen) {
    // The server's backlog. With Node's default (511), test/server/concurrency.test.ts's 1,000
    // simultaneous taps overflowed the accept queue 2,267 times (TcpExtListenOverflows; 0 with
    // 4,096), and once under the full suite's load a tap was reset (ECONNRESET).
    await app.listen({ host: "127.0.0.1", port: 0, backlog: LISTEN_BACKLOG });
    const address = app.server.address();
    if (address && typeof address === "object") url = `http://127.0.0.1:${address.port}`;
  }

  const tma = (user: TestUser | number, authDate?: Date) =>
    `tma ${signInitData(typeof user === "number" ? { id: user } : user, config.signingToken, authDate ?? new Date(clock.now()))}`;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

  async function createSignal(body: Record<string, unknown> = {}) {
    const res = await app.inject({
      method: "POST",
      url: "/api/signals",
      headers: admin,
      payload: signalBody({
        expires_at: new Date(clock.now() + 3600_000).toISOString(),
        confidence: 89.5,
        shield_score: 8.9,
        shield_notes: "Institutional accumulation detected",
        ...body,
      }),
    });
    if (res.statusCode !== 201) throw new Error(`createSignal: ${res.statusCode} ${res.body}`);
    return res.json() as { id: string; [k: string]: unknown };
  }

  /** `POST /api/fire` as Telegram user `userId`. */
  const fire = (userId: number, signalId: string) =>
    app.inject({
      method: "POST",
      url: "/api/fire",
      headers: { authorization: tma(userId) },
      payload: { signal_id: signalId },
    });

  /** Issues a bridge token for `userId` through the API (creating the user). */
  async function linkBridge(userId: number): Promise<string> {
    const res = await app.inject({
      method: "POST",
      url: "/api/me/bridge-token",
      headers: { authorization: tma(userId) },
    });
    if (res.statusCode !== 200) throw new Error(`linkBridge: ${res.statusCode} ${res.body}`);
    return (res.json() as { token: string }).token;
  }

  /** Posts a heartbeat as the terminal of `token` would. */
  async function heartbeat(
    token: string,
    account: Partial<{ balance: number; currency: string; trade_allowed: boolean }> = {},
    extra: Record<string, unknown> = {},
  ) {
    const res = await app.inject({
      method: "POST",
      url: "/bridge/v1/heartbeat",
      headers: { authorization: `Bearer ${token}` },
      payload: {
        account: demoAccount(1, account),
        ...extra,
      },
    });
    if (res.statusCode !== 200) throw new Error(`heartbeat: ${res.statusCode} ${res.body}`);
  }

  return {
    app,
    ctx,
    store,
    sqlite,
    config,
    clock,
    url,
    dbPath,
    dir: tmp.dir,
    tma,
    admin,
    createSignal,
    fire,
    linkBridge,
    heartbeat,
    scheduler,
    schedulerLog,
    /** Another connection (pool) to this test's database: a second instance on it. Close it yourself. */
    openStore: () => database.open(),
    async close() {
      scheduler?.stop();
      ctx.engine.stop();
      stopSweeper();
      await app.close();
      await checkpointer?.stop();
      await store.close();
      await database.drop();
      tmp.cleanup();
    },
  };
}
