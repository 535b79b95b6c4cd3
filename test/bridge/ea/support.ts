import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createBot } from "../../../bot/index.ts";
import { buildEa } from "../../../bridge/mt5/emu/build.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { startTelegramFake, type TelegramFake } from "../../support/telegram-fake.ts";
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
