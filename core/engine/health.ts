import type { SymbolState } from "./aggregator.ts";

/** What `/health` shows per symbol. */
export interface SymbolHealth {
  symbol: string;
  /** True: the engine proposes nothing for this symbol now. */
  paused: boolean;
  /** Why, in words (null when live). */
  reason: string | null;
  lastTickMs: number;
  /** M1 candles kept. */
  candles: number;
}

const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(s / 60)}m ${s % 60}s`;
};
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Whether a symbol is paused at `nowMs`, and why in words: silence longer than `maxGapMs` up to
 * now ("no price for …"), or a gap already past that has not yet been followed by `resumeAfter`
 * fresh M1 candles ("resuming after …").
 */
export function symbolHealth(state: SymbolState, nowMs: number, maxGapMs: number, resumeAfter: number): SymbolHealth {
  const base = { symbol: state.symbol, lastTickMs: state.lastTickMs, candles: state.rings[0]!.length };
  const silence = nowMs - state.lastTickMs;
  if (silence > maxGapMs) {
    return { ...base, paused: true, reason: `no price for ${duration(silence)} (last ${iso(state.lastTickMs)})` };
  }
  if (state.gap) {
    const { fromMs, toMs } = state.gap;
    return {
      ...base,
      paused: true,
      reason: `resuming after a ${duration(toMs - fromMs)} gap in prices (${iso(fromMs)} → ${iso(toMs)}): ${state.freshSinceGap} of ${resumeAfter} fresh M1 candles`,
    };
  }
  return { ...base, paused: false, reason: null };
}
