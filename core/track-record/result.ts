import type { Side } from "../types.ts";

/**
 * Results in R of one signal, pure. The contract's definition ("Track record"): a signal's result
 * in R is the volume-weighted mean, over its closed positions, of (close − fill) / |entry −
 * stop_loss|, signed by side (BUY +1, SELL −1). `entry` and `stop_loss` are the SIGNAL's, not the
 * trader's fill, so slippage shows in the result (a BUY filled 1 pip worse loses more than 1 R).
 *
 * Edge cases (decided here once, so every adapter agrees):
 * - **Partial legs**: each leg of a fire (one per take-profit) and each partial close is one
 *   position with its own volume and close price; all of them weigh by volume.
 * - **Open positions**: a position whose `close` is null is not in the mean. A signal is *closed*
 *   only when it has at least one closed position and no open one (`closed` below).
 * - **No closed positions** (never fired, all rejected, expired unfired): `r` is null — the signal
 *   counts in `signals` but not in `closed`, win rate, average or total R.
 * - **Zero or non-finite risk** (entry = stop_loss) or volumes summing to 0: `r` is null.
 * - **Rounding**: none here; R is rounded to 2 decimals only at presentation (`presentTrackRecord`).
 */

/** The parts of a signal the R maths needs. */
export interface SignalRisk {
  side: Side;
  entry: number;
  stopLoss: number;
}

/** One position (a leg, or one partial close of it) as stored: fill, and close once closed. */
export interface PositionOutcome {
  volume: number;
  fill: number;
  /** Null while the position is still open. */
  close: number | null;
}

/** +1 for BUY, −1 for SELL: the sign that makes a favourable move positive. */
export function sideSign(side: Side): 1 | -1 {
  return side === "BUY" ? 1 : -1;
}

/** Stop distance in price units, or null when it cannot define R (0, negative or not finite). */
export function riskDistance(signal: SignalRisk): number | null {
  const distance = Math.abs(signal.entry - signal.stopLoss);
  return Number.isFinite(distance) && distance > 0 ? distance : null;
}

/** R of one closed position: sign × (close − fill) / |entry − stop_loss|. Null if R is undefined. */
export function positionR(signal: SignalRisk, fill: number, close: number): number | null {
  const distance = riskDistance(signal);
  if (distance === null) return null;
  return (sideSign(signal.side) * (close - fill)) / distance;
}

/** A signal's result: `r` over its closed positions, and whether it is closed (nothing still open). */
export interface SignalResult {
  r: number | null;
  closed: boolean;
  closedVolume: number;
  openPositions: number;
}

/**
 * The signal's result in R over `positions` (see the file's notes for every edge case).
 * Positions with a volume ≤ 0 or a non-finite price are ignored.
 */
export function signalResult(signal: SignalRisk, positions: readonly PositionOutcome[]): SignalResult {
  const distance = riskDistance(signal);
  const sign = sideSign(signal.side);
  let weighted = 0;
  let closedVolume = 0;
  let openPositions = 0;
  for (const p of positions) {
    if (!(p.volume > 0) || !Number.isFinite(p.fill)) continue;
    if (p.close === null) {
      openPositions++;
      continue;
    }
    if (!Number.isFinite(p.close)) continue;
    weighted += p.volume * sign * (p.close - p.fill);
    closedVolume += p.volume;
  }
  const r = distance !== null && closedVolume > 0 ? weighted / closedVolume / distance : null;
  return { r, closed: r !== null && openPositions === 0, closedVolume, openPositions };
}

/** |r| below this is breakeven (floating noise of mixed legs), and breakeven is not a win. */
export const BREAKEVEN_EPSILON_R = 1e-9;

/** True for a winning result: strictly above breakeven. 0 R (breakeven) is not a win. */
export function isWin(r: number): boolean {
  return r > BREAKEVEN_EPSILON_R;
}
