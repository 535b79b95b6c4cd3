import type { Candle } from "../../../core/engine/index.ts";
import { DEFAULT_SPECS } from "../../../core/instruments/index.ts";
import type { InstrumentSpec } from "../../../core/types.ts";

/** Crafted candle series for the engine's tests. */

export const EURUSD: InstrumentSpec = DEFAULT_SPECS.get("EURUSD")!;
export const START_MS = Date.parse("2026-11-20T09:00:00Z"); // London session

/** Candles `[open, high, low, close]`, `minutes` apart from `startMs`. */
export function candles(
  rows: ReadonlyArray<readonly [number, number, number, number]>,
  minutes = 5,
  startMs = START_MS,
): Candle[] {
  return rows.map(([open, high, low, close], i) => ({
    t: startMs + i * minutes * 60_000,
    open,
    high,
    low,
    close,
    volume: 4,
  }));
}

/** The same series upside down around `pivot` (a BUY setup becomes the SELL one). */
export function mirror(series: readonly Candle[], pivot: number): Candle[] {
  const flip = (p: number) => Number((2 * pivot - p).toFixed(5));
  return series.map((c) => ({ ...c, open: flip(c.open), high: flip(c.low), low: flip(c.high), close: flip(c.close) }));
}

/**
 * A range 1.0990–1.1010 (each candle 1.1000 → 1.1000), a swing low of 1.0980 at candle 10, and a
 * last candle (19) that sweeps it: low 1.0975, closing back at 1.0996 (open 1.0992, high 1.0998).
 */
export function sweepSeries(minutes = 5): Candle[] {
  const rows: Array<[number, number, number, number]> = [];
  for (let i = 0; i < 19; i++) rows.push(i === 10 ? [1.1, 1.101, 1.098, 1.1] : [1.1, 1.101, 1.099, 1.1]);
  rows.push([1.0992, 1.0998, 1.0975, 1.0996]);
  return candles(rows, minutes);
}

/**
 * 30 candles rising 10 pips each (open = previous close, wicks 5 pips beyond), 3 falling 10 pips
 * each (the pullback), then a bullish candle from 1.1270 to 1.1290 closing above the previous high
 * (1.1285): the trigger.
 */
export function pullbackSeries(minutes = 15, extraTriggers = 0): Candle[] {
  const rows: Array<[number, number, number, number]> = [];
  let price = 1.1;
  const step = (delta: number) => {
    const open = price;
    const close = Number((price + delta).toFixed(5));
    rows.push([
      open,
      Number((Math.max(open, close) + 0.0005).toFixed(5)),
      Number((Math.min(open, close) - 0.0005).toFixed(5)),
      close,
    ]);
    price = close;
  };
  for (let i = 0; i < 30; i++) step(0.001);
  for (let i = 0; i < 3; i++) step(-0.001);
  step(0.002);
  for (let i = 0; i < extraTriggers; i++) step(0.002);
  return candles(rows, minutes);
}

/** Small EMAs so a 34-candle series is enough (warm-up 20). */
export const PULLBACK_TEST_PARAMS = { emaFast: 5, emaSlow: 10, atrPeriod: 5, pullbackCandles: 4, slopeCandles: 3 };

/** A flat, choppy market: candles alternate up and down 10 pips around 1.1000. */
export function flatSeries(count = 60, minutes = 5): Candle[] {
  return candles(
    Array.from({ length: count }, (_, i): [number, number, number, number] =>
      i % 2 === 0 ? [1.1, 1.1012, 1.0998, 1.101] : [1.101, 1.1012, 1.0998, 1.1],
    ),
    minutes,
  );
}

/** Four ticks per candle (open, high, low, close at 0, 15, 30, 45 s), ask one pip above bid. */
export function ticksOf(series: readonly Candle[], symbol = "EURUSD", shiftMs = 0) {
  return series.flatMap((c) =>
    [c.open, c.high, c.low, c.close].map((bid, k) => ({
      symbol,
      bid,
      ask: Number((bid + 0.0001).toFixed(5)),
      time: c.t + shiftMs + k * 15_000,
    })),
  );
}

/**
 * The backtest's known series (M5, EURUSD), two trades:
 * 1. candles 0–19 = `sweepSeries`: BUY at 1.0996, stop 1.0973, targets 1.10305 and 1.1065.
 *    Candle 20 reaches 1.1032 (first target), candle 21 reaches 1.1070 (second).
 * 2. candles 22–35 range 1.1050–1.1070 with a swing high of 1.1080 at candle 28; candle 36 sweeps
 *    it (high 1.1085) and closes back at 1.1064: SELL at 1.1064, stop 1.1087, targets 1.10295 and
 *    1.0995. Candle 37 rallies to 1.1090: stopped.
 */
export function backtestSeries(): Candle[] {
  const rows: Array<[number, number, number, number]> = sweepSeries().map((c) => [c.open, c.high, c.low, c.close]);
  rows.push([1.0996, 1.1032, 1.099, 1.103], [1.103, 1.107, 1.1025, 1.106]);
  for (let i = 22; i <= 35; i++) rows.push(i === 28 ? [1.106, 1.108, 1.105, 1.106] : [1.106, 1.107, 1.105, 1.106]);
  rows.push([1.1068, 1.1085, 1.1062, 1.1064], [1.1064, 1.109, 1.106, 1.1088]);
  return candles(rows);
}
