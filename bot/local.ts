import type { AppContext } from "../server/context.ts";
import { metricsFor } from "../server/metrics.ts";
import type { BotLog } from "./context.ts";
import { createDelivery } from "./delivery/index.ts";
import { registerDeliveryMetrics } from "./delivery/metrics.ts";
import { localTransport } from "./delivery/transports.ts";
import { createNotifier, type NotifierOptions } from "./notifier/index.ts";
import { createLocalOutbox } from "./outbox.ts";

/** Where local mode "posts" alerts when ALERT_CHAT_IDS is empty (no real chat has this id). */
export const LOCAL_ALERT_CHAT_ID = -1;
/** Where local mode "sends" the signal engine's drafts when no admin is configured. */
export const LOCAL_ADMIN_CHAT_ID = 1;

/**
 * Local mode (no BOT_TOKEN): the same notifier and the same stored outbox, whose sender hands
 * messages to an in-memory outbox that logs every alert and DM it would have sent (no pacing:
 * there are no Telegram limits to keep). `outbox.list()` feeds a local page. Same lifecycle as createBot.
 */
export function createLocalBot(options: { ctx: AppContext; log: BotLog } & NotifierOptions) {
  const { ctx: app, log } = options;
  const outbox = createLocalOutbox({ log, now: () => app.clock.now() });
  const alertChatIds =
    options.alertChatIds ?? (app.config.alertChatIds.length > 0 ? app.config.alertChatIds : [LOCAL_ALERT_CHAT_ID]);
  const delivery = createDelivery({ app, transport: localTransport(outbox), log, limits: null });
  registerDeliveryMetrics(metricsFor(app).registry, delivery);
  delivery.onGaveUp(() => metricsFor(app).alertSendFailures.inc());
  const notifier = createNotifier({
    app,
    delivery,
    log,
    editIntervalMs: options.editIntervalMs,
    tickMs: options.tickMs,
    fillReportWaitMs: options.fillReportWaitMs,
    alertChatIds,
    draftChatIds:
      options.draftChatIds ??
      (app.config.adminIds.length + app.config.signalAdminIds.length > 0
        ? [...new Set([...app.config.adminIds, ...app.config.signalAdminIds])]
        : [LOCAL_ADMIN_CHAT_ID]),
  });
  return {
    outbox,
    notifier,
    delivery,
    async start(): Promise<void> {
      await notifier.start();
      log("local mode: no Telegram; alerts and DMs go to the console and the local outbox");
    },
    stop: () => notifier.stop(),
  };
}
