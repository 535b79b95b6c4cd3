/**
 * The real Sortie server for browser tests: the shared harness (temp SQLite, real Fastify app on a
 * loopback port) serving a build of the Mini App, paper terminals linked per trader, and a
 * stop/start that keeps the port and the database, like restarting the process.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildWebapp } from "../../../bench/webapp.ts";
import {
  createPaperTerminal,
  createStaticFeed,
  type PaperTerminal,
  type PriceFeed,
} from "../../../bridge/paper/index.ts";
import { buildApp } from "../../../server/app.ts";
import type { App } from "../../../server/routes/types.ts";
import { type Harness, signInitData, startHarness } from "../../support/harness.ts";
import { spec } from "../../support/paper.ts";
import { type StubUser, signInitData as signTelegramInitData } from "./telegram.ts";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const WEBAPP = join(ROOT, "webapp");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : [path];
  });
}

/**
 * Builds the Mini App once per source version into a private folder (parallel test files never
 * race on webapp/dist): the folder name is a hash of the sources, written via rename.
 */
export async function buildWebappOnce(): Promise<string> {
  const files = [join(WEBAPP, "index.html"), join(WEBAPP, "vite.config.ts"), ...sourceFiles(join(WEBAPP, "src"))];
  const hash = createHash("sha256");
  for (const file of files.sort()) hash.update(file).update(readFileSync(file));
  const dir = join(tmpdir(), `sortie-webapp-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(join(dir, "index.html"))) return dir;
  const staging = `${dir}.${process.pid}.tmp`;
  mkdirSync(staging, { recursive: true });
  await buildWebapp(staging);
  try {
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another worker finished first: same content
  }
  return dir;
}

/** The broker's EURUSD as a terminal reports it: $1 per 0.00001 tick per lot, so $10 per pip. */
export const EURUSD = spec("EURUSD");

const SIGNAL = {
  symbol: "EURUSD",
  side: "BUY",
  entry: 1.085,
  stop_loss: 1.083,
  take_profit: [1.089],
  confidence: 89.5,
  shield_score: 8.9,
  shield_notes: "Institutional accumulation detected",
  pattern: "LIQUIDITY_SWEEP_REVERSAL",
  session: "LONDON",
};

export interface Trader {
  user: StubUser;
  /** Signed initData without a start_param (API calls). */
  initData: string;
  /** initData as Telegram signs it for a direct link: start_param included. */
  launch(startParam?: string): string;
  terminal: PaperTerminal | null;
}

export interface WebappServer {
  harness: Harness;
  readonly url: string;
  prices: PriceFeed;
  /** Creates a trader; with `balance`, links a paper terminal and waits until the server sees it. */
  trader(id: number, balance?: number): Promise<Trader>;
  createSignal(body?: Record<string, unknown>): Promise<{ id: string }>;
  /** GET an API path as the trader, through the running server (HTTP only: the app may have been restarted). */
  api<T>(trader: Trader, path: string): Promise<T>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebappServer(options: { env?: Record<string, string> } = {}): Promise<WebappServer> {
  const distDir = await buildWebappOnce();
  const harness = await startHarness({ listen: true, sweeper: true, app: { distDir }, env: options.env ?? {} });
  const url = harness.url;
  const port = Number(new URL(url).port);
  const prices = createStaticFeed({ EURUSD: { bid: 1.085, ask: 1.08502 } });
  const terminals: PaperTerminal[] = [];
  let current: App | null = harness.app;

  const api = async <T>(trader: Trader, path: string): Promise<T> => {
    const res = await fetch(url + path, { headers: { authorization: `tma ${trader.initData}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  const server: WebappServer = {
    harness,
    url,
    prices,
    async trader(id, balance) {
      const user = { id, first_name: `Trader${id}`, username: `trader${id}` };
      const token = harness.config.signingToken;
      const trader: Trader = {
        user,
        initData: signInitData(user, token),
        launch: (startParam) => signTelegramInitData(token, user, startParam),
        terminal: null,
      };
      if (balance === undefined) return trader;
      const issued = await fetch(`${url}/api/me/bridge-token`, {
        method: "POST",
        headers: { authorization: `tma ${trader.initData}`, "content-type": "application/json" },
        body: "{}",
      });
      const { token: bridgeToken } = (await issued.json()) as { token: string };
      const terminal = createPaperTerminal({
        transport: { kind: "http", baseUrl: url, token: bridgeToken, pollWaitS: 1 },
        stateFile: join(harness.dir, `paper-${id}.json`),
        account: { login: id, server: "Paper-Demo", currency: "USD", balance },
        symbols: [EURUSD],
        prices,
        heartbeatMs: 500,
        retryBaseMs: 100,
        retryMaxMs: 500,
      });
      terminals.push(terminal);
      await terminal.start();
      trader.terminal = terminal;
      const deadline = Date.now() + 10_000;
      for (;;) {
        const me = await api<{ user: { balance: number | null }; bridge: { online: boolean } }>(trader, "/api/me");
        if (me.bridge.online && me.user.balance === balance) return trader;
        if (Date.now() > deadline) throw new Error(`terminal of ${id} never came online`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    // Over HTTP (not inject) so it also works after stop()/start() replaced the app.
    async createSignal(body = {}) {
      const res = await fetch(`${url}/api/signals`, {
        method: "POST",
        headers: { ...harness.admin, "content-type": "application/json" },
        body: JSON.stringify({ ...SIGNAL, expires_at: new Date(Date.now() + 3600_000).toISOString(), ...body }),
      });
      if (res.status !== 201) throw new Error(`createSignal: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    },
    api,
    async stop() {
      await current?.close();
      current = null;
    },
    async start() {
      const app = await buildApp(harness.ctx, { distDir });
      await app.listen({ host: "127.0.0.1", port });
      current = app;
    },
    async close() {
      for (const terminal of terminals) terminal.crash();
      if (current && current !== harness.app) await current.close();
      await harness.close();
    },
  };
  return server;
}
