import { randomBytes } from "node:crypto";
import { autoRetry } from "@grammyjs/auto-retry";
import { conversations } from "@grammyjs/conversations";
import { type RunnerHandle, run, sequentialize } from "@grammyjs/runner";
import { Api, Bot, type Context, type MiddlewareFn, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import { staffList } from "../core/roles.ts";
import type { OutboxLimits } from "../server/config/index.ts";
import type { AppContext } from "../server/context.ts";
import { metricsFor } from "../server/metrics.ts";
import { publishCommands } from "./commands.ts";
import type { BotContext, BotLog, WizardContext } from "./context.ts";
import { storeConversationStorage } from "./conversation-storage.ts";
import { createDelivery } from "./delivery/index.ts";
import { registerDeliveryMetrics } from "./delivery/metrics.ts";
import { deliveryTransformer } from "./delivery/transformer.ts";
import { botApiTransport } from "./delivery/transports.ts";
import { auditFeature } from "./features/admin/audit.ts";
import { draftsFeature } from "./features/admin/drafts.ts";
import { engineFeature } from "./features/admin/engine.ts";
import { reportsFeature } from "./features/admin/reports.ts";
import { signalsFeature } from "./features/admin/signals.ts";
import { trackReportFeature } from "./features/admin/track-report.ts";
import { adminGuard } from "./features/admin-guard.ts";
import { linkFeature } from "./features/link.ts";
import { manageFeature } from "./features/manage/index.ts";
import { performanceFeature } from "./features/performance.ts";
import { sessionFeature } from "./features/session.ts";
import { terminalsFeature } from "./features/terminals.ts";
import { traderFeature } from "./features/trader.ts";
import { wizardFeature } from "./features/wizard/index.ts";
import { createNotifier, type NotifierOptions } from "./notifier/index.ts";

export type { BotContext, BotLog } from "./context.ts";
export { createLocalBot } from "./local.ts";
export { createLocalOutbox, type LocalOutbox, type OutboxEntry } from "./outbox.ts";

/**
 * Retries 429s (honouring retry_after up to a minute) and 5xx/network errors a few times, so one
 * call either succeeds or fails once: a send is never repeated by our code, only by this plugin.
 */
const retry = () => autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 });

/**
 * auto-retry for the Api instances conversations build for themselves (STYLE.md, grammY). Not the
 * outbox: the plugin replays a conversation's earlier calls from its log through a transformer
 * installed below any plugin's, so a transformer that does not call on would send every earlier
 * question of the wizard again at each step. The wizard talks to one admin, a few messages a minute.
 */
const retryInConversations: MiddlewareFn<WizardContext> = async (ctx, next) => {
  ctx.api.config.use(retry());
  await next();
};

export interface CreateBotOptions extends NotifierOptions {
  ctx: AppContext;
  token: string;
  /** Bot API root (TELEGRAM_API_ROOT; tests point it at a local fake). */
  apiRoot?: string;
  log: BotLog;
  /**
   * How updates arrive: long polling with the runner (default), a webhook (default when
   * WEBHOOK_URL is set; mount `webhook.handler` at `webhook.path`), or `manual` (`handleUpdate`).
   */
  receive?: "polling" | "webhook" | "manual";
  /** getUpdates long-poll seconds (default 30). */
  pollTimeoutS?: number;
  /** The outbox's limits (default: config.outbox); `null`: no pacing (local mode's own Telegram). */
  outboxLimits?: OutboxLimits | null;
}

/**
 * The Telegram bot: features installed inside one error boundary (a bad update is logged, never
 * stops the bot), auto-retry on every Api, and the notifier (alerts, DMs, readiness) speaking
 * through `bot.api`. `start()` publishes commands, starts the notifier and receives updates;
 * `stop()` stops all of it and waits for sends in flight.
 */
export function createBot(options: CreateBotOptions) {
  const { ctx: app, token, log } = options;
  const apiRoot = options.apiRoot ?? app.config.telegramApiRoot;
  const bot = new Bot<BotContext>(token, { client: { apiRoot } });
  // Every message goes through the outbox; its sender has an Api of its own, without auto-retry
  // (it handles 429 and 5xx per chat) and with a timeout, so a hung call cannot hold a chat forever.
  const delivery = createDelivery({
    app,
    transport: botApiTransport(new Api(token, { apiRoot, timeoutSeconds: 60 })),
    log,
    ...(options.outboxLimits === undefined ? {} : { limits: options.outboxLimits }),
  });
  bot.api.config.use(retry(), deliveryTransformer(delivery));
  registerDeliveryMetrics(metricsFor(app).registry, delivery);
  delivery.onGaveUp(() => metricsFor(app).alertSendFailures.inc());

  const webhookUrl = app.config.webhookUrl;
  const receive = options.receive ?? (webhookUrl ? "webhook" : "polling");
  // Telegram sends this header with every webhook update; a request without it is not Telegram.
  const secretToken = app.config.webhookSecret ?? randomBytes(32).toString("base64url");

  bot.use(sequentialize((ctx: Context) => ctx.chatId?.toString() ?? ctx.from?.id.toString()));
  bot.errorBoundary(
    (err) => log(`update ${err.ctx.update.update_id} failed`, err.error),
    sessionFeature(app, log),
    conversations<BotContext, WizardContext>({
      plugins: [retryInConversations],
      // A half-entered /signal survives a restart (in SQLite, not in memory).
      storage: storeConversationStorage(app.store, () => app.clock.now()),
    }),
    adminGuard,
    wizardFeature,
    signalsFeature,
    manageFeature,
    reportsFeature,
    auditFeature,
    draftsFeature,
    engineFeature,
    trackReportFeature,
    linkFeature,
    performanceFeature,
    terminalsFeature,
    traderFeature,
  );
  bot.catch((err) => log(`update ${err.ctx.update.update_id} failed outside the boundary`, err.error));

  const notifier = createNotifier({
    app,
    delivery,
    log,
    editIntervalMs: options.editIntervalMs,
    tickMs: options.tickMs,
    fillReportWaitMs: options.fillReportWaitMs,
    alertChatIds: options.alertChatIds,
    draftChatIds: options.draftChatIds,
  });
  let runner: RunnerHandle | null = null;

  return {
    bot,
    notifier,
    /** The outbox everything the bot says goes through (stats for /health, /metrics, /stats). */
    delivery,
    /** In webhook mode: where to mount Telegram's POSTs (Fastify handler checking the secret token). */
    webhook:
      receive === "webhook" && webhookUrl
        ? { path: new URL(webhookUrl).pathname, handler: webhookCallback(bot, "fastify", { secretToken }) }
        : null,
    async start(): Promise<void> {
      await bot.init();
      await notifier.start();
      // The start-up catch-up (alerts missed while down) reads the store: done before start resolves
      // (not the whole outbox: what a previous run left queued goes out at Telegram's pace).
      await notifier.caughtUp();
      await publishCommands(bot.api, staffList(app.config), log);
      if (receive === "webhook" && webhookUrl) {
        await bot.api.setWebhook(webhookUrl, {
          secret_token: secretToken,
          allowed_updates: ["message", "callback_query"],
        });
      } else if (receive === "polling") {
        await bot.api.deleteWebhook().catch((err: unknown) => log("deleteWebhook failed", err));
        runner = run(bot, {
          runner: {
            fetch: { timeout: options.pollTimeoutS ?? 30, allowed_updates: ["message", "callback_query"] },
            silent: true,
          },
        });
      }
      log(`telegram bot @${bot.botInfo.username} started (${receive})`);
    },
    async stop(): Promise<void> {
      if (runner?.isRunning()) await runner.stop();
      runner = null;
      await notifier.stop();
    },
    /** Handles one update (manual mode and tests); outgoing calls are real HTTP. */
    async handleUpdate(update: Update): Promise<void> {
      await bot.init();
      await bot.handleUpdate(update);
    },
  };
}

export type SortieBot = ReturnType<typeof createBot>;
