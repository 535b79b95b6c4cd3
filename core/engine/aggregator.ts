import { type Candle, CandleRing, type CandleWindow, MINUTE_MS, type TimeframeMinutes } from "./candles.ts";
import { type SymbolHealth, symbolHealth } from "./health.ts";

export type { SymbolHealth } from "./health.ts";

/** A price as terminals report it in heartbeats (and the simulated market emits). `time` is epoch ms. */
export interface PriceTick {
  symbol: string;
  bid: number;
  ask: number;
  time: number;
}

/** A candle that has just closed. */
export interface ClosedCandle {
  symbol: string;
  timeframe: TimeframeMinutes;
  candle: Candle;
}

export interface AggregatorOptions {
  /** Timeframes to build besides M1 (each must divide a day). */
  timeframes?: readonly TimeframeMinutes[];
  /** Closed candles kept per symbol and timeframe (ring buffer; default 600). */
  capacity?: number;
  /** Silence longer than this between two prices is a gap (default 180 s). */
  maxGapMs?: number;
  /** Fresh M1 candles after a gap before the symbol is live again (default 3). */
  resumeAfterCandles?: number;
}

/** One symbol's candles in the making (read by `symbolHealth`). */
export interface SymbolState {
  symbol: string;
  lastTickMs: number;
  /** Index 0 is M1, then `timeframes` in order. */
  rings: CandleRing[];
  forming: Array<Candle | null>;
  gap: { fromMs: number; toMs: number } | null;
  freshSinceGap: number;
}

/**
 * Builds candles from a stream of ticks, per symbol: M1 on the bid (a candle closes when a price of
 * a later minute arrives or `advance(now)` passes its end; a minute without prices has no candle,
 * as in MetaTrader), and each higher timeframe from the M1 candles. Memory per symbol is fixed:
 * `capacity` candles × (1 + timeframes) rings (600 × 6 columns × 8 B = 28.8 KB per timeframe).
 *
 * Gaps: silence longer than `maxGapMs` pauses the symbol — at once when `now` has moved past it
 * (`health`), and after the next price until `resumeAfterCandles` fresh M1 candles have closed.
 * A higher-timeframe candle that would span the gap is dropped, not closed. Ticks that are not
 * finite, have bid ≤ 0 or ask < bid, or go back in time are ignored (counted in `ignoredTicks`).
 * Pure: time comes only from the ticks and from `now`.
 */
export function createCandleAggregator(options: AggregatorOptions = {}) {
  const higher = [...new Set(options.timeframes ?? [])].filter((tf) => tf !== 1).sort((a, b) => a - b);
  for (const tf of higher) {
    if (!Number.isInteger(tf) || tf < 1 || 1440 % tf !== 0) throw new RangeError(`timeframe ${tf} must divide 1440`);
  }
  const timeframes = [1, ...higher];
  const capacity = options.capacity ?? 600;
  const maxGapMs = options.maxGapMs ?? 180_000;
  const resumeAfter = options.resumeAfterCandles ?? 3;
  const states = new Map<string, SymbolState>();
  let ignoredTicks = 0;

  function closeAt(state: SymbolState, k: number, out: ClosedCandle[]) {
    const candle = state.forming[k]!;
    state.forming[k] = null;
    state.rings[k]!.push(candle);
    out.push({ symbol: state.symbol, timeframe: timeframes[k]!, candle });
  }

  function foldIntoHigher(state: SymbolState, m1: Candle, out: ClosedCandle[]) {
    for (let k = 1; k < timeframes.length; k++) {
      const tfMs = timeframes[k]! * MINUTE_MS;
      const bucket = Math.floor(m1.t / tfMs) * tfMs;
      const f = state.forming[k];
      if (f && f.t !== bucket) closeAt(state, k, out);
      const current = state.forming[k];
      if (current) {
        current.high = Math.max(current.high, m1.high);
        current.low = Math.min(current.low, m1.low);
        current.close = m1.close;
        current.volume += m1.volume;
      } else {
        state.forming[k] = { ...m1, t: bucket };
      }
      if (m1.t + MINUTE_MS === bucket + tfMs) closeAt(state, k, out);
    }
  }

  /** Closes every forming candle whose period ended by `nowMs`. */
  function closeDue(state: SymbolState, nowMs: number, out: ClosedCandle[]) {
    const m1 = state.forming[0];
    if (m1 && nowMs >= m1.t + MINUTE_MS) {
      closeAt(state, 0, out);
      if (state.gap && m1.t >= Math.floor(state.gap.toMs / MINUTE_MS) * MINUTE_MS) {
        state.freshSinceGap++;
        if (state.freshSinceGap >= resumeAfter) state.gap = null;
      }
      foldIntoHigher(state, m1, out);
    }
    for (let k = 1; k < timeframes.length; k++) {
      const f = state.forming[k];
      if (f && nowMs >= f.t + timeframes[k]! * MINUTE_MS) closeAt(state, k, out);
    }
  }

  return {
    timeframes: timeframes as readonly TimeframeMinutes[],
    capacity,

    /** Feeds one price; returns the candles it closed (M1 first, then higher timeframes). */
    onTick(tick: PriceTick): ClosedCandle[] {
      const valid =
        Number.isFinite(tick.bid) &&
        Number.isFinite(tick.ask) &&
        Number.isFinite(tick.time) &&
        tick.bid > 0 &&
        tick.ask >= tick.bid;
      let state = states.get(tick.symbol);
      if (!valid || (state && tick.time < state.lastTickMs)) {
        ignoredTicks++;
        return [];
      }
      const out: ClosedCandle[] = [];
      if (!state) {
        state = {
          symbol: tick.symbol,
          lastTickMs: tick.time,
          rings: timeframes.map(() => new CandleRing(capacity)),
          forming: timeframes.map(() => null),
          gap: null,
          freshSinceGap: 0,
        };
        states.set(tick.symbol, state);
      }
      closeDue(state, tick.time, out);
      if (tick.time - state.lastTickMs > maxGapMs) {
        state.gap = { fromMs: state.lastTickMs, toMs: tick.time };
        state.freshSinceGap = 0;
        for (let k = 1; k < timeframes.length; k++) state.forming[k] = null;
      }
      const minute = Math.floor(tick.time / MINUTE_MS) * MINUTE_MS;
      const m1 = state.forming[0];
      if (m1) {
        if (tick.bid > m1.high) m1.high = tick.bid;
        if (tick.bid < m1.low) m1.low = tick.bid;
        m1.close = tick.bid;
        m1.volume++;
      } else {
        state.forming[0] = { t: minute, open: tick.bid, high: tick.bid, low: tick.bid, close: tick.bid, volume: 1 };
      }
      state.lastTickMs = tick.time;
      return out;
    },

    /** Closes the candles whose period ended by `nowMs` for every symbol (call it each second or so). */
    advance(nowMs: number): ClosedCandle[] {
      const out: ClosedCandle[] = [];
      for (const state of states.values()) closeDue(state, nowMs, out);
      return out;
    },

    /** The closed candles kept for a symbol and timeframe, or null when none yet. */
    window(symbol: string, timeframe: TimeframeMinutes): CandleWindow | null {
      const k = timeframes.indexOf(timeframe);
      const ring = states.get(symbol)?.rings[k];
      return ring && ring.length > 0 ? ring.window() : null;
    },

    /** Whether the symbol is paused at `nowMs`, and why; null for a symbol never seen. */
    health(symbol: string, nowMs: number): SymbolHealth | null {
      const state = states.get(symbol);
      if (!state) return null;
      return symbolHealth(state, nowMs, maxGapMs, resumeAfter);
    },

    symbols(): string[] {
      return [...states.keys()];
    },

    get ignoredTicks() {
      return ignoredTicks;
    },
  };
}

export type CandleAggregator = ReturnType<typeof createCandleAggregator>;
