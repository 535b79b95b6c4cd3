import { signalStatus } from "../../../core/signal.ts";
import { isSettled, signalReport } from "../../../core/track-record/index.ts";
import type { SignalResultRow } from "../../../db/queries/track-record.ts";
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
export function createResultService(deps: { store: Store; hub: Hub; clock: Clock }) {
  const { store, hub, clock } = deps;

  function settle(signalId: string, announceIt = true): SignalResultRow | null {
    let announce = announceIt;
    if (store.trackRecord.findResult(signalId)) return null;
    const signal = store.signals.findSignal(signalId);
    if (!signal) return null;
    const nowMs = clock.now();
    const report = signalReport(
      { side: signal.side, entry: signal.entry, stopLoss: signal.stop_loss },
      store.trackRecord.listSignalLegs(signalId),
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
    if (!store.trackRecord.insertResult(row)) return null;
    if (announce) hub.emit("signal.result", { signal, result: row });
    return row;
  }

  hub.on("fire.updated", ({ fire }) => {
    if (FINAL_FIRE_STATES.has(fire.state)) settle(fire.signal_id);
  });
  hub.on("signal.expired", ({ signal }) => settle(signal.id));
  hub.on("signal.cancelled", ({ signal }) => settle(signal.id));

  return {
    /** Stores the signal's result if it is settled now (idempotent); the stored row, else null. */
    settle,
    /**
     * Settles signals that ended while nothing was listening (a restart, or the upgrade that added
     * results: old signals are settled silently, only recent ones get their reply).
     */
    catchUp(limit = 10_000): number {
      const nowMs = clock.now();
      let settled = 0;
      for (const id of store.trackRecord.listDueToSettle(nowMs, limit)) {
        const signal = store.signals.findSignal(id);
        const endedMs = signal ? Date.parse(signal.cancelled_at ?? signal.expires_at) : 0;
        if (settle(id, nowMs - endedMs <= ANNOUNCE_WINDOW_MS)) settled++;
      }
      return settled;
    },
  };
}

export type ResultService = ReturnType<typeof createResultService>;
