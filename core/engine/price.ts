import type { InstrumentSpec } from "../types.ts";

/** How a price snaps to the tick grid: stops go away from entry (floor for a BUY), targets nearest. */
export type TickRounding = "floor" | "ceil" | "nearest";

/**
 * `price` on the instrument's tick grid, printed with its `digits` (so 1.08312 stays 1.08312, not
 * 1.0831200000000001). The 1e-9 absorbs binary noise so a price already on the grid never moves.
 */
export function toTick(price: number, spec: Pick<InstrumentSpec, "tickSize" | "digits">, mode: TickRounding): number {
  const steps = price / spec.tickSize;
  const whole =
    mode === "floor" ? Math.floor(steps + 1e-9) : mode === "ceil" ? Math.ceil(steps - 1e-9) : Math.round(steps);
  return Number((whole * spec.tickSize).toFixed(spec.digits));
}

/** True when `price` lies on the tick grid (to 1e-6 of a tick). */
export function onTickGrid(price: number, spec: Pick<InstrumentSpec, "tickSize">): boolean {
  const steps = price / spec.tickSize;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** Price distance in pips, for notes people read ("swept by 1.2 pips"). */
export function pips(distance: number, spec: Pick<InstrumentSpec, "pipSize">): number {
  return Math.round((Math.abs(distance) / spec.pipSize) * 10) / 10;
}
