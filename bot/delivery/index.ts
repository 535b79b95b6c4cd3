import { createAnswers } from "./answers.ts";
import {
  createCore,
  type DeliveryDeps,
  type FailedHandler,
  KEEP_MS,
  type OutgoingMessage,
  type SentHandler,
} from "./core.ts";
import { createEnqueue } from "./enqueue.ts";
import { createLanes } from "./lanes.ts";
import { PRIORITY_NAMES } from "./priorities.ts";
import { createPump } from "./pump.ts";
import { DeliveryStopped, type TelegramFailure } from "./telegram.ts";

export type { OutgoingMessage } from "./core.ts";
export { PRIORITY, type Priority } from "./priorities.ts";
export { DeliveryStopped, type TelegramFailure, type Transport } from "./telegram.ts";

/**
 * The bot's one outbox (issue #20): every message it sends or edits is stored first, then sent by
 * this sender under Telegram's limits — overall, per private chat, per group — highest priority
 * first, one chat's messages in order, several DMs waiting for one trader merged into one. Rows
 * stay `queued` in the database until Telegram answered, so a crash loses nothing and an
 * acknowledged message is never sent again. Telegram's answers are acted on: 429 pauses that
 * chat for `retry_after`; 403 in a private chat marks the user unreachable and drops their DMs;
 * 400 `migrate_to_chat_id` moves the chat (and its queued messages and alerts) to the new id.
 *
 * Several instances on one PostgreSQL: only the leader (server/cluster) starts its sender. Another
 * instance's `enqueue` (a webhook update answered there) stores the row and announces it with the
 * hub event "outbox.queued" (NOTIFY): the leader loads it at once and, once Telegram answered,
 * keeps the answer in the row and announces "outbox.done", which settles the waiter there.
 *
 * Why not @grammyjs/transformer-throttler: it paces calls in an in-memory Bottleneck queue, first
 * come first served, so an alert queued behind 5,000 DMs waits for all of them, and what it holds
 * dies with the process. Choosing what goes next needs the pacing state here, where the queue is.
 */
export function createDelivery(deps: DeliveryDeps) {
  const core = createCore(deps);
  const { store, hub, log, limits, now, global, lanes, ready, waiting, byId, waiters, migrations } = core;
  const { sentHandlers, failedHandlers, blockedChats, inFlight, idleWaiters, stats } = core;
  const laneParts = createLanes(core);
  const { load, file } = laneParts;
  const pumpParts = createPump(core, laneParts, createAnswers(core, laneParts));
  const { pump, checkIdle } = pumpParts;
  const { inChatOrder, persist, pickUp, answered } = createEnqueue(core, laneParts, pumpParts);

  const resolveChat = (chatId: number) => migrations.get(chatId) ?? chatId;

  // Always listening for answers: a waiter here may be settled by the leader's sender.
  hub.on("outbox.done", ({ ids }) => {
    answered(ids).catch((err: unknown) => log("outbox: reading another instance's answer failed", err));
  });

  return {
    /**
     * Stores a message and queues it; `done` resolves with Telegram's result once it is sent, or
     * rejects with Telegram's error (or DeliveryStopped: it stays queued for the next start).
     */
    async enqueue(message: OutgoingMessage): Promise<{ id: number; done: Promise<unknown> }> {
      const chatId = resolveChat(message.chatId);
      core.enqueuing++;
      try {
        return await inChatOrder(chatId, () => persist(message, chatId));
      } finally {
        core.enqueuing--;
        checkIdle();
      }
    },
    /** Runs `handler` when a message whose ref starts with `<kind>:` is sent (also after a restart). */
    onSent(kind: string, handler: SentHandler): void {
      sentHandlers.set(kind, handler);
    },
    /** Runs `handler` when Telegram refused such a message for good. */
    onFailed(kind: string, handler: FailedHandler): void {
      failedHandlers.set(kind, handler);
    },
    /** Told when Telegram moved a chat to a supergroup (after the outbox moved it). */
    onMigrated(handler: (oldChatId: number, newChatId: number) => void | Promise<void>): void {
      core.onMigrated = handler;
    },
    /** Told when a message is given up (Telegram refused it for good, or retries ran out). */
    onGaveUp(handler: (err: TelegramFailure) => void): void {
      core.onGaveUp = handler;
    },
    /** The chat id messages for `chatId` go to (after Telegram moved groups). */
    resolveChat,
    /** Whether a message for `chatId` with a ref starting with `refPrefix` is waiting or in flight. */
    hasQueued(chatId: number, refPrefix: string): boolean {
      return lanes.get(resolveChat(chatId))?.items.some((i) => i.ref?.startsWith(refPrefix)) ?? false;
    },
    /** Loads what a previous run left queued and starts sending. */
    async start(): Promise<void> {
      if (core.started) return;
      core.started = true;
      core.stopped = false;
      // Whatever was queued before (this run, the last, another instance) is in the database:
      // loaded once, from there (a row also loaded by its own enqueue meanwhile counts once).
      lanes.clear();
      waiting.clear();
      byId.clear();
      blockedChats.clear();
      for (const set of ready) set.clear();
      stats.clearQueued();
      core.unsubscribe = [
        hub.on("outbox.queued", ({ id }) => {
          pickUp(id).catch((err: unknown) => log(`outbox: loading message ${id} queued elsewhere failed`, err));
        }),
      ];
      for (const [old, current] of await store.outbox.listChatMigrations()) migrations.set(old, current);
      const left = await store.outbox.listQueuedOutbox();
      for (const row of left) load(row, true);
      for (const lane of lanes.values()) file(lane, now());
      if (left.length > 0) log(`outbox: ${left.length} message(s) left by the previous run are sent now`);
      const purge = () => {
        store.outbox.purgeOutbox(now() - KEEP_MS).catch((err: unknown) => log("outbox: purging old rows failed", err));
      };
      purge();
      core.purgeTimer = setInterval(purge, 3600_000);
      core.purgeTimer.unref();
      pump();
    },
    /** Stops sending: waits for the sends in flight; what is still queued stays for the next start. */
    async stop(): Promise<void> {
      core.stopped = true;
      for (const off of core.unsubscribe) off();
      core.unsubscribe = [];
      if (core.wakeTimer) clearTimeout(core.wakeTimer);
      if (core.pumpSoon) clearImmediate(core.pumpSoon);
      if (core.purgeTimer) clearInterval(core.purgeTimer);
      core.wakeTimer = null;
      core.pumpSoon = null;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      for (const list of waiters.values()) for (const w of list) w.reject(new DeliveryStopped());
      waiters.clear();
      for (const resolve of idleWaiters.splice(0)) resolve();
      // What is queued is in the database: the next start() loads it again.
      lanes.clear();
      waiting.clear();
      byId.clear();
      for (const set of ready) set.clear();
      stats.clearQueued();
      core.started = false;
    },
    /** Resolves when nothing is queued or in flight. */
    idle(): Promise<void> {
      if (core.stopped || (inFlight.size === 0 && core.enqueuing === 0 && stats.queuedTotal() === 0))
        return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    /** Queue depth by priority, oldest waiting age, send rate, Telegram's refusals (health, metrics, /stats). */
    stats() {
      const nowMs = now();
      let oldestMs = Number.POSITIVE_INFINITY;
      let paused = 0;
      for (const lane of lanes.values()) {
        const head = lane.items[0];
        if (head) oldestMs = Math.min(oldestMs, head.createdMs);
        if (lane.pausedUntilMs > nowMs) paused++;
      }
      return {
        ...stats.snapshot(nowMs, PRIORITY_NAMES),
        in_flight: inFlight.size,
        oldest_age_s: Number.isFinite(oldestMs) ? Math.round((nowMs - oldestMs) / 100) / 10 : 0,
        paused_chats: paused,
        limits: {
          per_s: global.limit,
          private_per_s: limits.privatePerSecond,
          group_per_min: limits.groupPerMinute,
          paid_broadcast: limits.paidBroadcast,
        },
      };
    },
  };
}

export type Delivery = ReturnType<typeof createDelivery>;
