import type { Core, OutgoingMessage, Payload } from "./core.ts";
import type { Lanes } from "./lanes.ts";
import { PRIORITY } from "./priorities.ts";
import type { Pump } from "./pump.ts";
import { DeliveryStopped, describe, type TelegramFailure } from "./telegram.ts";

/** Storing messages and waiting for their answers, here or from the instance whose sender runs. */
export function createEnqueue(core: Core, { laneOf, file, load }: Lanes, { schedulePump }: Pump) {
  const { store, hub, limits, now, byId, enqueueChains, waiters, blockedChats } = core;

  /** Runs `fn` after the enqueue in progress for the same chat (one chat's rows get ids in call order). */
  function inChatOrder<T>(chatId: number, fn: () => Promise<T>): Promise<T> {
    const previous = enqueueChains.get(chatId) ?? Promise.resolve();
    const next = previous.then(fn);
    const tail = next.catch(() => undefined);
    enqueueChains.set(chatId, tail);
    void tail.then(() => {
      if (enqueueChains.get(chatId) === tail) enqueueChains.delete(chatId);
    });
    return next;
  }

  /** Stores one message; queues it when this sender runs, else announces it to the one that does. */
  /** The promise Telegram's answer to message `id` settles (registered before anything can answer it). */
  function answerOf(id: number): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      if (core.stopped) return reject(new DeliveryStopped());
      const list = waiters.get(id) ?? [];
      list.push({ resolve, reject });
      waiters.set(id, list);
    });
  }

  async function persist(message: OutgoingMessage, chatId: number): Promise<{ id: number; done: Promise<unknown> }> {
    const payload: Payload = { ...message.payload, chat_id: chatId };
    if (limits.paidBroadcast && message.method.startsWith("send")) payload.allow_paid_broadcast = true;
    const ref = message.ref ?? null;
    const mergeKey =
      message.method.startsWith("edit") && payload.message_id !== undefined
        ? `${message.method}:${String(payload.message_id)}`
        : null;
    const lane = core.started ? laneOf(chatId) : null;
    const older = mergeKey && lane ? lane.items.slice(lane.sending).find((i) => i.mergeKey === mergeKey) : undefined;
    if (older) {
      // A newer edit of a message whose previous edit is still waiting: only the newest goes
      // (changed in memory first, so a dispatch while the row is written sends the newest).
      older.payload = payload;
      older.ref = ref;
      const done = answerOf(older.id);
      await store.outbox.replaceOutboxPayload(older.id, payload, ref);
      return { id: older.id, done };
    }
    const row = {
      chat_id: chatId,
      method: message.method,
      payload,
      priority: message.priority,
      ref,
      merge_key: mergeKey,
      created_ms: now(),
    };
    const id = await store.outbox.insertOutbox(row);
    const done = answerOf(id);
    const blocked = blockedChats.get(chatId);
    if (blocked && message.priority <= PRIORITY.reply) blockedChats.delete(chatId);
    else if (blocked && core.started && !core.stopped) {
      await store.outbox.finishOutbox([id], "dropped", now(), null, describe(blocked));
      for (const waiter of waiters.get(id) ?? []) waiter.reject(blocked);
      waiters.delete(id);
      return { id, done };
    }
    if (core.started && !core.stopped) {
      load({ id, ...row }, false);
      const current = laneOf(chatId);
      if (current.filed === null) file(current, now());
      schedulePump();
    } else {
      // The sender runs elsewhere (another instance holds the leader lock) or not yet: the row waits
      // in the database; the running sender loads it now, or a starting one with the rest.
      hub.emit("outbox.queued", { id });
    }
    return { id, done };
  }

  /** Another instance stored a message: loaded and sent here when this sender runs. */
  async function pickUp(id: number): Promise<void> {
    if (!core.started || core.stopped || byId.has(id)) return;
    const row = await store.outbox.findQueuedOutbox(id);
    if (!row || !core.started || core.stopped) return;
    load(row, true);
    const lane = laneOf(row.chat_id);
    if (lane.filed === null) file(lane, now());
    schedulePump();
  }

  /** The leader answered messages queued here: their waiters get Telegram's recorded answer. */
  async function answered(ids: readonly number[]): Promise<void> {
    for (const id of ids) {
      if (!waiters.has(id) || byId.has(id)) continue;
      const row = await store.outbox.findOutboxAnswer(id);
      if (!row || row.state === "queued") continue;
      const answer = row.answer
        ? (JSON.parse(row.answer) as { result?: unknown; error?: TelegramFailure })
        : { error: { description: row.error ?? row.state } };
      const outcome = "error" in answer && answer.error ? { error: answer.error } : { result: answer.result };
      for (const waiter of waiters.get(id) ?? []) {
        if ("error" in outcome) waiter.reject(outcome.error);
        else waiter.resolve(outcome.result);
      }
      waiters.delete(id);
    }
  }

  return { inChatOrder, persist, pickUp, answered };
}
