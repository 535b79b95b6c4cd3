import type { FireState, LegState } from "./types.ts";

const PENDING: ReadonlySet<LegState> = new Set(["queued", "delivered"]);

/**
 * A fire's state from its legs' states: still pending while a leg is queued/delivered (shown as
 * "filled" as soon as one leg filled); then filled if any leg filled and one is still open,
 * closed when every filled leg closed; otherwise the failure that happened (rejected before
 * failed before expired).
 */
export function combineLegStates(legs: readonly LegState[]): FireState {
  if (legs.length === 0) return "queued";
  const filledOpen = legs.some((s) => s === "filled");
  const closed = legs.some((s) => s === "closed");
  if (legs.some((s) => PENDING.has(s))) {
    if (filledOpen || closed) return "filled";
    return legs.some((s) => s !== "queued") ? "delivered" : "queued";
  }
  if (filledOpen) return "filled";
  if (closed) return "closed";
  if (legs.includes("rejected")) return "rejected";
  if (legs.includes("failed")) return "failed";
  return "expired";
}

/** True for states a leg never leaves except filled → closed. */
export function isFinalLegState(state: LegState): boolean {
  return !PENDING.has(state);
}
