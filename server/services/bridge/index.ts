import type { BridgeService, TerminalCommand } from "../../../bridge/protocol.ts";
import { commandPayload } from "../../../db/queries/commands.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import type { Config } from "../../config/index.ts";
import type { HandedCommand, Hub } from "../../events/hub.ts";
import type { MemoryRegistry } from "../../memory.ts";
import { type Emit, fireChanged, flush } from "./changes.ts";
import { createLiveness } from "./liveness.ts";
import { takePositionCommands } from "./positions.ts";
import { createReports } from "./reports.ts";
import { sweepCommands } from "./sweep.ts";

/** A delivered command without a result is sent again after this long (CONTRACT.md). */
export const VISIBILITY_TIMEOUT_MS = 10_000;

/** Sortie's side of protocol v1, shared by the HTTP routes and the file-drop transport. */
export function createBridgeService(deps: {
  store: Store;
  hub: Hub;
  clock: Clock;
  config: Config;
  memory: MemoryRegistry;
  /** The trader a terminal's bridge row trades for (several terminals per trader): stats and XP go there. */
  traderOf?: (bridgeUserId: number) => Promise<number>;
  /** Called after a leg-1 position closed in profit (the signal's automatic breakeven, if it has one). */
  onTp1Closed?: (signalId: string) => Promise<void>;
}): BridgeService & {
  waitForHandedCommands(userId: number, waitMs: number, signal?: AbortSignal): Promise<TerminalCommand[]>;
  sweep(): Promise<void>;
  isOnline(userId: number): Promise<boolean>;
} {
  const { store, hub, clock, config, memory } = deps;
  const liveness = createLiveness({ store, hub, clock, config, memory });
  /**
   * Waiting long-polls by user: an entry lives only while one of its polls waits. A waiter is
   * called with the commands a committed fire hands over (see `commands.ready`), or with none.
   */
  const waiters = new Map<number, Set<(handed?: HandedCommand[]) => void>>();
  memory.track("pollWaiters", waiters, Number.POSITIVE_INFINITY);
  const trader = async (bridgeUserId: number) => (deps.traderOf ? deps.traderOf(bridgeUserId) : bridgeUserId);
  const reports = createReports({ store, hub, clock, trader, onTp1Closed: deps.onTp1Closed });

  hub.on("commands.ready", ({ user_id, commands }) => {
    const set = waiters.get(user_id);
    if (!set) return;
    waiters.delete(user_id);
    // The first waiter is handed the commands; the others wake and read what is due, as does a
    // waiter that does not take handed commands (the file-drop transport).
    let handed = commands;
    for (const wake of set) {
      wake(handed);
      handed = undefined;
    }
  });

  /** The fires' own bookkeeping after their first delivery (state "delivered", audit event, live update). */
  function afterFirstDelivery(userId: number, fireIds: Set<string>, nowMs: number): void {
    if (fireIds.size === 0) return;
    // It waits until the terminal's answer is on its way: it is not part of delivering, and a
    // crash in between only leaves the fire "queued" until its result re-derives it from the legs.
    setImmediate(async () => {
      if (store.closed) return; // shut down in between: the result will re-derive the fire
      const events: Emit = [];
      try {
        await store.transaction(async () => {
          for (const fireId of fireIds) {
            await fireChanged(store, fireId, nowMs, "delivered", events);
            await store.fires.appendEvent({
              type: "fire.delivered",
              actor: "bridge",
              user_id: userId,
              fire_id: fireId,
            });
          }
        });
      } catch {
        return; // the database went away meanwhile: the result re-derives the fire
      }
      flush(hub, events);
    });
  }

  function wait(userId: number, waitMs: number, signal?: AbortSignal): Promise<HandedCommand[] | undefined> {
    return new Promise((resolve) => {
      let set = waiters.get(userId);
      if (!set) {
        set = new Set();
        waiters.set(userId, set);
      }
      const done = (handed?: HandedCommand[]) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", aborted);
        set?.delete(done);
        if (set?.size === 0 && waiters.get(userId) === set) waiters.delete(userId);
        resolve(handed);
      };
      const aborted = () => done();
      const timer = setTimeout(done, waitMs);
      signal?.addEventListener("abort", aborted, { once: true });
      set.add(done);
    });
  }

  return {
    heartbeat: liveness.heartbeat,
    touch: liveness.touch,

    async takeCommands(userId: number): Promise<TerminalCommand[]> {
      const nowMs = clock.now();
      const rows = await store.commands.takeDue(userId, nowMs, VISIBILITY_TIMEOUT_MS);
      afterFirstDelivery(userId, new Set(rows.filter((r) => r.deliveries === 0).map((r) => r.fire_id)), nowMs);
      const opens: TerminalCommand[] = rows.map(commandPayload);
      return opens.concat(await takePositionCommands(store, hub, userId, nowMs, VISIBILITY_TIMEOUT_MS));
    },

    async waitForCommands(userId: number, waitMs: number, signal?: AbortSignal): Promise<void> {
      await wait(userId, waitMs, signal);
    },

    /**
     * Waits like `waitForCommands`, and answers with the commands a committed fire handed over,
     * marked delivered (only those still queued: exactly once beside any other poll); [] otherwise.
     * A poll gone meanwhile takes none, so they stay queued for its next poll.
     */
    async waitForHandedCommands(userId: number, waitMs: number, signal?: AbortSignal): Promise<TerminalCommand[]> {
      const handed = await wait(userId, waitMs, signal);
      if (!handed || handed.length === 0 || signal?.aborted) return [];
      const nowMs = clock.now();
      const claimed = new Set(
        await store.commands.claimQueued(
          handed.map((c) => c.id),
          nowMs,
        ),
      );
      const delivered = handed.filter((c) => claimed.has(c.id));
      afterFirstDelivery(userId, new Set(delivered.map((c) => c.fire_id)), nowMs);
      return delivered.map(commandPayload);
    },

    submitResult: reports.submitResult,
    submitClosed: reports.submitClosed,

    /** Expires commands that can no longer execute (see sweep.ts). */
    sweep(): Promise<void> {
      return sweepCommands(store, hub, clock.now());
    },
    isOnline: liveness.isOnline,
  };
}
