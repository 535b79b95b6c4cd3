import type { Answers } from "./answers.ts";
import { type Core, type Item, type Lane, MAX_IN_FLIGHT, type Payload } from "./core.ts";
import type { Lanes } from "./lanes.ts";
import { isMergeable, mergeDms } from "./merge.ts";
import { PRIORITY } from "./priorities.ts";
import type { TelegramFailure } from "./telegram.ts";

/**
 * Notifications (results, updates, readiness, reports) may go out together; an answer to what
 * someone just typed (PRIORITY.reply) always goes as it is, never merged with them.
 */
const mergeable = (item: Item) =>
  !item.noMerge && item.priority > PRIORITY.reply && isMergeable(item.method, item.payload);

/** Starting sends under the limits, highest priority first, and sleeping until the next is allowed. */
export function createPump(
  core: Core,
  { unfile, file, laneWakeMs, sweep, firstReady }: Lanes,
  { sent, failed }: Answers,
) {
  const { transport, log, now, global, waiting, inFlight, idleWaiters, stats } = core;

  function wakeAt(atMs: number): void {
    if (!Number.isFinite(atMs) || core.stopped) return;
    if (core.wakeTimer && core.wakeAtMs <= atMs) return;
    if (core.wakeTimer) clearTimeout(core.wakeTimer);
    core.wakeAtMs = atMs;
    core.wakeTimer = setTimeout(
      () => {
        core.wakeTimer = null;
        core.wakeAtMs = Number.POSITIVE_INFINITY;
        pump();
      },
      Math.max(0, atMs - now()),
    );
  }

  function schedulePump(): void {
    if (!core.started || core.stopped || core.pumpSoon) return;
    core.pumpSoon = setImmediate(() => {
      core.pumpSoon = null;
      pump();
    });
  }

  /** Starts every send the limits allow now, highest priority first; sleeps until the next is allowed. */
  function pump(): void {
    if (!core.started || core.stopped) return;
    let nowMs = now();
    if (nowMs - core.sweptMs > 5_000) sweep(nowMs);
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

  function checkIdle(): void {
    if (inFlight.size > 0 || core.enqueuing > 0 || stats.queuedTotal() > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  return { pump, schedulePump, checkIdle };
}

export type Pump = ReturnType<typeof createPump>;
