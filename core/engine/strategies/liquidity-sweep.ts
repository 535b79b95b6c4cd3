import type { Side } from "../../types.ts";
import type { CandleWindow } from "../candles.ts";
import { averageTrueRange } from "../indicators.ts";
import { bracket, clamp01, type QualityPoint, scoreQuality } from "../levels.ts";
import { pips } from "../price.ts";
import { isLiquidSession, sessionAt } from "../session.ts";
import type { SignalDraft, Strategy, StrategyInput } from "../strategy.ts";

/** Parameters of the liquidity-sweep reversal (docs/engine.md explains each). */
export interface LiquiditySweepParams {
  timeframe: number;
  /** Candles searched back for the swing high/low that gets swept. */
  lookback: number;
  /** A swing low is lower than this many candles on each side (a swing high, higher). */
  swingStrength: number;
  /** Rejection wick (beyond the body, on the swept side) as a share of the candle's range, at least. */
  minWickRatio: number;
  /** A sweep deeper than this many ATRs is a breakout, not a sweep. */
  maxSweepAtr: number;
  atrPeriod: number;
  /** Stop beyond the sweep candle's extreme, in ticks. */
  stopBufferTicks: number;
  /** Targets in multiples of the risk. */
  targetsR: number[];
}

export const LIQUIDITY_SWEEP_DEFAULTS: LiquiditySweepParams = {
  timeframe: 5,
  lookback: 30,
  swingStrength: 3,
  minWickRatio: 0.5,
  maxSweepAtr: 1,
  atrPeriod: 14,
  stopBufferTicks: 20,
  targetsR: [1.5, 3],
};

interface Sweep {
  side: Side;
  level: number;
  levelIndex: number;
  depth: number;
  wickRatio: number;
}

/**
 * The oldest untaken swing low (BUY) or high (SELL) that the last candle swept: traded beyond it,
 * then closed back inside. "Untaken": no candle between the swing and the last one went past it,
 * so the stops resting beyond it were still there. Walking back, untaken lows only get lower, so
 * the oldest one swept is the deepest pool of liquidity taken.
 */
function findSweep(w: CandleWindow, side: Side, p: LiquiditySweepParams): Sweep | null {
  const last = w.length - 1;
  const buy = side === "BUY";
  const extreme = (i: number) => (buy ? w.low(i) : w.high(i));
  const beyond = (a: number, b: number) => (buy ? a < b : a > b); // a further out than b
  const sweepExtreme = extreme(last);
  const close = w.close(last);
  let innermost = Number.NaN; // the most extreme price of candles between a swing and the last one
  let found: Sweep | null = null;
  const first = Math.max(p.swingStrength, last - p.lookback);
  for (let j = last - 1; j >= first; j--) {
    const level = extreme(j);
    const isSwing = j <= last - 1 - p.swingStrength && isSwingAt(j, p.swingStrength, extreme, beyond);
    const untaken = Number.isNaN(innermost) || beyond(level, innermost);
    if (isSwing && untaken && beyond(sweepExtreme, level) && beyond(level, close)) {
      found = { side, level, levelIndex: j, depth: Math.abs(level - sweepExtreme), wickRatio: 0 };
    }
    if (Number.isNaN(innermost) || beyond(level, innermost)) innermost = level;
  }
  if (!found) return null;
  const range = w.high(last) - w.low(last);
  const bodyEdge = buy ? Math.min(w.open(last), close) : Math.max(w.open(last), close);
  found.wickRatio = range > 0 ? Math.abs(bodyEdge - sweepExtreme) / range : 0;
  return found;
}

function isSwingAt(
  j: number,
  strength: number,
  extreme: (i: number) => number,
  beyond: (a: number, b: number) => boolean,
): boolean {
  for (let k = j - strength; k <= j + strength; k++) if (k !== j && !beyond(extreme(j), extreme(k))) return false;
  return true;
}

function draftFor(sweep: Sweep, input: StrategyInput, p: LiquiditySweepParams, atr: number): SignalDraft | null {
  const { candles: w, spec, nowMs } = input;
  const last = w.length - 1;
  const buy = sweep.side === "BUY";
  const buffer = p.stopBufferTicks * spec.tickSize;
  const prices = bracket(
    sweep.side,
    w.close(last),
    buy ? w.low(last) - buffer : w.high(last) + buffer,
    p.targetsR,
    spec,
  );
  if (!prices) return null;
  const session = sessionAt(nowMs);
  const sweepAtr = sweep.depth / atr;
  const age = last - sweep.levelIndex;
  const range = w.high(last) - w.low(last);
  const closeStrength = range > 0 ? (buy ? w.close(last) - w.low(last) : w.high(last) - w.close(last)) / range : 0;
  const word = buy ? "low" : "high";
  const time = new Date(w.time(sweep.levelIndex)).toISOString().slice(11, 16);
  const points: QualityPoint[] = [
    {
      points: 3 * clamp01((sweep.wickRatio - p.minWickRatio) / 0.4),
      note: `Long ${buy ? "lower" : "upper"} wick: ${Math.round(sweep.wickRatio * 100)} % of the candle rejected the sweep`,
    },
    {
      points: sweepAtr >= 0.1 && sweepAtr <= 0.5 ? 2 : 1,
      note: `Swept the ${sweep.level} ${word} (${time} UTC) by ${pips(sweep.depth, spec)} pips (${sweepAtr.toFixed(2)} ATR) and closed back ${buy ? "above" : "below"} it${sweepAtr >= 0.1 && sweepAtr <= 0.5 ? "" : "; a clean sweep is 0.1–0.5 ATR"}`,
    },
    {
      points: age >= 10 ? 2 : age >= 5 ? 1 : 0,
      note: `The ${word} held for ${age} candles, so stops had piled up ${buy ? "below" : "above"} it`,
    },
    {
      points: closeStrength >= 0.75 ? 2 : closeStrength >= 0.6 ? 1 : 0,
      note: `Closed in the ${buy ? "top" : "bottom"} ${Math.round((1 - closeStrength) * 100)} % of its range`,
    },
    {
      points: isLiquidSession(session) ? 1 : 0,
      note: isLiquidSession(session) ? `${session} session: deep liquidity` : `${session} session: thinner liquidity`,
    },
  ];
  const score = scoreQuality(points);
  return {
    side: sweep.side,
    ...prices,
    confidence: score.confidence,
    quality: score.quality,
    qualityNotes: score.notes,
    pattern: "LIQUIDITY_SWEEP_REVERSAL",
    session,
    setupKey: `${word}@${w.time(sweep.levelIndex)}`,
  };
}

/**
 * Liquidity-sweep reversal: the last closed candle trades through an untaken swing low (high),
 * where stops rest, then closes back above (below) it with a long rejection wick → BUY (SELL) at
 * its close, stop beyond its extreme plus a buffer, targets at `targetsR`. One setup per swept
 * level (setup key: the level's candle time). When one candle sweeps both sides, the better
 * quality wins.
 */
export function createLiquiditySweep(overrides: Partial<LiquiditySweepParams> = {}): Strategy {
  const p = { ...LIQUIDITY_SWEEP_DEFAULTS, ...overrides };
  return {
    name: "liquidity-sweep",
    timeframe: p.timeframe,
    warmup: Math.max(p.atrPeriod + 1, 2 * p.swingStrength + 2),
    params: p,
    evaluate(input) {
      const atr = averageTrueRange(input.candles, p.atrPeriod);
      if (atr === null || atr <= 0) return null;
      let best: SignalDraft | null = null;
      for (const side of ["BUY", "SELL"] as const) {
        const sweep = findSweep(input.candles, side, p);
        if (!sweep || sweep.wickRatio < p.minWickRatio || sweep.depth > p.maxSweepAtr * atr) continue;
        const draft = draftFor(sweep, input, p, atr);
        if (draft && (!best || draft.quality > best.quality)) best = draft;
      }
      return best;
    },
  };
}
