import { signalOutcomes, type TrackPosition } from "../../../core/track-record/index.ts";
import type { Store } from "../../../db/store.ts";
import type { DatedOutcome } from "./outcomes.ts";

/**
 * Reads the channel's outcomes for the record service: `load` builds them all, `refresh` reads the
 * signals marked in `dirty` again (the service's own set: its hub listeners mark it).
 */
export function channelReader(store: Store, dirty: Set<string>) {
  /**
   * Settled signals from their stored results (no position read); the unsettled ones (the live
   * few) are read like dirty ones, signal by signal through the fires and legs indexes.
   */
  async function load(): Promise<Map<string, DatedOutcome>> {
    dirty.clear(); // what changes from here on is marked again and read by the refresh below
    const settled = new Map((await store.trackRecord.listSettled()).map((r) => [r.signal_id, r]));
    const map = new Map<string, DatedOutcome>();
    for (const s of await store.trackRecord.listSignals()) {
      const result = settled.get(s.id);
      if (!result) {
        dirty.add(s.id);
        continue;
      }
      const outcome = { id: s.id, symbol: s.symbol, closed: result.r !== null, r: result.r, profit: result.profit };
      map.set(s.id, { createdMs: s.createdMs, outcome: { ...outcome, closedMs: result.closed_ms } });
    }
    await refresh(map);
    return map;
  }

  /** Reads the dirty signals again; a signal marked while this runs stays dirty for the next call. */
  async function refresh(map: Map<string, DatedOutcome>): Promise<void> {
    const ids = [...dirty];
    dirty.clear();
    try {
      for (const id of ids) await refreshOne(map, id);
    } catch (err) {
      for (const id of ids) dirty.add(id); // read again next time
      throw err;
    }
  }

  async function refreshOne(map: Map<string, DatedOutcome>, id: string): Promise<void> {
    const signal = await store.signals.findSignal(id);
    if (!signal) {
      map.delete(id);
      return;
    }
    const positions: TrackPosition[] = [];
    for (const leg of await store.trackRecord.listSignalLegs(id)) {
      if (leg.fill === null || (leg.legState !== "filled" && leg.legState !== "closed")) continue;
      const closed = leg.legState === "closed" && leg.close !== null;
      positions.push({
        signalId: id,
        volume: leg.volume ?? 0,
        fill: leg.fill,
        close: closed ? leg.close : null,
        closedMs: closed ? leg.closedMs : null,
        profit: leg.profit,
      });
    }
    const row = { id, symbol: signal.symbol, side: signal.side, entry: signal.entry, stopLoss: signal.stop_loss };
    const createdMs = Date.parse(signal.created_at);
    map.set(id, { createdMs, outcome: signalOutcomes([row], positions)[0]! });
  }

  return { load, refresh };
}
