import type { SignalOutcome } from "./outcomes.ts";

/** One bar of the R-multiple histogram: closed signals with `from` ≤ R < `to`. */
export interface RBucket {
  from: number;
  to: number;
  count: number;
}

/**
 * Closed signals' R in buckets of `width` R (default 0.5), from the lowest to the highest bucket
 * holding a result, empty buckets in between included (a histogram with gaps reads wrong). Results
 * beyond ±`clampR` (default 10) fall in the edge bucket so one outlier cannot make 100 bars.
 */
export function rHistogram(outcomes: readonly SignalOutcome[], width = 0.5, clampR = 10): RBucket[] {
  const counts = new Map<number, number>();
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const o of outcomes) {
    if (!o.closed || o.r === null) continue;
    const r = Math.min(clampR - 1e-9, Math.max(-clampR, o.r));
    // Rounded first so 1.5 (from 1.4999999999) lands in [1.5, 2), not [1, 1.5).
    const index = Math.floor(Math.round((r / width) * 1e9) / 1e9);
    counts.set(index, (counts.get(index) ?? 0) + 1);
    if (index < low) low = index;
    if (index > high) high = index;
  }
  const buckets: RBucket[] = [];
  for (let i = low; i <= high; i++) buckets.push({ from: i * width, to: (i + 1) * width, count: counts.get(i) ?? 0 });
  return buckets;
}
