import type { OutboxRow } from "../../db/queries/outbox.ts";
import { type Core, GROUP_EDIT_RESERVE, type Item, type Lane } from "./core.ts";
import { SendWindow } from "./pacer.ts";

/** The chats' queues and where each is filed for the pump (ready by priority, or waiting). */
export function createLanes(core: Core) {
  const { limits, lanes, ready, waiting, byId, stats } = core;

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

  /** Forgets chats with nothing queued whose windows have emptied (one DM to each of 5,000 traders). */
  function sweep(nowMs: number): void {
    core.sweptMs = nowMs;
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

  /** Removes `batch` (the lane's first messages) from the queue. */
  function take(lane: Lane, batch: readonly Item[]): void {
    const ids = new Set(batch.map((i) => i.id));
    lane.items = lane.items.filter((i) => !ids.has(i.id));
    for (const item of batch) {
      byId.delete(item.id);
      stats.dequeued(item.priority);
    }
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

  return { laneOf, unfile, file, laneWakeMs, sweep, firstReady, take, load };
}

export type Lanes = ReturnType<typeof createLanes>;
