import type { Side } from "../../types.ts";
import type { CandleWindow } from "../candles.ts";
import { averageTrueRange, emaOfCloses } from "../indicators.ts";
import { bracket, clamp01, type QualityPoint, scoreQuality } from "../levels.ts";
import { isLiquidSession, sessionAt } from "../session.ts";
import type { SignalDraft, Strategy, StrategyInput } from "../strategy.ts";

/** Parameters of the trend pullback (docs/engine.md explains each). */
export interface TrendPullbackParams {
  timeframe: number;
  emaFast: number;
  emaSlow: number;
  atrPeriod: number;
  /** Stop at this many ATRs from entry. */
  atrStopMultiple: number;
  /** The pullback must have touched the fast EMA within this many candles before the trigger. */
  pullbackCandles: number;
  /** Trend only when the EMAs are at least this many ATRs apart (a flat market is not a trend). */
  minTrendAtr: number;
  /** The slow EMA must be rising (falling) over this many candles. */
  slopeCandles: number;
  targetsR: number[];
}

export const TREND_PULLBACK_DEFAULTS: TrendPullbackParams = {
  timeframe: 15,
  emaFast: 20,
  emaSlow: 50,
  atrPeriod: 14,
  atrStopMultiple: 1.5,
  pullbackCandles: 6,
  minTrendAtr: 0.25,
  slopeCandles: 5,
  targetsR: [1, 2],
};

interface Setup {
  side: Side;
  separationAtr: number;
  slopeAtr: number;
  touchIndex: number;
  heldSlow: boolean;
}

/**
 * The trend, the pullback and the trigger on the last closed candle, or null:
 * trend up = fast EMA above slow by ≥ `minTrendAtr` ATR and slow EMA rising over `slopeCandles`;
 * pullback = a candle in the previous `pullbackCandles` reached the fast EMA (low ≤ EMA) while
 * every one of them closed above the slow EMA; trigger = the last candle closes up, above the
 * previous candle's high and above the fast EMA. Mirror for a SELL.
 */
function findSetup(w: CandleWindow, p: TrendPullbackParams, atr: number): Setup | null {
  const span = Math.min(w.length, 3 * p.emaSlow);
  const fast = emaOfCloses(w, p.emaFast, span);
  const slow = emaOfCloses(w, p.emaSlow, span);
  const offset = w.length - span; // window index of fast[0]
  const last = span - 1;
  const slowThen = slow[last - p.slopeCandles]!;
  if (Number.isNaN(slowThen)) return null;
  const separation = fast[last]! - slow[last]!;
  const side: Side = separation > 0 ? "BUY" : "SELL";
  const dir = side === "BUY" ? 1 : -1;
  const slope = dir * (slow[last]! - slowThen);
  if (dir * separation < p.minTrendAtr * atr || slope <= 0) return null;
  const i = offset + last;
  const close = w.close(i);
  const trigger = dir * (close - w.open(i)) > 0 && dir * (close - (dir > 0 ? w.high(i - 1) : w.low(i - 1))) > 0;
  if (!trigger || dir * (close - fast[last]!) <= 0) return null;
  let touchIndex = -1;
  let heldSlow = true;
  for (let k = last - p.pullbackCandles; k < last; k++) {
    const wi = offset + k;
    if (dir * (w.close(wi) - slow[k]!) <= 0) return null; // the trend broke during the pullback
    const reach = dir > 0 ? w.low(wi) : w.high(wi);
    if (dir * (reach - fast[k]!) <= 0 && touchIndex < 0) touchIndex = wi;
    if (dir * (reach - slow[k]!) <= 0) heldSlow = false;
  }
  if (touchIndex < 0) return null;
  return { side, separationAtr: (dir * separation) / atr, slopeAtr: slope / atr, touchIndex, heldSlow };
}

function draftFor(setup: Setup, input: StrategyInput, p: TrendPullbackParams, atr: number): SignalDraft | null {
  const { candles: w, spec, nowMs } = input;
  const last = w.length - 1;
  const buy = setup.side === "BUY";
  const entry = w.close(last);
  const prices = bracket(setup.side, entry, entry + (buy ? -1 : 1) * p.atrStopMultiple * atr, p.targetsR, spec);
  if (!prices) return null;
  const session = sessionAt(nowMs);
  const range = w.high(last) - w.low(last);
  const body = range > 0 ? Math.abs(w.close(last) - w.open(last)) / range : 0;
  const points: QualityPoint[] = [
    {
      points: 3 * clamp01((setup.separationAtr - p.minTrendAtr) / 1),
      note: `${buy ? "Up" : "Down"}trend: fast EMA ${setup.separationAtr.toFixed(2)} ATR ${buy ? "above" : "below"} the slow one`,
    },
    {
      points: setup.slopeAtr >= 0.5 ? 2 : 1,
      note: `Slow EMA ${buy ? "rose" : "fell"} ${setup.slopeAtr.toFixed(2)} ATR over ${p.slopeCandles} candles`,
    },
    {
      points: setup.heldSlow ? 2 : 1,
      note: setup.heldSlow
        ? `Pulled back to the fast EMA and held clear of the slow one`
        : `Pulled back through the fast EMA and wicked into the slow one`,
    },
    {
      points: body >= 0.6 ? 2 : body >= 0.4 ? 1 : 0,
      note: `Trigger candle closed ${buy ? "above" : "below"} the previous ${buy ? "high" : "low"} with a body of ${Math.round(body * 100)} % of its range`,
    },
    {
      points: isLiquidSession(session) ? 1 : 0,
      note: isLiquidSession(session) ? `${session} session: deep liquidity` : `${session} session: thinner liquidity`,
    },
  ];
  const score = scoreQuality(points);
  return {
    side: setup.side,
    ...prices,
    confidence: score.confidence,
    quality: score.quality,
    qualityNotes: [...score.notes, `Stop ${p.atrStopMultiple} × ATR (${atr.toPrecision(4)}) from entry`],
    pattern: "TREND_PULLBACK",
    session,
    setupKey: `pullback@${w.time(setup.touchIndex)}`,
  };
}

/**
 * Trend pullback with an ATR stop: in a trend (fast EMA beyond the slow one, slow EMA sloping),
 * after price pulls back to the fast EMA, the first candle that resumes the trend (closes beyond
 * the previous candle's extreme) → entry at its close, stop `atrStopMultiple` × ATR away, targets
 * at `targetsR`. One setup per pullback (setup key: time of its first touch of the fast EMA).
 */
export function createTrendPullback(overrides: Partial<TrendPullbackParams> = {}): Strategy {
  const p = { ...TREND_PULLBACK_DEFAULTS, ...overrides };
  return {
    name: "trend-pullback",
    timeframe: p.timeframe,
    warmup: Math.max(2 * p.emaSlow, p.emaSlow + p.slopeCandles + 1, p.atrPeriod + 1, p.pullbackCandles + 2),
    params: p,
    evaluate(input) {
      const atr = averageTrueRange(input.candles, p.atrPeriod);
      if (atr === null || atr <= 0) return null;
      const setup = findSetup(input.candles, p, atr);
      return setup ? draftFor(setup, input, p, atr) : null;
    },
  };
}
