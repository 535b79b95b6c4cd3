import type { OutboxRow } from "../../db/queries/outbox.ts";
import type { OutboxLimits } from "../../server/config/index.ts";
import type { AppContext } from "../../server/context.ts";
import type { BotLog } from "../context.ts";
import { isMergeable, mergeDms } from "./merge.ts";
import { SendWindow } from "./pacer.ts";
import { PRIORITY, PRIORITY_NAMES, type Priority } from "./priorities.ts";
import { createSendStats } from "./stats.ts";
import { DeliveryStopped, describe, isUnreachable, type TelegramFailure, type Transport } from "./telegram.ts";

export { PRIORITY, type Priority } from "./priorities.ts";
export { DeliveryStopped, type TelegramFailure, type Transport } from "./telegram.ts";

type Payload = Record<string, unknown>;

export interface OutgoingMessage {
  chatId: number;
  method: string;
  /** The method's parameters (chat_id is set from `chatId`). */
  payload: Payload;
  priority: Priority;
  /** `<kind>:<data>`: the handlers registered for `kind` run when Telegram answers (durable). */
  ref?: string | null;
}

interface Item {
  id: number;
  chatId: number;
  method: string;
  payload: Payload;
  priority: number;
  ref: string | null;
  /** Edits of one message: a newer one queued replaces an older one still waiting. */
  mergeKey: string | null;
  createdMs: number;
  attempts: number;
  /** A merged message Telegram refused: its parts go one by one. */
  noMerge: boolean;
  /**
   * Not enqueued by this sender (another instance stored it, or a previous run did): its waiter
   * may be elsewhere, so Telegram's answer is kept in the row and announced ("outbox.done").
   */
  remote: boolean;
}

/** One chat's queue: first in, first out, one send in flight at a time. */
interface Lane {
  chatId: number;
  items: Item[];
  /** How many of the first items are in flight (a merged message: several). */
  sending: number;
  pausedUntilMs: number;
  window: SendWindow;
  /** Where the lane is filed: a priority's ready set, the waiting set, or nowhere (in flight, empty). */
  filed: number | "waiting" | null;
}

type SentHandler = (ref: string, result: unknown, chatId: number) => void | Promise<void>;
type FailedHandler = (ref: string, err: TelegramFailure, chatId: number) => void | Promise<void>;

/** A send that failed without an answer (network) or with a 5xx is tried this many times. */
const MAX_ATTEMPTS = 6;
/** Sends in flight at most, whatever the limits (sockets). */
const MAX_IN_FLIGHT = 64;
/**
 * Of a group's per-minute budget, this share is kept for new messages: edits (fire counts ticking
 * on a busy alert) may not take it, so a new signal's alert is never held a minute behind them.
 */
const GROUP_EDIT_RESERVE = 0.25;
/** Finished rows are kept this long (diagnostics), then deleted. */
const KEEP_MS = 7 * 24 * 3600 * 1000;
/** Telegram's flood control beyond this would block a lane for too long: capped. */
const MAX_PAUSE_MS = 15 * 60 * 1000;
const NO_LIMITS: OutboxLimits = {
  perSecond: 1_000_000,
  privatePerSecond: 1_000_000,
  groupPerMinute: 1_000_000,
  paidBroadcast: false,
  paidPerSecond: 1,
};

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
export function createDelivery(deps: {
  app: AppContext;
  transport: Transport;
  log: BotLog;
  /** Telegram's limits (default: config.outbox); `null` = no pacing (local mode: nothing to protect). */
  limits?: OutboxLimits | null;
  now?: () => number;
}) {
  const { app, transport, log } = deps;
  const { store, hub } = app;
  const limits = deps.limits === undefined ? app.config.outbox : (deps.limits ?? NO_LIMITS);
  const now = deps.now ?? Date.now;
  const global = new SendWindow(limits.paidBroadcast ? limits.paidPerSecond : limits.perSecond, 1000, true);
  const lanes = new Map<number, Lane>();
  const ready: Array<Set<Lane>> = PRIORITY_NAMES.map(() => new Set<Lane>());
  const waiting = new Set<Lane>();
  /** Every message in a lane, by id (a row loaded twice, at start and by its enqueue, is one). */
  const byId = new Map<number, Item>();
  /** Per chat, the enqueue in progress: rows are stored (and get their ids) in call order. */
  const enqueueChains = new Map<number, Promise<unknown>>();
  let enqueuing = 0;
  let unsubscribe: Array<() => void> = [];
  const waiters = new Map<number, Array<{ resolve: (v: unknown) => void; reject: (e: unknown) => void }>>();
  const sentHandlers = new Map<string, SentHandler>();
  const failedHandlers = new Map<string, FailedHandler>();
  const migrations = new Map<number, number>();
  /**
   * Private chats whose user blocked the bot (403), with Telegram's answer: a notification queued
   * for them meanwhile (its check of dm_status raced the block) is dropped without a second 403.
   * Forgotten when a reply to something they typed is queued (they wrote again) or a send succeeds.
   */
  const blockedChats = new Map<number, TelegramFailure>();
  const inFlight = new Set<Promise<void>>();
  const idleWaiters: Array<() => void> = [];
  const stats = createSendStats(PRIORITY_NAMES.length);
  let onMigrated: (oldChatId: number, newChatId: number) => void | Promise<void> = () => undefined;
  let onGaveUp: (err: TelegramFailure) => void = () => undefined;
  let started = false;
  let stopped = false;
  let wakeTimer: ReturnType<typeof setTimeout> | null = null;
  let wakeAtMs = Number.POSITIVE_INFINITY;
  let pumpSoon: ReturnType<typeof setImmediate> | null = null;
  let purgeTimer: ReturnType<typeof setInterval> | null = null;
  let sweptMs = 0;

  const resolveChat = (chatId: number) => migrations.get(chatId) ?? chatId;

  function laneOf(chatId: number): Lane {
    let lane = lanes.get(chatId);
    if (!lane) {
      const window =
        chatId > 0 ? new SendWindow(limits.privatePerSecond, 1000) : new SendWindow(limits.groupPerMinute, 60_000);
      lane = { chatId, items: [], sending: 0, pausedUntilMs: 0, window, filed: null };
      lanes.set(chatId, lane);
    }
    return lane;
  }

  function unfile(lane: Lane): void {
    if (lane.filed === "waiting") waiting.delete(lane);
    else if (lane.filed !== null) ready[lane.filed]!.delete(lane);
    lane.filed = null;
  }

  /** Files the lane where the pump will find it: ready by its first message's priority, or waiting. */
  function file(lane: Lane, nowMs: number): void {
    unfile(lane);
    if (lane.sending > 0) return;
    const head = lane.items[0];
    if (!head) {
      if (lane.window.isClear(nowMs) && lane.pausedUntilMs <= nowMs) lanes.delete(lane.chatId);
      return;
    }
    if (lane.pausedUntilMs > nowMs || !lane.window.canStart(nowMs, reserveFor(lane))) {
      lane.filed = "waiting";
      waiting.add(lane);
    } else {
      lane.filed = head.priority;
      ready[head.priority]!.add(lane);
    }
  }

  /** Places of the lane's window its first message must leave free (edits in groups: see GROUP_EDIT_RESERVE). */
  const reserveFor = (lane: Lane) =>
    lane.chatId < 0 && lane.items[0]?.method.startsWith("edit")
      ? Math.floor(lane.window.limit * GROUP_EDIT_RESERVE)
      : 0;
  const laneWakeMs = (lane: Lane, nowMs: number) =>
    Math.max(lane.pausedUntilMs, lane.window.freeAt(nowMs, reserveFor(lane)));

  function wakeAt(atMs: number): void {
    if (!Number.isFinite(atMs) || stopped) return;
    if (wakeTimer && wakeAtMs <= atMs) return;
    if (wakeTimer) clearTimeout(wakeTimer);
    wakeAtMs = atMs;
    wakeTimer = setTimeout(
      () => {
        wakeTimer = null;
        wakeAtMs = Number.POSITIVE_INFINITY;
        pump();
      },
      Math.max(0, atMs - now()),
    );
  }

  function schedulePump(): void {
    if (!started || stopped || pumpSoon) return;
    pumpSoon = setImmediate(() => {
      pumpSoon = null;
      pump();
    });
  }

  /** Starts every send the limits allow now, highest priority first; sleeps until the next is allowed. */
  function pump(): void {
    if (!started || stopped) return;
    let nowMs = now();
    if (nowMs - sweptMs > 5_000) sweep(nowMs);
    let nextWake = Number.POSITIVE_INFINITY;
    for (const lane of [...waiting]) {
      const at = laneWakeMs(lane, nowMs);
      if (at <= nowMs) file(lane, nowMs);
      else nextWake = Math.min(nextWake, at);
    }
    while (inFlight.size < MAX_IN_FLIGHT) {
      const lane = firstReady();
      if (!lane) break;
      if (!global.canStart(nowMs)) {
        nextWake = Math.min(nextWake, global.freeAt(nowMs));
        break;
      }
      dispatch(lane);
      nowMs = now();
    }
    wakeAt(nextWake);
  }

  /** Forgets chats with nothing queued whose windows have emptied (one DM to each of 5,000 traders). */
  function sweep(nowMs: number): void {
    sweptMs = nowMs;
    for (const lane of lanes.values()) {
      if (lane.items.length === 0 && lane.sending === 0 && lane.filed === null && lane.pausedUntilMs <= nowMs) {
        if (lane.window.isClear(nowMs)) lanes.delete(lane.chatId);
      }
    }
  }

  function firstReady(): Lane | undefined {
    for (const set of ready) {
      const first = set.values().next();
      if (!first.done) return first.value;
    }
    return undefined;
  }

  /**
   * Notifications (results, updates, readiness, reports) may go out together; an answer to what
   * someone just typed (PRIORITY.reply) always goes as it is, never merged with them.
   */
  const mergeable = (item: Item) =>
    !item.noMerge && item.priority > PRIORITY.reply && isMergeable(item.method, item.payload);

  function dispatch(lane: Lane): void {
    const head = lane.items[0]!;
    let count = 1;
    let payload = head.payload;
    if (mergeable(head)) {
      const run: Payload[] = [];
      for (const item of lane.items) {
        if (!mergeable(item) || item.method !== head.method) break;
        run.push(item.payload);
      }
      ({ count, payload } = mergeDms(run));
    }
    lane.sending = count;
    unfile(lane);
    const startMs = now();
    global.start(startMs);
    lane.window.start(startMs);
    const batch = lane.items.slice(0, count);
    const task = transport
      .call(head.method, payload)
      .then(
        (result) => sent(lane, batch, result),
        (err: unknown) => failed(lane, batch, (err ?? {}) as TelegramFailure),
      )
      .catch((err: unknown) => log("outbox: handling Telegram's answer failed", err))
      .finally(() => {
        inFlight.delete(task);
        // Held until the answer is recorded and the batch left the lane: no second send meanwhile.
        lane.sending = 0;
        file(lane, now());
        pump();
        checkIdle();
      });
    inFlight.add(task);
  }

  /** Removes `batch` (the lane's first messages) from the queue. */
  function take(lane: Lane, batch: readonly Item[]): void {
    const ids = new Set(batch.map((i) => i.id));
    lane.items = lane.items.filter((i) => !ids.has(i.id));
    for (const item of batch) {
      byId.delete(item.id);
      stats.dequeued(item.priority);
    }
  }

  function settle(item: Item, outcome: { result: unknown } | { error: unknown }): void {
    for (const waiter of waiters.get(item.id) ?? []) {
      if ("result" in outcome) waiter.resolve(outcome.result);
      else waiter.reject(outcome.error);
    }
    waiters.delete(item.id);
  }

  /** `alert` of `alert:s_01…:3`. */
  const kindOf = (ref: string) => ref.split(":", 1)[0]!;

  /** Telegram's answer as the row keeps it for a waiter on another instance (null: nobody there). */
  const answerFor = (batch: readonly Item[], answer: { result: unknown } | { error: TelegramFailure }) =>
    batch.some((i) => i.remote) ? JSON.stringify(answer) : null;

  /** Tells other instances' waiters that their messages were answered (the answer is in the rows). */
  function announce(batch: readonly Item[]): void {
    const ids = batch.filter((i) => i.remote).map((i) => i.id);
    if (ids.length > 0) hub.emit("outbox.done", { ids });
  }

  async function sent(lane: Lane, batch: readonly Item[], result: unknown): Promise<void> {
    const nowMs = now();
    finishWindows(lane, nowMs);
    const messageId = (result as { message_id?: number } | null)?.message_id ?? null;
    await store.outbox.finishOutbox(
      batch.map((i) => i.id),
      "sent",
      nowMs,
      messageId,
      null,
      answerFor(batch, { result }),
    );
    take(lane, batch);
    blockedChats.delete(lane.chatId);
    stats.sent(nowMs, batch.length);
    for (const item of batch) {
      const handler = item.ref ? sentHandlers.get(kindOf(item.ref)) : undefined;
      if (handler && item.ref) await runHandler(() => handler(item.ref!, result, lane.chatId));
      settle(item, { result });
    }
    announce(batch);
  }

  async function runHandler(fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      log("outbox: a sent/failed handler failed", err);
    }
  }

  function finishWindows(lane: Lane, nowMs: number): void {
    global.finish(nowMs);
    lane.window.finish(nowMs);
  }

  async function failed(lane: Lane, batch: readonly Item[], err: TelegramFailure): Promise<void> {
    const nowMs = now();
    finishWindows(lane, nowMs);
    const code = err.error_code;
    stats.error(code);
    if (code === 429) {
      // Telegram's flood control: this chat waits as long as it says (the others go on).
      const waitMs = Math.min(MAX_PAUSE_MS, Math.max(1, err.parameters?.retry_after ?? 1) * 1000);
      lane.pausedUntilMs = nowMs + waitMs;
      log(`outbox: 429 from Telegram for chat ${lane.chatId}; that chat waits ${waitMs / 1000} s`);
      return;
    }
    const movedTo = err.parameters?.migrate_to_chat_id;
    if (code === 400 && typeof movedTo === "number") {
      await migrate(lane.chatId, movedTo);
      return;
    }
    if (batch.length > 1 && code !== undefined && code < 500) {
      // A merged message Telegram refused (too long once parsed, say): send its parts one by one.
      for (const item of batch) item.noMerge = true;
      return;
    }
    if (lane.chatId > 0 && isUnreachable(err)) {
      await block(lane, err);
      return;
    }
    if (code === undefined || code >= 500) {
      const head = batch[0]!;
      head.attempts++;
      if (head.attempts < MAX_ATTEMPTS) {
        lane.pausedUntilMs = nowMs + Math.min(30_000, 500 * 2 ** head.attempts);
        return;
      }
    }
    if (!/not modified/i.test(err.description ?? "")) {
      log(`outbox: ${batch[0]!.method} to chat ${lane.chatId} failed for good: ${describe(err)}`);
      await runHandler(() => onGaveUp(err));
    }
    await fail(lane, batch, err, "failed");
  }

  async function fail(
    lane: Lane,
    batch: readonly Item[],
    err: TelegramFailure,
    state: "failed" | "dropped",
  ): Promise<void> {
    const { error_code, description, parameters } = err;
    await store.outbox.finishOutbox(
      batch.map((i) => i.id),
      state,
      now(),
      null,
      describe(err),
      answerFor(batch, { error: { error_code, description, parameters } }),
    );
    take(lane, batch);
    for (const item of batch) {
      const handler = item.ref ? failedHandlers.get(kindOf(item.ref)) : undefined;
      if (handler && item.ref) await runHandler(() => handler(item.ref!, err, lane.chatId));
      settle(item, { error: err });
    }
    announce(batch);
  }

  /** The user blocked the bot (or never started it): marked, and nothing more is sent to them. */
  async function block(lane: Lane, err: TelegramFailure): Promise<void> {
    const userId = lane.chatId;
    blockedChats.set(userId, err);
    await fail(lane, [...lane.items], err, "dropped");
    stats.blocked();
    if (await store.users.setDmStatus(userId, "unreachable")) {
      log(`user ${userId} cannot be reached by DM (blocked the bot or never started it); their DMs are dropped`);
      hub.emit("user.updated", { user_id: userId });
    }
  }

  /** Telegram moved the group to a supergroup: its queue, its alerts and later sends follow. */
  async function migrate(oldChatId: number, newChatId: number): Promise<void> {
    const from = laneOf(oldChatId);
    const to = laneOf(newChatId);
    const moved = from.items;
    for (const item of moved) {
      item.chatId = newChatId;
      item.payload = { ...item.payload, chat_id: newChatId };
    }
    // Moved in memory first (an enqueue meanwhile goes to the new chat), then in the database.
    for (const [old, current] of migrations) if (current === oldChatId) migrations.set(old, newChatId);
    migrations.set(oldChatId, newChatId);
    to.items = [...moved, ...to.items].sort((a, b) => a.id - b.id);
    from.items = [];
    await store.outbox.migrateChat(
      oldChatId,
      newChatId,
      moved.map((i) => ({ id: i.id, payload: i.payload })),
      new Date(app.clock.now()).toISOString(),
    );
    file(to, now());
    log(`outbox: Telegram moved chat ${oldChatId} to supergroup ${newChatId}; alerts now go there`);
    await runHandler(() => onMigrated(oldChatId, newChatId));
  }

  function checkIdle(): void {
    if (inFlight.size > 0 || enqueuing > 0 || stats.queuedTotal() > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  /**
   * Adds a message to its chat's queue: at the end, except that in a group a new message goes
   * before edits still waiting (of other messages: a queued edit is never older than its message),
   * so a new alert does not wait behind fire-count edits.
   */
  function load(row: OutboxRow, remote: boolean): void {
    if (byId.has(row.id)) return;
    const lane = laneOf(row.chat_id);
    let at = lane.items.length;
    if (row.chat_id < 0 && !row.method.startsWith("edit")) {
      while (
        at > lane.sending &&
        lane.items[at - 1]!.method.startsWith("edit") &&
        lane.items[at - 1]!.priority >= row.priority
      )
        at--;
    }
    const item: Item = {
      id: row.id,
      chatId: row.chat_id,
      method: row.method,
      payload: row.payload,
      priority: row.priority,
      ref: row.ref,
      mergeKey: row.merge_key,
      createdMs: row.created_ms,
      attempts: 0,
      noMerge: false,
      remote,
    };
    lane.items.splice(at, 0, item);
    byId.set(row.id, item);
    stats.enqueued(row.priority);
  }

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
      if (stopped) return reject(new DeliveryStopped());
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
    const lane = started ? laneOf(chatId) : null;
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
    else if (blocked && started && !stopped) {
      await store.outbox.finishOutbox([id], "dropped", now(), null, describe(blocked));
      for (const waiter of waiters.get(id) ?? []) waiter.reject(blocked);
      waiters.delete(id);
      return { id, done };
    }
    if (started && !stopped) {
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
    if (!started || stopped || byId.has(id)) return;
    const row = await store.outbox.findQueuedOutbox(id);
    if (!row || !started || stopped) return;
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
      enqueuing++;
      try {
        return await inChatOrder(chatId, () => persist(message, chatId));
      } finally {
        enqueuing--;
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
      onMigrated = handler;
    },
    /** Told when a message is given up (Telegram refused it for good, or retries ran out). */
    onGaveUp(handler: (err: TelegramFailure) => void): void {
      onGaveUp = handler;
    },
    /** The chat id messages for `chatId` go to (after Telegram moved groups). */
    resolveChat,
    /** Whether a message for `chatId` with a ref starting with `refPrefix` is waiting or in flight. */
    hasQueued(chatId: number, refPrefix: string): boolean {
      return lanes.get(resolveChat(chatId))?.items.some((i) => i.ref?.startsWith(refPrefix)) ?? false;
    },
    /** Loads what a previous run left queued and starts sending. */
    async start(): Promise<void> {
      if (started) return;
      started = true;
      stopped = false;
      // Whatever was queued before (this run, the last, another instance) is in the database:
      // loaded once, from there (a row also loaded by its own enqueue meanwhile counts once).
      lanes.clear();
      waiting.clear();
      byId.clear();
      blockedChats.clear();
      for (const set of ready) set.clear();
      stats.clearQueued();
      unsubscribe = [
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
      purgeTimer = setInterval(purge, 3600_000);
      purgeTimer.unref();
      pump();
    },
    /** Stops sending: waits for the sends in flight; what is still queued stays for the next start. */
    async stop(): Promise<void> {
      stopped = true;
      for (const off of unsubscribe) off();
      unsubscribe = [];
      if (wakeTimer) clearTimeout(wakeTimer);
      if (pumpSoon) clearImmediate(pumpSoon);
      if (purgeTimer) clearInterval(purgeTimer);
      wakeTimer = null;
      pumpSoon = null;
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
      started = false;
    },
    /** Resolves when nothing is queued or in flight. */
    idle(): Promise<void> {
      if (stopped || (inFlight.size === 0 && enqueuing === 0 && stats.queuedTotal() === 0)) return Promise.resolve();
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
