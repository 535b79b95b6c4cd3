import type { InstrumentSpec, Side } from "../types.ts";
import { toTick } from "./price.ts";

/**
 * Entry, stop and targets on the tick grid: the stop is rounded AWAY from entry (a BUY's down, a
 * SELL's up: never tighter than the strategy asked), the entry and each target (at `targetsR` ×
 * the rounded risk) to the nearest tick. Null when the rounded risk is zero (a flat market).
 */
export function bracket(
  side: Side,
  entry: number,
  rawStop: number,
  targetsR: readonly number[],
  spec: InstrumentSpec,
): { entry: number; stopLoss: number; takeProfits: number[] } | null {
  const buy = side === "BUY";
  // In whole ticks (STYLE.md: integer steps), so 1.5 R of 445 ticks is exactly 667.5 → 668.
  const entryTicks = Math.round(entry / spec.tickSize);
  const stopTicks = Math.round(toTick(rawStop, spec, buy ? "floor" : "ceil") / spec.tickSize);
  const riskTicks = Math.abs(entryTicks - stopTicks);
  if (riskTicks === 0 || (buy ? stopTicks > entryTicks : stopTicks < entryTicks)) return null;
  const price = (ticks: number) => Number((ticks * spec.tickSize).toFixed(spec.digits));
  const direction = buy ? 1 : -1;
  const entryOnGrid = price(entryTicks);
  const stopLoss = price(stopTicks);
  const takeProfits = targetsR.map((r) => price(entryTicks + direction * Math.round(r * riskTicks)));
  return { entry: entryOnGrid, stopLoss, takeProfits };
}

/** Points earned by one quality reason, and the sentence that explains it. */
export interface QualityPoint {
  points: number;
  note: string;
}

/**
 * The quality score (0–10, one decimal) as the sum of its reasons, each note ending with the
 * points it earned, and the confidence (0–100) mapped linearly from it: 35 + 6 × quality, so a
 * bare setup (0) reads 35 and a perfect one (10) 95. The mapping is a placeholder until the track
 * record can calibrate it (issue 17): it says so in the docs rather than pretend.
 */
export function scoreQuality(points: readonly QualityPoint[]): {
  quality: number;
  confidence: number;
  notes: string[];
} {
  const raw = points.reduce((sum, p) => sum + p.points, 0);
  const quality = Math.round(Math.min(10, Math.max(0, raw)) * 10) / 10;
  return {
    quality,
    confidence: Math.round(35 + 6 * quality),
    notes: points.map((p) => `${p.note} (+${p.points.toFixed(1)})`),
  };
}

/** `x` limited to [0, 1]. */
export const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
