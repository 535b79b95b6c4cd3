import type { CandleWindow } from "./candles.ts";

/** True range of candle `i` (needs `i ≥ 1`): the largest of high−low and the gaps from the previous close. */
function trueRange(w: CandleWindow, i: number): number {
  const previousClose = w.close(i - 1);
  const high = w.high(i);
  const low = w.low(i);
  return Math.max(high - low, Math.abs(high - previousClose), Math.abs(low - previousClose));
}

/**
 * Average true range over the `period` candles ending at `end − 1` (a simple mean, not Wilder's
 * smoothing: easy to check by hand). Null when there are fewer than `period + 1` candles.
 */
export function averageTrueRange(w: CandleWindow, period: number, end = w.length): number | null {
  if (end - period < 1) return null;
  let sum = 0;
  for (let i = end - period; i < end; i++) sum += trueRange(w, i);
  return sum / period;
}

/**
 * Exponential moving average of closes over the last `span` candles: seeded with the simple mean
 * of the first `period` closes of the span, then smoothed with 2 / (period + 1). Returns the EMA at
 * each of the span's candles (NaN during the seed). A span of ≥ 3 × period lets the seed fade.
 */
export function emaOfCloses(w: CandleWindow, period: number, span: number): Float64Array {
  const length = Math.min(span, w.length);
  const start = w.length - length;
  const out = new Float64Array(length).fill(Number.NaN);
  if (length < period) return out;
  let seed = 0;
  for (let i = 0; i < period; i++) seed += w.close(start + i);
  let value = seed / period;
  out[period - 1] = value;
  const alpha = 2 / (period + 1);
  for (let i = period; i < length; i++) {
    value += alpha * (w.close(start + i) - value);
    out[i] = value;
  }
  return out;
}
