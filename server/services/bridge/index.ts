import type { BridgeService, TerminalCommand } from "../../../bridge/protocol.ts";
import { commandPayload } from "../../../db/queries/commands.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import type { Config } from "../../config/index.ts";
import type { Hub } from "../../events/hub.ts";
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
  sweep(): Promise<void>;
  isOnline(userId: number): Promise<boolean>;
} {
  const { store, hub, clock, config, memory } = deps;
  const liveness = createLiveness({ store, hub, clock, config, memory });
  /** Waiting long-polls by user: an entry lives only while one of its polls waits. */
  const waiters = new Map<number, Set<() => void>>();
  memory.track("pollWaiters", waiters, Number.POSITIVE_INFINITY);
  const trader = async (bridgeUserId: number) => (deps.traderOf ? deps.traderOf(bridgeUserId) : bridgeUserId);
  const reports = createReports({ store, hub, clock, trader, onTp1Closed: deps.onTp1Closed });

  hub.on("commands.ready", ({ user_id }) => {
    const set = waiters.get(user_id);
    if (!set) return;
    waiters.delete(user_id);
    for (const wake of set) wake();
  });

  return {
    heartbeat: liveness.heartbeat,
    touch: liveness.touch,

    async takeCommands(userId: number): Promise<TerminalCommand[]> {
      const nowMs = clock.now();
      const rows = await store.commands.takeDue(userId, nowMs, VISIBILITY_TIMEOUT_MS);
      const firstDelivered = new Set(rows.filter((r) => r.deliveries === 0).map((r) => r.fire_id));
      if (firstDelivered.size > 0) {
        // The fires' own bookkeeping (state "delivered", audit event, live update) waits until the
        // terminal's answer is on its way: it is not part of delivering, and a crash in between only
        // leaves the fire "queued" until its result re-derives it from the legs.
        setImmediate(async () => {
          if (store.closed) return; // shut down in between: the result will re-derive the fire
          const events: Emit = [];
          try {
            await store.transaction(async () => {
              for (const fireId of firstDelivered) {
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
      const opens: TerminalCommand[] = rows.map(commandPayload);
      return opens.concat(await takePositionCommands(store, hub, userId, nowMs, VISIBILITY_TIMEOUT_MS));
    },

    waitForCommands(userId: number, waitMs: number, signal?: AbortSignal): Promise<void> {
      return new Promise((resolve) => {
        let set = waiters.get(userId);
        if (!set) {
          set = new Set();
          waiters.set(userId, set);
        }
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          set?.delete(done);
          if (set?.size === 0 && waiters.get(userId) === set) waiters.delete(userId);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        signal?.addEventListener("abort", done, { once: true });
        set.add(done);
      });
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
