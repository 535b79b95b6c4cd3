import type { Side } from "../types.ts";
import { riskDistance, sideSign } from "./result.ts";

/** A signal as the track record needs it (one row of the signals table). */
export interface TrackSignal {
  id: string;
  symbol: string;
  side: Side;
  entry: number;
  stopLoss: number;
}

/**
 * One position (a fire's leg, or a partial close of it) as stored, flat, with its signal's id: the
 * shape a `SELECT … FROM bridge_commands JOIN fires` returns, so no grouping is needed upstream.
 */
export interface TrackPosition {
  signalId: string;
  volume: number;
  fill: number;
  /** Null while open. */
  close: number | null;
  /** When it closed (epoch ms); null while open. */
  closedMs: number | null;
  /** Realised profit in the account currency, when the terminal reported it. */
  profit?: number | null;
}

/**
 * One signal's outcome. A closed outcome never changes (its positions are all closed), so an
 * adapter may cache it per signal and only recompute signals with open positions: that is how a
 * 10,000-signal record answers in milliseconds (`summarizeTrackRecord` over cached outcomes).
 */
export interface SignalOutcome {
  id: string;
  symbol: string;
  /** At least one closed position and none open (see result.ts). */
  closed: boolean;
  /** R over the closed positions; null without any (or with zero risk). */
  r: number | null;
  /** Close time of its last closed position (epoch ms); null without any. */
  closedMs: number | null;
  /** Sum of the closed positions' profit, account currency. */
  profit: number;
}

interface Accumulator {
  signal: TrackSignal;
  sign: number;
  weighted: number;
  closedVolume: number;
  open: number;
  lastClosedMs: number;
  profit: number;
}

/**
 * Every signal's outcome from its positions in ONE pass over `positions` (a million rows, in any
 * order) and one over the signals. R follows `signalResult` exactly (result.ts has the edge
 * cases); positions of a signal not in `signals`, with volume ≤ 0 or non-finite prices are ignored.
 * The same function serves the channel (all positions) and one trader (that trader's positions
 * only: then R is the trader's own fills, and `profit` their money). Outcomes keep `signals`' order.
 */
export function signalOutcomes(signals: readonly TrackSignal[], positions: Iterable<TrackPosition>): SignalOutcome[] {
  const accumulators = new Map<string, Accumulator>();
  for (const signal of signals) {
    accumulators.set(signal.id, {
      signal,
      sign: sideSign(signal.side),
      weighted: 0,
      closedVolume: 0,
      open: 0,
      lastClosedMs: Number.NEGATIVE_INFINITY,
      profit: 0,
    });
  }
  for (const p of positions) {
    const acc = accumulators.get(p.signalId);
    if (acc === undefined || !(p.volume > 0) || !Number.isFinite(p.fill)) continue;
    if (p.close === null) {
      acc.open++;
      continue;
    }
    if (!Number.isFinite(p.close)) continue;
    acc.weighted += p.volume * acc.sign * (p.close - p.fill);
    acc.closedVolume += p.volume;
    if (p.closedMs !== null && p.closedMs > acc.lastClosedMs) acc.lastClosedMs = p.closedMs;
    if (typeof p.profit === "number" && Number.isFinite(p.profit)) acc.profit += p.profit;
  }

  const outcomes: SignalOutcome[] = [];
  for (const acc of accumulators.values()) {
    const distance = riskDistance(acc.signal);
    const r = distance !== null && acc.closedVolume > 0 ? acc.weighted / acc.closedVolume / distance : null;
    outcomes.push({
      id: acc.signal.id,
      symbol: acc.signal.symbol,
      closed: r !== null && acc.open === 0,
      r,
      closedMs: Number.isFinite(acc.lastClosedMs) ? acc.lastClosedMs : null,
      profit: acc.profit,
    });
  }
  return outcomes;
}
