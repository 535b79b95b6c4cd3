import { signalStatus } from "../../../core/signal.ts";
import { isSettled, signalReport } from "../../../core/track-record/index.ts";
import type { SignalResultRow } from "../../../db/queries/track-record/index.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import type { Hub } from "../../events/hub.ts";

/** Fire states after which a fire never changes again except by a late fill (rare; see recompute). */
const FINAL_FIRE_STATES = new Set(["closed", "rejected", "failed", "expired"]);
/** On start, results of signals that ended longer ago than this are stored without a reply. */
const ANNOUNCE_WINDOW_MS = 2 * 24 * 3600 * 1000;

/**
 * Settles signals: once a signal can no longer be fired (expired or cancelled) and none of its
 * fires is pending or open, its result (R, counts, slippage, latency; core/track-record) is
 * stored once in `signal_results` and `signal.result` is emitted (the bot replies under the alert).
 * Driven by the hub: a fire reaching a final state, a signal expiring or being cancelled.
 * `catchUp()` settles what ended while the server was down.
 */
export function createResultService(deps: {
  store: Store;
  hub: Hub;
  clock: Clock;
  log?: (msg: string, err?: unknown) => void;
}) {
  const { store, hub, clock } = deps;
  const log = deps.log ?? (() => undefined);

  async function settle(signalId: string, announceIt = true): Promise<SignalResultRow | null> {
    let announce = announceIt;
    if (await store.trackRecord.findResult(signalId)) return null;
    const signal = await store.signals.findSignal(signalId);
    if (!signal) return null;
    const nowMs = clock.now();
    const report = signalReport(
      { side: signal.side, entry: signal.entry, stopLoss: signal.stop_loss },
      await store.trackRecord.listSignalLegs(signalId),
    );
    if (!isSettled(signalStatus(signal, nowMs), report)) return null;
    // A signal cancelled before anyone's order filled has nothing to report: its alert already
    // says CANCELLED. Its (void) result is stored for the record and the CSV, without a reply.
    if (signal.status === "cancelled" && report.outcome === "void") announce = false;
    const row: SignalResultRow = {
      signal_id: signalId,
      outcome: report.outcome,
      r: report.r,
      fired: report.fired,
      filled: report.filled,
      rejected: report.rejected,
      avg_slippage_pips: report.avgSlippagePips,
      avg_fill_latency_ms: report.avgFillLatencyMs,
      profit: report.profit,
      closed_ms: report.closedMs,
      settled_at: new Date(nowMs).toISOString(),
      settled_ms: nowMs,
      announced: announce ? 0 : 1,
    };
    // ON CONFLICT DO NOTHING: of two instances (or two events) settling it at once, one stores it.
    if (!(await store.trackRecord.insertResult(row))) return null;
    if (announce) hub.emit("signal.result", { signal, result: row });
    return row;
  }

  /**
   * Settles in the background (a hub listener cannot wait). Events relayed from another instance
   * (server/cluster) are settled there, by the instance that made the change.
   */
  const settleLater = (signalId: string) => {
    if (hub.relaying) return;
    settle(signalId).catch((err) => log(`settling the result of ${signalId} failed`, err));
  };
  hub.on("fire.updated", ({ fire }) => {
    if (FINAL_FIRE_STATES.has(fire.state)) settleLater(fire.signal_id);
  });
  hub.on("signal.expired", ({ signal }) => settleLater(signal.id));
  hub.on("signal.cancelled", ({ signal }) => settleLater(signal.id));

  return {
    /** Stores the signal's result if it is settled now (idempotent); the stored row, else null. */
    settle,
    /**
     * Settles signals that ended while nothing was listening (a restart, or the upgrade that added
     * results: old signals are settled silently, only recent ones get their reply).
     */
    async catchUp(limit = 10_000): Promise<number> {
      const nowMs = clock.now();
      let settled = 0;
      for (const id of await store.trackRecord.listDueToSettle(nowMs, limit)) {
        const signal = await store.signals.findSignal(id);
        const endedMs = signal ? Date.parse(signal.cancelled_at ?? signal.expires_at) : 0;
        if (await settle(id, nowMs - endedMs <= ANNOUNCE_WINDOW_MS)) settled++;
      }
      return settled;
    },
  };
}

export type ResultService = ReturnType<typeof createResultService>;
