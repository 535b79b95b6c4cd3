import { signalOutcomes, type TrackPosition, type TrackSignal } from "./outcomes.ts";
import { summarizeTrackRecord, type TrackRecord } from "./summary.ts";

/**
 * The track record of `signals` from their flat positions: `signalOutcomes` (one pass over the
 * positions) then `summarizeTrackRecord`. For a cached record, keep the outcomes of closed signals
 * and call `summarizeTrackRecord` directly.
 */
export function aggregateTrackRecord(signals: readonly TrackSignal[], positions: Iterable<TrackPosition>): TrackRecord {
  return summarizeTrackRecord(signalOutcomes(signals, positions));
}
