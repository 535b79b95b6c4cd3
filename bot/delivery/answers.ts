import { type Core, type Item, type Lane, MAX_ATTEMPTS, MAX_PAUSE_MS } from "./core.ts";
import type { Lanes } from "./lanes.ts";
import { describe, isUnreachable, type TelegramFailure } from "./telegram.ts";

/** `alert` of `alert:s_01…:3`. */
const kindOf = (ref: string) => ref.split(":", 1)[0]!;

/** Telegram's answer as the row keeps it for a waiter on another instance (null: nobody there). */
const answerFor = (batch: readonly Item[], answer: { result: unknown } | { error: TelegramFailure }) =>
  batch.some((i) => i.remote) ? JSON.stringify(answer) : null;

/**
 * Acting on Telegram's answers: recorded in the rows, handlers and waiters told; 429 pauses the
 * chat, 403 in a private chat blocks it, 400 `migrate_to_chat_id` moves it, 5xx/network retries.
 */
export function createAnswers(core: Core, { laneOf, file, take }: Lanes) {
  const { app, store, hub, log, now, global, waiters, sentHandlers, failedHandlers, migrations, blockedChats, stats } =
    core;

  function settle(item: Item, outcome: { result: unknown } | { error: unknown }): void {
    for (const waiter of waiters.get(item.id) ?? []) {
      if ("result" in outcome) waiter.resolve(outcome.result);
      else waiter.reject(outcome.error);
    }
    waiters.delete(item.id);
  }

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
      await runHandler(() => core.onGaveUp(err));
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
    await runHandler(() => core.onMigrated(oldChatId, newChatId));
  }

  return { sent, failed };
}

export type Answers = ReturnType<typeof createAnswers>;
