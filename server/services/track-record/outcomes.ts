import {
  type PerformanceBody,
  type RBucket,
  type SignalOutcome,
  signalOutcomes,
  type TrackPosition,
} from "../../../core/track-record/index.ts";
import type { TrackSignalRow } from "../../../db/queries/track-record/index.ts";

const DAY_MS = 24 * 3600 * 1000;

/** A signal's outcome with when it was given (the `days` window is over the signals' creation). */
export interface DatedOutcome {
  createdMs: number;
  outcome: SignalOutcome;
}

/** `GET /api/users/:id/performance` body: the contract's shape plus the histogram of R. */
export type PerformanceView = PerformanceBody & { user_id: number; currency: string | null; r_histogram: RBucket[] };

export function outcomesOf(signals: TrackSignalRow[], positions: Iterable<TrackPosition>): Map<string, DatedOutcome> {
  const outcomes = signalOutcomes(signals, positions);
  const map = new Map<string, DatedOutcome>();
  outcomes.forEach((outcome, i) => {
    map.set(outcome.id, { createdMs: signals[i]!.createdMs, outcome });
  });
  return map;
}

export const within = (outcomes: Iterable<DatedOutcome>, cutoffMs: number) => {
  const out: SignalOutcome[] = [];
  for (const o of outcomes) if (o.createdMs >= cutoffMs) out.push(o.outcome);
  return out;
};

/** The start of the `days` window before `nowMs` (null: all time). */
export const cutoff = (days: number | null, nowMs: number) =>
  days === null ? Number.NEGATIVE_INFINITY : nowMs - days * DAY_MS;
