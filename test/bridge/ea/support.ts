import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createBot } from "../../../bot/index.ts";
import { createFileDropTransport } from "../../../bridge/filedrop/index.ts";
import { buildEa } from "../../../bridge/mt5/emu/build.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { startTelegramFake, type TelegramFake } from "../../support/telegram-fake.ts";
import { tempDir } from "../../support/tmp.ts";
import { waitFor } from "../../support/wait.ts";

/** One `order_send` line of the EA binary's stdout (the contract's shape, plus the filling used). */
export interface OrderSendLine {
  event: "order_send";
  action: string;
  symbol: string;
  side: string | null;
  volume: number;
  price: number;
  sl: number;
  tp: number;
  comment: string;
  position: number;
  retcode: number;
  filling: string;
}

export interface EaProcess {
  orders: OrderSendLine[];
  journal: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the EA's OnDeinit and exit. */
  stop(): Promise<void>;
}

export interface EaOptions {
  dataDir: string;
  /** Another program built with `buildEa(entry)`; the Sortie EA by default. */
  binary?: string;
  server?: string;
  token?: string;
  transport?: "http" | "file";
  symbols?: string;
  filling?: "fok" | "ioc" | "return";
  account?: "netting" | "hedging";
  inputs?: Record<string, string | number>;
}

/** Runs the compiled EA on a simulated broker; `dataDir` is its terminal data folder. */
export async function startEa(options: EaOptions): Promise<EaProcess> {
  const binary = options.binary ?? (await buildEa());
  // The Sortie EA beats and polls faster than its defaults so tests wait less.
  const inputs = options.binary
    ? { ...options.inputs }
    : { HeartbeatSeconds: 1, LongPollSeconds: 1, ...options.inputs };
  const args = [
    "--data",
    options.dataDir,
    "--transport",
    options.transport ?? "http",
    "--symbols",
    options.symbols ?? "EURUSD.m,GBPUSD",
    "--filling",
    options.filling ?? "fok",
    "--account",
    options.account ?? "netting",
    ...(options.server ? ["--server", options.server] : []),
    ...(options.token ? ["--token", options.token] : []),
    ...Object.entries(inputs).flatMap(([name, value]) => ["--input", `${name}=${value}`]),
  ];
  const child: ChildProcess = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  const orders: OrderSendLine[] = [];
  const journal: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => orders.push(JSON.parse(line) as OrderSendLine));
  createInterface({ input: child.stderr! }).on("line", (line) => journal.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    orders,
    journal,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Market knobs and faults for the simulated broker (lines of DIR/broker/control.txt). */
export function setMarket(dataDir: string, lines: string[]): void {
  mkdirSync(join(dataDir, "broker"), { recursive: true });
  writeFileSync(join(dataDir, "broker", "control.txt"), `${lines.join("\n")}\n`);
}

/**
 * Quotes `bid`/`ask` on `symbol` at the trader's broker (after `extra` control lines) and waits
 * until the EA has seen it: its heartbeat reports the bid to the server. The control lines are
 * read together, so the extra knobs are in force too.
 */
export async function quote(
  h: Harness,
  t: EaTrader,
  bid: number,
  ask: number,
  extra: string[] = [],
  symbol = "EURUSD.m",
) {
  setMarket(t.dir, [...extra, `price ${symbol} ${bid} ${ask}`]);
  await waitFor(
    async () => (await h.store.terminal.findPrice(t.userId, symbol))?.bid === bid,
    30_000,
    `the EA reporting bid ${bid}`,
  );
}

/** A position at the simulated broker, as saved in DIR/broker/state.txt. */
export interface BrokerPosition {
  ticket: number;
  symbol: string;
  side: "BUY" | "SELL";
  volume: number;
  price: number;
  sl: number;
  tp: number;
  comment: string;
}

/** The open positions the simulated broker holds for the terminal in `dataDir`. */
export function brokerPositions(dataDir: string): BrokerPosition[] {
  const state = readFileSync(join(dataDir, "broker", "state.txt"), "utf8");
  return state
    .split("\n")
    .filter((line) => line.startsWith("pos\t"))
    .map((line) => {
      const [, ticket, symbol, type, volume, price, sl, tp, , , comment] = line.split("\t");
      return {
        ticket: Number(ticket),
        symbol: symbol!,
        side: type === "0" ? "BUY" : "SELL",
        volume: Number(volume),
        price: Number(price),
        sl: Number(sl),
        tp: Number(tp),
        comment: comment ?? "",
      };
    });
}

/** A trader with a linked EA on its own simulated broker, as `traders()` makes them. */
export interface EaTrader {
  userId: number;
  dir: string;
  ea: EaProcess;
  /** Starts the EA again on the same data folder (a terminal restart). */
  start(): Promise<EaProcess>;
}

/**
 * Makes traders whose EA binaries talk to the real server over `transport` (for `file`, a drop
 * folder served by the server's bridge service), numbered from `firstUser`; `cleanup()` stops
 * them all and removes their folders.
 */
export function eaTraders(h: () => Harness, transport: "http" | "file", firstUser: number) {
  let nextUser = firstUser;
  let cleanups: Array<() => unknown> = [];
  async function trader(options: Partial<EaOptions> & { market?: string[] } = {}): Promise<EaTrader> {
    const userId = nextUser++;
    const token = await h().linkBridge(userId);
    const tmp = tempDir("sortie-ea-");
    cleanups.push(tmp.cleanup);
    setMarket(tmp.dir, options.market ?? []);
    if (transport === "file") {
      const drop = createFileDropTransport({
        dir: join(tmp.dir, "MQL5", "Files", "sortie"),
        userId,
        service: h().ctx.bridge,
        pollMs: 50,
        settleMs: 100,
      });
      await drop.start();
      cleanups.push(() => drop.stop());
    }
    const start = async () => {
      const ea = await startEa({ dataDir: tmp.dir, server: h().url, token, transport, ...options });
      cleanups.push(() => ea.stop());
      return ea;
    };
    const ea = await start();
    // Its first heartbeat stored (any request marks it online, possibly before the heartbeat's write).
    await waitFor(
      async () => (await h().store.users.findUser(userId))?.balance != null,
      30_000,
      "the EA's first heartbeat",
    );
    return { userId, dir: tmp.dir, ea, start };
  }
  async function cleanup() {
    for (const step of cleanups.reverse()) await step();
    cleanups = [];
  }
  return { trader, cleanup };
}

/**
 * Registers the hooks of a suite of EA binaries against one real server (built once, closed after
 * the suite; each test's traders stopped after it). `server()` is valid from the first test on.
 */
export function eaSuite(transport: "http" | "file", firstUser: number) {
  let server: Awaited<ReturnType<typeof startServerWithBot>> | undefined;
  const traders = eaTraders(() => server!.h, transport, firstUser);
  beforeAll(async () => {
    await buildEa();
    server = await startServerWithBot();
  }, 180_000);
  afterEach(() => traders.cleanup());
  afterAll(() => server?.close());
  return { trader: traders.trader, server: () => server!.h };
}

/** The real server (listening, local mode off) with the real bot talking to the Bot API fake. */
export async function startServerWithBot(): Promise<{ h: Harness; close(): Promise<void> }> {
  const telegram: TelegramFake = await startTelegramFake();
  const h = await startHarness({ listen: true, sweeper: true, env: { TELEGRAM_API_ROOT: telegram.apiRoot } });
  const bot = createBot({
    ctx: h.ctx,
    token: h.config.botToken!,
    apiRoot: telegram.apiRoot,
    log: () => undefined,
    receive: "manual",
  });
  await bot.start();
  return {
    h,
    async close() {
      await bot.stop();
      await h.close();
      await telegram.close();
    },
  };
}

/** The caller's mission once its fire has left queued/delivered (or `done` says so). */
export async function settledMission(
  h: Harness,
  userId: number,
  signalId: string,
  done: (fire: { state: string; legs: Array<{ state: string }> }) => boolean = (fire) =>
    fire.state !== "queued" && fire.state !== "delivered",
  timeoutMs = 30_000,
) {
  return waitFor(
    async () => {
      const res = await h.app.inject({
        method: "GET",
        url: `/api/missions/${signalId}`,
        headers: { authorization: h.tma(userId) },
      });
      const mission = res.json();
      return mission.fire && done(mission.fire) ? mission : null;
    },
    timeoutMs,
    `mission ${signalId} settled`,
  );
}
