import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Update } from "grammy/types";
import { createBot, type SortieBot } from "../../bot/index.ts";
import { createPaperTerminal, type PaperTerminal, type PriceFeed } from "../../bridge/paper/index.ts";
import { signalStatus } from "../../core/signal.ts";
import { hashToken, newBridgeToken } from "../auth/tokens.ts";
import type { AppContext } from "../context.ts";
import type { App } from "../routes/types.ts";
import { BOT_API_PREFIX, consoleRoutes } from "./console/routes.ts";
import {
  createDemoFeed,
  DEMO_ADMIN,
  DEMO_BOT,
  DEMO_GROUP,
  DEMO_SIGNAL_EVERY_MS,
  DEMO_SYMBOLS,
  DEMO_TRADERS,
  demoSignal,
  demoTickValue,
} from "./demo.ts";
import { feedLocalEngine, localDraftRoutes } from "./engine.ts";
import { demoLink, localPage, miniAppTarget } from "./page.ts";
import { createLocalTelegram } from "./telegram/index.ts";

/** Alerts go to the demo group unless ALERT_CHAT_IDS names chats. */
const localAlertChats = (ctx: AppContext) =>
  ctx.config.alertChatIds.length > 0 ? ctx.config.alertChatIds : [DEMO_GROUP.id];

/**
 * The application core as the local bot sees it: a bot with its own token and Bot API root (so
 * any part that reads them from the configuration talks to the local Telegram too), the demo
 * admin an owner, alerts to the demo group. initData is still signed with `local:sortie`.
 */
function localBotContext(ctx: AppContext, botToken: string, apiRoot: string): AppContext {
  const { config } = ctx;
  return {
    ...ctx,
    config: {
      ...config,
      botToken,
      telegramApiRoot: apiRoot,
      adminIds: [...config.adminIds, DEMO_ADMIN.id],
      alertChatIds: localAlertChats(ctx),
    },
  };
}

/**
 * Local mode (no BOT_TOKEN): demo traders with paper terminals on a simulated market, a demo
 * signal at start and every few minutes, and the real bot talking to a local Telegram: the chat
 * console on `/local` (the bot's messages are also printed on the console).
 */
export function createLocalMode(
  ctx: AppContext,
  log: (line: string) => void,
  options: { signalEveryMs?: number; feed?: PriceFeed & { start?(): void; stop?(): void } } = {},
) {
  const { store, clock, config } = ctx;
  const botLog = (msg: string, err?: unknown) => log(err ? `${msg}: ${String(err)}` : msg);
  // A fresh random token per start: the Bot API endpoint answers only this process's bot.
  const botToken = `${DEMO_BOT.id}:${randomBytes(24).toString("base64url")}`;
  let bot: SortieBot | null = null;
  const deliver = (update: Update) => {
    bot?.handleUpdate(update).catch((err: unknown) => botLog(`local update ${update.update_id} failed`, err));
  };
  const telegram = createLocalTelegram({
    bot: DEMO_BOT,
    people: [DEMO_ADMIN, ...DEMO_TRADERS],
    groups: localAlertChats(ctx).map((id) => (id === DEMO_GROUP.id ? DEMO_GROUP : { id, title: `Group ${id}` })),
    deliver,
    now: () => clock.now(),
    log,
  });
  const feed = options.feed ?? createDemoFeed();
  const terminals = new Map<number, PaperTerminal>();
  let paperBaseUrl = "";
  let relinking: Promise<void> = Promise.resolve();

  async function startTerminal(t: (typeof DEMO_TRADERS)[number], token: string) {
    const stateDir = join(dirname(resolve(config.databasePath)), "paper");
    mkdirSync(stateDir, { recursive: true });
    const terminal = createPaperTerminal({
      transport: { kind: "http", baseUrl: paperBaseUrl, token, pollWaitS: 25 },
      stateFile: join(stateDir, `${t.id}.json`),
      account: { login: t.id, server: "Sortie-Paper", currency: "USD", balance: t.balance },
      symbols: DEMO_SYMBOLS,
      prices: feed,
      tickValueAt: demoTickValue,
      heartbeatMs: 5000,
      log: (line) => (line.includes("error") ? log(`[paper ${t.first_name}] ${line}`) : undefined),
    });
    await terminal.start();
    terminals.set(t.id, terminal);
  }

  /**
   * `/link` as a demo trader rotates their bridge token, which cuts off their paper terminal. So
   * the trader "pastes" the new token into it, as into the EA: a bot message in a demo trader's
   * private chat whose code is that trader's current bridge token restarts their terminal with it.
   */
  const stopLinking = telegram.subscribe((event) => {
    if (event.type !== "message" || !event.message.from?.is_bot || event.message.edit_date) return;
    const { chat, text = "", entities = [] } = event.message;
    const trader = DEMO_TRADERS.find((t) => t.id === chat.id);
    if (!trader || !terminals.has(trader.id)) return;
    const codes = entities
      .filter((e) => e.type === "code")
      .map((e) => text.slice(e.offset, e.offset + e.length))
      .filter((code) => code.startsWith("sb_"));
    if (codes.length === 0) return;
    relinking = relinking
      .then(async () => {
        let token: string | undefined;
        for (const code of codes) {
          if ((await store.users.findUserIdByTokenHash(hashToken(code))) === trader.id) token = code;
        }
        if (!token) return;
        await terminals.get(trader.id)?.stop();
        await startTerminal(trader, token);
        log(`[paper ${trader.first_name}] linked again with the token /link gave`);
      })
      .catch((err: unknown) => log(`[paper ${trader.first_name}] could not link again: ${String(err)}`));
  });
  let timer: NodeJS.Timeout | null = null;
  let stopEngineFeed: () => void = () => undefined;
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

  const describe = (userId: number) => {
    if (userId === DEMO_ADMIN.id) return "demo admin (owner: every staff command)";
    const t = DEMO_TRADERS.find((d) => d.id === userId);
    return t ? `trader, ${t.tier}, $${t.balance.toLocaleString("en-US")}` : "";
  };

  return {
    telegram,
    /** The local bot's token (tests call the local Bot API as the bot would). */
    botToken,
    /** The local bot's outbox (null until `start`): its stats for /health. */
    get delivery() {
      return bot?.delivery ?? null;
    },
    plugin(app: App) {
      localDraftRoutes(app, ctx);
      consoleRoutes(app, {
        telegram,
        botToken,
        ready: () => bot !== null,
        describe,
        openAs: (userId, url) => {
          const person = telegram.people().find((p) => p.id === userId)!;
          const target = miniAppTarget(config, url);
          if (target === undefined) return /^https?:\/\//.test(url) ? url : null;
          // A path, not PUBLIC_URL: the app opens on whatever address the console was reached at.
          return demoLink("", person, config.signingToken, target, clock.now());
        },
      });
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
          drafts: await ctx.engine.drafts.listPending(10),
          admin: DEMO_ADMIN,
          group: DEMO_GROUP,
        });
      });
    },
    async start(baseUrl: string): Promise<void> {
      const apiRoot = baseUrl + BOT_API_PREFIX;
      const sortie = createBot({
        ctx: localBotContext(ctx, botToken, apiRoot),
        token: botToken,
        apiRoot,
        log: botLog,
        receive: "manual",
        // The local Telegram has no limits to keep: messages go out as they come (issue #20).
        outboxLimits: null,
      });
      await sortie.start();
      bot = sortie;
      if (!config.demo) return;
      demoCount = await store.signals.countSignalsSince(0);
      await seedTraders();
      feed.start?.();
      paperBaseUrl = baseUrl;
      // The signal engine watches the simulated market (faster than real time: see engine.ts).
      stopEngineFeed = feedLocalEngine(ctx, (symbol) => feed.get(symbol));
      for (const t of DEMO_TRADERS) {
        // A fresh token per start: the paper terminal is ours, so it is handed over directly.
        const token = newBridgeToken();
        await store.users.setBridgeTokenHash(t.id, hashToken(token), new Date(clock.now()).toISOString());
        await ctx.terminals.ensureFirst(t.id); // as POST /api/me/bridge-token: the trader's first terminal
        ctx.hub.emit("user.updated", { user_id: t.id });
        await startTerminal(t, token);
      }
      if ((await store.signals.listSignals("active", clock.now(), 1)).length === 0) await createDemoSignal();
      timer = setInterval(() => void createDemoSignal(), options.signalEveryMs ?? DEMO_SIGNAL_EVERY_MS);
      timer.unref();
      const latest = (await store.signals.listSignals("active", clock.now(), 1))[0]?.signal.id ?? null;
      log(`local mode: open ${config.publicUrl}/local for demo links and the bot's chat console`);
      for (const t of DEMO_TRADERS) {
        log(
          `  ${t.first_name} (${t.tier}, $${t.balance}): ${demoLink(config.publicUrl, t, config.signingToken, latest, clock.now())}`,
        );
      }
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      stopEngineFeed();
      feed.stop?.();
      stopLinking();
      await relinking;
      for (const terminal of terminals.values()) await terminal.stop();
      terminals.clear();
      await bot?.stop();
      bot = null;
    },
  };
}
