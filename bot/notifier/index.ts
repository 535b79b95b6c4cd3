import { roleAllows, staffList } from "../../core/roles.ts";
import type { AppContext } from "../../server/context.ts";
import type { BotLog } from "../context.ts";
import { type Delivery, PRIORITY } from "../delivery/index.ts";
import { deliveryMessenger, sendPayload } from "../messenger.ts";
import { createAlerts } from "./alerts.ts";
import { createDms } from "./dms.ts";
import { createDraftNotices } from "./drafts.ts";
import { createWorkQueue } from "./queue.ts";
import { createReadiness } from "./readiness.ts";
import { createResultNotices } from "./results.ts";
import { createUpdateNotices } from "./updates.ts";
import { createWeeklySummaries } from "./weekly.ts";

export interface NotifierOptions {
  /** At most one edit per alert per this many ms (default 10 s). */
  editIntervalMs?: number;
  /** How often expiry and terminal silence are checked (default 5 s). */
  tickMs?: number;
  /** Chats that receive alerts (default: ALERT_CHAT_IDS). */
  alertChatIds?: number[];
  /** How long the fill DM waits for a fire's remaining legs (default 15 s). */
  fillReportWaitMs?: number;
  /** Chats that receive the signal engine's drafts (default: owners and admins, ADMIN_IDS + SIGNAL_ADMIN_IDS). */
  draftChatIds?: number[];
}

/**
 * Everything the bot says without being asked: group alerts kept live, result DMs and terminal
 * readiness DMs. Driven by the hub; everything it says goes through the bot's outbox (`delivery`:
 * stored, prioritised, paced; Telegram or local mode's outbox behind it). `start()` subscribes,
 * starts the timer and the outbox's sender; `stop()` undoes it all and waits for sends in flight
 * (what is still queued is sent after the next start).
 */
export function createNotifier(deps: { app: AppContext; delivery: Delivery; log: BotLog } & NotifierOptions) {
  const { app, delivery, log } = deps;
  const messenger = deliveryMessenger(delivery);
  const queue = createWorkQueue(log);
  const alerts = createAlerts({
    app,
    messenger,
    log,
    queue,
    delivery,
    chatIds: deps.alertChatIds ?? app.config.alertChatIds,
    editIntervalMs: deps.editIntervalMs ?? 10_000,
  });
  const dms = createDms({
    app,
    delivery,
    log,
    queue,
    ...(deps.fillReportWaitMs === undefined ? {} : { fillReportWaitMs: deps.fillReportWaitMs }),
  });
  const readiness = createReadiness({ app, dms });
  const updates = createUpdateNotices({ app, messenger, log, queue, dms });
  const drafts = createDraftNotices({
    app,
    messenger,
    log,
    queue,
    chatIds: deps.draftChatIds ?? [...new Set([...app.config.adminIds, ...app.config.signalAdminIds])],
  });
  const results = createResultNotices({ app, messenger, log, queue });
  const weekly = createWeeklySummaries({ app, dms });
  const tickMs = deps.tickMs ?? 5_000;

  // Telegram upgraded an alert group: the outbox moved it; owners and admins are told to update
  // ALERT_CHAT_IDS (the old id keeps working meanwhile, mapped in the database).
  delivery.onMigrated(async (oldChatId, newChatId) => {
    const html = `⚠️ Telegram moved the alert group <code>${oldChatId}</code> to the supergroup <code>${newChatId}</code>. Alerts now go there; put <code>${newChatId}</code> in ALERT_CHAT_IDS instead of <code>${oldChatId}</code>.`;
    for (const { id, role } of staffList(app.config)) {
      if (!roleAllows(role, "admin")) continue;
      const { done } = await delivery.enqueue({
        chatId: id,
        method: "sendMessage",
        payload: sendPayload(id, html),
        priority: PRIORITY.reply,
      });
      done.catch(() => undefined);
    }
  });
  let unsubscribe: Array<() => void> = [];
  let ticker: ReturnType<typeof setInterval> | null = null;
  let soon: ReturnType<typeof setImmediate> | null = null;

  /** The periodic checks, on the work queue (so `idle()` waits for them; failures are logged). */
  const tick = () => {
    queue.run("tick", async () => {
      await alerts.sweepExpired();
      await readiness.check();
      await weekly.check();
    });
  };

  /** One extra tick on the next turn, however many terminals were announced offline at once. */
  const tickSoon = () => {
    soon ??= setImmediate(() => {
      soon = null;
      tick();
    });
  };

  return {
    async start(): Promise<void> {
      if (ticker) return;
      const { hub } = app;
      unsubscribe = [
        hub.on("signal.created", ({ signal }) => alerts.post(signal)),
        hub.on("signal.cancelled", ({ signal }) => {
          alerts.close(signal, "cancelled");
          queue.run(`cancelled:${signal.id}`, () => dms.signalCancelled(signal.id));
        }),
        hub.on("signal.expired", ({ signal }) => alerts.close(signal, "expired")),
        hub.on("fire.count", ({ signal_id, count }) => alerts.count(signal_id, count)),
        hub.on("fire.updated", ({ fire, previousState }) => dms.fireUpdated(fire, previousState)),
        hub.on("stats.updated", ({ user_id, xpGained }) => dms.statsUpdated(user_id, xpGained)),
        hub.on("update.created", ({ update, signal, skippedUsers }) => updates.created(update, signal, skippedUsers)),
        hub.on("update.settled", ({ update_id, user_id, commands }) => updates.settled(update_id, user_id, commands)),
        hub.on("draft.created", ({ draft, autoPublish }) => drafts.created(draft, autoPublish)),
        hub.on("draft.edited", ({ draft }) => drafts.refresh(draft)),
        hub.on("draft.settled", ({ draft, outcome, actor }) => drafts.refresh(draft, { kind: outcome, actor })),
        hub.on("signal.result", ({ signal, result }) => results.announce(signal, result)),
        // Going offline is found by `tick` (the server's sweeper may also announce it: check now).
        hub.on("bridge.status", ({ user_id, online }) =>
          online ? queue.run(`dm:${user_id}:online`, () => readiness.online(user_id)) : tickSoon(),
        ),
      ];
      await delivery.start();
      queue.run("catch-up", () => alerts.catchUp());
      tick();
      // After the tick: an alert the bot missed closing is closed first, then shows its result.
      queue.run("tick", () => results.catchUp());
      ticker = setInterval(tick, tickMs);
      ticker.unref();
    },
    /** Runs the periodic checks now (tests, or after a clock jump). */
    tick,
    /** Queues the weekly summaries due now, without waiting for the once-a-minute check (tests). */
    weeklyNow: () => queue.run("tick", () => weekly.check(true)),
    /** Resolves when the work queue is empty: the start-up catch-up done (alerts posted, DMs stored). */
    async caughtUp(): Promise<void> {
      await queue.drain();
    },
    /** Resolves when no send or edit is queued or in flight. */
    async idle(): Promise<void> {
      await queue.drain();
      await delivery.idle();
      await queue.drain();
    },
    async stop(): Promise<void> {
      for (const off of unsubscribe) off();
      unsubscribe = [];
      if (ticker) clearInterval(ticker);
      if (soon) clearImmediate(soon);
      ticker = null;
      soon = null;
      alerts.stop();
      dms.stop();
      await delivery.stop();
      await queue.drain();
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
