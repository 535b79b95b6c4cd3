import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createLocalBot } from "../../bot/local.ts";
import { createPaperTerminal, type PaperTerminal } from "../../bridge/paper/index.ts";
import { signalStatus } from "../../core/signal.ts";
import { hashToken, newBridgeToken } from "../auth/tokens.ts";
import type { AppContext } from "../context.ts";
import type { App } from "../routes/types.ts";
import { createDemoFeed, DEMO_SIGNAL_EVERY_MS, DEMO_SYMBOLS, DEMO_TRADERS, demoSignal } from "./demo.ts";
import { demoLink, localPage } from "./page.ts";

/**
 * Local mode (no BOT_TOKEN): demo traders with paper terminals on a simulated market, a demo
 * signal at start and every few minutes, the bot's messages on the console and on `/local`.
 */
export function createLocalMode(
  ctx: AppContext,
  log: (line: string) => void,
  options: { signalEveryMs?: number } = {},
) {
  const { store, clock, config } = ctx;
  const bot = createLocalBot({ ctx, log: (msg, err) => log(err ? `${msg}: ${String(err)}` : msg) });
  const feed = createDemoFeed();
  const terminals: PaperTerminal[] = [];
  let timer: NodeJS.Timeout | null = null;
  let demoCount = -1; // read from the store at start

  async function seedTraders() {
    const now = new Date(clock.now()).toISOString();
    for (const t of DEMO_TRADERS) {
      const existed = (await store.users.findUser(t.id)) !== null;
      await store.users.ensureUser(t, now);
      if (!existed) {
        await store.users.setTier(t.id, t.tier, now);
        await store.users.setRiskPercent(t.id, t.risk, now);
      }
    }
  }

  async function createDemoSignal() {
    const input = demoSignal(demoCount++, (symbol) => feed.get(symbol), clock.now());
    try {
      const { signal } = await ctx.signals.create(input, { source: "demo", actor: "demo" });
      log(`demo signal ${signal.id}: ${signal.side} ${signal.symbol} @ ${signal.entry}`);
    } catch (err) {
      log(`demo signal failed: ${(err as Error).message}`);
    }
  }

  return {
    outbox: bot.outbox,
    plugin(app: App) {
      app.get("/local", { schema: { hide: true } }, async (_req, reply) => {
        const nowMs = clock.now();
        const signals = (await store.signals.listSignals("all", nowMs, 20)).map(({ signal }) => ({
          ...signal,
          status: signalStatus(signal, nowMs),
        }));
        reply.header("content-type", "text/html; charset=utf-8").header("cache-control", "no-store");
        return localPage({
          baseUrl: config.publicUrl,
          token: config.signingToken,
          nowMs,
          signals,
          outbox: bot.outbox.list(),
        });
      });
    },
    async start(baseUrl: string): Promise<void> {
      await bot.start();
      if (!config.demo) return;
      demoCount = await store.signals.countSignalsSince(0);
      await seedTraders();
      feed.start();
      const stateDir = join(dirname(resolve(config.databasePath)), "paper");
      mkdirSync(stateDir, { recursive: true });
      for (const t of DEMO_TRADERS) {
        // A fresh token per start: the paper terminal is ours, so it is handed over directly.
        const token = newBridgeToken();
        await store.users.setBridgeTokenHash(t.id, hashToken(token), new Date(clock.now()).toISOString());
        ctx.hub.emit("user.updated", { user_id: t.id });
        const terminal = createPaperTerminal({
          transport: { kind: "http", baseUrl, token, pollWaitS: 25 },
          stateFile: join(stateDir, `${t.id}.json`),
          account: { login: t.id, server: "Sortie-Paper", currency: "USD", balance: t.balance },
          symbols: DEMO_SYMBOLS,
          prices: feed,
          heartbeatMs: 5000,
          log: (line) => (line.includes("error") ? log(`[paper ${t.first_name}] ${line}`) : undefined),
        });
        await terminal.start();
        terminals.push(terminal);
      }
      if ((await store.signals.listSignals("active", clock.now(), 1)).length === 0) await createDemoSignal();
      timer = setInterval(() => void createDemoSignal(), options.signalEveryMs ?? DEMO_SIGNAL_EVERY_MS);
      timer.unref();
      const latest = (await store.signals.listSignals("active", clock.now(), 1))[0]?.signal.id ?? null;
      log(`local mode: open ${config.publicUrl}/local for demo links and the bot's messages`);
      for (const t of DEMO_TRADERS) {
        log(
          `  ${t.first_name} (${t.tier}, $${t.balance}): ${demoLink(config.publicUrl, t, config.signingToken, latest, clock.now())}`,
        );
      }
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      feed.stop();
      for (const terminal of terminals) await terminal.stop();
      await bot.stop();
    },
  };
}
