import { xpForClose } from "../../core/xp.ts";
import type { FireView } from "../../db/rows.ts";
import type { AppContext } from "../../server/context.ts";
import type { BotLog } from "../context.ts";
import { type Delivery, PRIORITY, type Priority } from "../delivery/index.ts";
import { cancelledWhileOpenText, closedText, fillReportText, lateLegsText, legsClosedText } from "../format/dm.ts";
import { missionLink } from "../links.ts";
import { type MessageOptions, sendPayload } from "../messenger.ts";
import type { WorkQueue } from "./queue.ts";

const PENDING = new Set(["queued", "delivered"]);

/** How long the fill report waits for a fire's last legs once one answered (default 15 s). */
export const FILL_REPORT_WAIT_MS = 15_000;

/**
 * Fires whose fill report went out, with the legs it covered by id (a leg's number repeats across
 * a trader's terminals), the oldest forgotten past `max`.
 */
class ReportedLegs {
  private readonly legs = new Map<string, Set<string>>();
  constructor(private readonly max: number) {}
  get(fireId: string): ReadonlySet<string> | undefined {
    return this.legs.get(fireId);
  }
  add(fireId: string, legIds: readonly string[]): void {
    const set = this.legs.get(fireId) ?? new Set<string>();
    for (const id of legIds) set.add(id);
    if (!this.legs.has(fireId) && this.legs.size >= this.max) {
      const oldest = this.legs.keys().next();
      if (!oldest.done) this.legs.delete(oldest.value);
    }
    this.legs.set(fireId, set);
  }
}

/**
 * Direct messages to traders, queued in the bot's outbox (which sends one user's DMs in order,
 * merges those waiting together, and marks a user who blocked the bot or never started it (403)
 * unreachable): nothing is queued for such a user until they talk to the bot again.
 */
export function createDms(deps: {
  app: AppContext;
  delivery: Delivery;
  log: BotLog;
  queue: WorkQueue;
  fillReportWaitMs?: number;
}) {
  const { app, delivery, log, queue } = deps;
  const { store, config } = app;
  const fillReportWaitMs = deps.fillReportWaitMs ?? FILL_REPORT_WAIT_MS;
  const reported = new ReportedLegs(10_000);
  /** Legs whose close was told on its own, while the rest of their trade stayed open. */
  const closedLegs = new ReportedLegs(10_000);
  /** Fires with some legs answered, waiting (at most fillReportWaitMs) for the rest. */
  const waiting = new Map<string, ReturnType<typeof setTimeout>>();
  /** Closed fires waiting for the stats event that carries their XP (emitted right after). */
  const awaitingXp = new Map<number, FireView>();

  /**
   * Queues a DM in the outbox (stored before the work queue moves on: a crash does not lose it).
   * `html` is built on the user's work queue, in order with their other DMs (null: nothing to say).
   */
  function dm(
    bridgeOrUserId: number,
    html: () => string | null | Promise<string | null>,
    options: MessageOptions = {},
    priority: Priority = PRIORITY.result,
  ): void {
    // A trader's further terminals have `users` rows of their own (negative ids, never a chat):
    // what concerns them goes to their trader.
    if (bridgeOrUserId < 0) {
      app.terminals.traderOf(bridgeOrUserId).then(
        (userId) => {
          if (userId > 0) dm(userId, html, options, priority);
        },
        (err) => log(`DM for terminal ${bridgeOrUserId} failed`, err),
      );
      return;
    }
    const userId = bridgeOrUserId;
    queue.run(`dm:${userId}`, async () => {
      const user = await store.users.findUser(userId);
      if (!user || user.dm_status === "unreachable") return;
      const text = await html();
      if (text === null) return;
      const { done } = await delivery.enqueue({
        chatId: userId,
        method: "sendMessage",
        payload: sendPayload(userId, text, options),
        priority,
      });
      // Failures are the outbox's business (logged, 403 marks the user); nobody waits for this one.
      done.catch(() => undefined);
    });
  }

  const missionButton = (fire: FireView) => ({
    buttons: [[{ text: "Open trade", url: missionLink(config, fire.signal_id) }]],
  });

  function sendClosed(fire: FireView, xpGained: number) {
    dm(
      fire.user_id,
      async () => closedText(fire, (await store.users.findUser(fire.user_id))?.currency ?? null, xpGained),
      missionButton(fire),
    );
  }

  /**
   * Sends what is known about a fire's legs that answered and were not reported yet: the fill
   * report the first time (all legs, totals), a short update for legs that answered after it.
   */
  function reportFills(fire: FireView): void {
    const timer = waiting.get(fire.id);
    if (timer) clearTimeout(timer);
    waiting.delete(fire.id);
    const done = reported.get(fire.id);
    const fresh = fire.legs.filter((l) => !PENDING.has(l.state) && !done?.has(l.id));
    if (fresh.length === 0) return;
    reported.add(
      fire.id,
      fresh.map((l) => l.id),
    );
    if (done) dm(fire.user_id, () => lateLegsText(fire, fresh), missionButton(fire));
    else dm(fire.user_id, () => fillReportText(fire), missionButton(fire));
  }

  /** One fill report per fire: when every leg answered, or after a short wait for the rest. */
  function legsAnswered(fire: FireView): void {
    const done = reported.get(fire.id);
    const fresh = fire.legs.filter((l) => !PENDING.has(l.state) && !done?.has(l.id));
    if (fresh.length === 0) return;
    if (fire.legs.every((l) => !PENDING.has(l.state))) {
      reportFills(fire);
      return;
    }
    if (waiting.has(fire.id)) return;
    const timer = setTimeout(() => {
      waiting.delete(fire.id);
      if (store.closed) return;
      store.fires.findFireById(fire.id).then(
        (latest) => {
          if (latest) reportFills(latest);
        },
        (err) => log(`fill report of ${fire.id} could not be read`, err),
      );
    }, fillReportWaitMs);
    timer.unref();
    waiting.set(fire.id, timer);
  }

  /**
   * A leg that closed (its target, its stop, or a close from the trader or an admin) while the
   * trade's other legs stay open is told at once; when the last one closes, "Trade closed" tells
   * them all.
   */
  function legsClosed(fire: FireView): void {
    if (fire.state === "closed") return;
    const done = closedLegs.get(fire.id);
    const fresh = fire.legs.filter((l) => l.state === "closed" && !done?.has(l.id));
    if (fresh.length === 0) return;
    closedLegs.add(
      fire.id,
      fresh.map((l) => l.id),
    );
    dm(
      fire.user_id,
      async () => legsClosedText(fire, fresh, (await store.users.findUser(fire.user_id))?.currency ?? null),
      missionButton(fire),
    );
  }

  /**
   * A cancelled signal: each trader still holding a position on it hears that the desk called it
   * off and that the position stays open until they close it (cancelling closes nothing).
   */
  async function signalCancelled(signalId: string): Promise<void> {
    const fireIds = new Set((await store.updates.listOpenPositionsOfSignal(signalId)).map((p) => p.fire_id));
    for (const fireId of fireIds) {
      const fire = await store.fires.findFireById(fireId);
      if (fire) dm(fire.user_id, () => cancelledWhileOpenText(fire), missionButton(fire));
    }
  }

  return {
    dm,
    signalCancelled,
    /** Forgets the fill reports still waiting (the notifier is stopping). */
    stop(): void {
      for (const timer of waiting.values()) clearTimeout(timer);
      waiting.clear();
    },
    fireUpdated(fire: FireView, previousState: string): void {
      legsAnswered(fire);
      legsClosed(fire);
      if (fire.state === previousState) return;
      if (fire.state === "closed") {
        // The fill report comes before the close, even when the close beat the wait.
        reportFills(fire);
        awaitingXp.set(fire.user_id, fire);
        // The bridge emits stats.updated in the same synchronous batch; if it does not, use core's rule.
        queueMicrotask(() => {
          if (awaitingXp.get(fire.user_id) !== fire) return;
          awaitingXp.delete(fire.user_id);
          sendClosed(fire, xpForClose(fire.profit ?? 0));
        });
      }
    },
    statsUpdated(userId: number, xpGained: number): void {
      const fire = awaitingXp.get(userId);
      if (!fire) return;
      awaitingXp.delete(userId);
      sendClosed(fire, xpGained);
    },
  };
}

export type Dms = ReturnType<typeof createDms>;
