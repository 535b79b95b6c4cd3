import { utcDayStartMs } from "../../../core/tiers.ts";
import type { FireView } from "../../../db/rows.ts";
import type { Store } from "../../../db/store.ts";
import type { Hub, HubEvents } from "../../events/hub.ts";
import { statsFor } from "../stats.ts";
import { recomputeFire } from "./recompute.ts";

/** Hub events collected inside a transaction and emitted after it commits. */
export type Emit = Array<[keyof HubEvents, HubEvents[keyof HubEvents]]>;

/** Emits what a committed transaction collected. */
export function flush(hub: Hub, events: Emit): void {
  for (const [name, payload] of events) hub.emit(name, payload as never);
}

/** Re-derives a fire from its legs and queues a `fire.updated` event when something changed. */
export async function fireChanged(
  store: Store,
  fireId: string,
  nowMs: number,
  kind: HubEvents["fire.updated"]["kind"],
  events: Emit,
): Promise<FireView> {
  const { before, after } = await recomputeFire(store, fireId, nowMs);
  if (before.state !== after.state || kind !== "delivered") {
    events.push(["fire.updated", { fire: after, previousState: before.state, kind }]);
  }
  return after;
}

/** Queues a `stats.updated` event with the user's fresh stats. */
export async function statsEvent(
  store: Store,
  userId: number,
  nowMs: number,
  xpGained: number,
  events: Emit,
): Promise<void> {
  const stats = await statsFor(store, userId, nowMs, utcDayStartMs(nowMs));
  if (stats) events.push(["stats.updated", { user_id: userId, stats, xpGained }]);
}
