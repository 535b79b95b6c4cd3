import { isWin, type SignalRisk, signalResult } from "./result.ts";

/**
 * One leg of one fire of a signal, flat (a `fires LEFT JOIN bridge_commands` row): the fire's own
 * fields repeat on each of its legs; a fire without legs has `legState` null.
 */
export interface ReportLeg {
  fireId: string;
  fireState: string;
  /** When the trader fired (epoch ms). */
  fireCreatedMs: number;
  /** The fire's average slippage against the signal's entry, in pips (positive = worse). */
  slippagePips: number | null;
  legState: string | null;
  /** Lots filled (or ordered when the terminal did not say). */
  volume: number | null;
  fill: number | null;
  close: number | null;
  /** When the terminal's result (fill) arrived (epoch ms). */
  resultMs: number | null;
  closedMs: number | null;
  profit: number | null;
}

/** What a signal's result reply says: R, counts, slippage and latency. */
export interface SignalReport {
  outcome: "win" | "loss" | "breakeven" | "void";
  /** Volume-weighted R over the closed positions (contract "Track record"); null without any. */
  r: number | null;
  /** Fires (traders who tapped FIRE). */
  fired: number;
  /** Fires with at least one leg filled. */
  filled: number;
  /** Fires refused by the broker or the EA (rejected or failed) without any fill. */
  rejected: number;
  /** Fires still queued, delivered or with a position open: the signal is not settled yet. */
  open: number;
  /** Mean over filled fires of their slippage in pips; null without any. */
  avgSlippagePips: number | null;
  /** Mean over filled fires of fire → first fill (ms); null without any. */
  avgFillLatencyMs: number | null;
  /** Realised profit of every closed position (account currencies summed). */
  profit: number;
  /** Close time of the last closed position (epoch ms); null without any. */
  closedMs: number | null;
}

const OPEN_FIRE_STATES = new Set(["queued", "delivered", "filled"]);
const FILLED_LEG_STATES = new Set(["filled", "closed"]);

/**
 * A signal's report from its fires' legs. The R is `signalResult` over the filled legs (so it is
 * exactly the track record's number); a fire counts once in each count whatever its legs.
 */
export function signalReport(signal: SignalRisk, legs: readonly ReportLeg[]): SignalReport {
  const fires = new Map<string, { state: string; createdMs: number; slippage: number | null; firstFillMs: number }>();
  const positions: Array<{ volume: number; fill: number; close: number | null }> = [];
  let profit = 0;
  let closedMs: number | null = null;
  for (const leg of legs) {
    let fire = fires.get(leg.fireId);
    if (!fire) {
      fire = {
        state: leg.fireState,
        createdMs: leg.fireCreatedMs,
        slippage: leg.slippagePips,
        firstFillMs: Number.POSITIVE_INFINITY,
      };
      fires.set(leg.fireId, fire);
    }
    if (leg.legState === null || !FILLED_LEG_STATES.has(leg.legState) || leg.fill === null) continue;
    if (leg.resultMs !== null && leg.resultMs < fire.firstFillMs) fire.firstFillMs = leg.resultMs;
    const closed = leg.legState === "closed" && leg.close !== null;
    positions.push({ volume: leg.volume ?? 0, fill: leg.fill, close: closed ? leg.close : null });
    if (closed) {
      profit += leg.profit ?? 0;
      if (leg.closedMs !== null && (closedMs === null || leg.closedMs > closedMs)) closedMs = leg.closedMs;
    }
  }

  let filled = 0;
  let rejected = 0;
  let open = 0;
  let slippageSum = 0;
  let slippageCount = 0;
  let latencySum = 0;
  let latencyCount = 0;
  for (const fire of fires.values()) {
    if (OPEN_FIRE_STATES.has(fire.state)) open++;
    if (fire.state === "rejected" || fire.state === "failed") rejected++;
    if (fire.state !== "filled" && fire.state !== "closed") continue;
    filled++;
    if (fire.slippage !== null && Number.isFinite(fire.slippage)) {
      slippageSum += fire.slippage;
      slippageCount++;
    }
    if (Number.isFinite(fire.firstFillMs)) {
      latencySum += Math.max(0, fire.firstFillMs - fire.createdMs);
      latencyCount++;
    }
  }

  const { r } = signalResult(signal, positions);
  return {
    outcome: r === null ? "void" : isWin(r) ? "win" : isWin(-r) ? "loss" : "breakeven",
    r,
    fired: fires.size,
    filled,
    rejected,
    open,
    avgSlippagePips: slippageCount > 0 ? slippageSum / slippageCount : null,
    avgFillLatencyMs: latencyCount > 0 ? latencySum / latencyCount : null,
    profit,
    closedMs,
  };
}

/**
 * A signal is settled — its result final, replied under its alerts — once no one can fire it any
 * more (expired or cancelled) and none of its fires is still pending or holds an open position.
 */
export function isSettled(status: "active" | "expired" | "cancelled" | string, report: SignalReport): boolean {
  return (status === "expired" || status === "cancelled") && report.open === 0;
}
