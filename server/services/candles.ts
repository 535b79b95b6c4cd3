import type { HeartbeatPrice } from "../../bridge/protocol.ts";
import { canonicalSymbol } from "../../core/instruments.ts";

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/**
 * One-minute candles per canonical symbol, built in memory from the prices terminals report in
 * heartbeats (mid of bid/ask). Bounded: the last `maxCandles` minutes per symbol. Not persisted:
 * the chart is context, not record.
 */
export function createCandleStore(maxCandles = 240) {
  const series = new Map<string, Candle[]>();

  return {
    add(prices: readonly HeartbeatPrice[], nowMs: number): void {
      for (const p of prices) {
        const symbol = canonicalSymbol(p.symbol);
        if (!symbol || !(p.bid > 0) || !(p.ask > 0)) continue;
        const mid = (p.bid + p.ask) / 2;
        const minute = Math.floor(nowMs / 60_000) * 60;
        let list = series.get(symbol);
        if (!list) {
          list = [];
          series.set(symbol, list);
        }
        const last = list.at(-1);
        if (last && last.time === minute) {
          last.high = Math.max(last.high, mid);
          last.low = Math.min(last.low, mid);
          last.close = mid;
        } else if (!last || minute > last.time) {
          list.push({ time: minute, open: mid, high: mid, low: mid, close: mid });
          if (list.length > maxCandles) list.shift();
        }
      }
    },
    candles(symbol: string): Candle[] {
      return series.get(symbol) ?? [];
    },
  };
}

export type CandleStore = ReturnType<typeof createCandleStore>;
