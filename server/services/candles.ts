import type { HeartbeatPrice } from "../../bridge/protocol.ts";
import { canonicalForBroker } from "../../core/broker-symbols.ts";
import { DEFAULT_SPECS } from "../../core/instruments.ts";
import { roundTo } from "../../core/money.ts";

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
/** Decimals written in a quote as the terminal sent it (1.08525 → 5), at most 8. */
function decimalsOf(value: number): number {
  const text = String(value);
  const dot = text.indexOf(".");
  return dot === -1 || text.includes("e") ? 0 : Math.min(8, text.length - dot - 1);
}

/**
 * The digits a symbol's candles are rounded to: the built-in spec's, else as many as the quotes
 * carry, so a mid of two 5-digit quotes never shows as 1.0852499999999998.
 */
function candleDigits(symbol: string, bid: number, ask: number): number {
  return DEFAULT_SPECS.get(symbol)?.digits ?? Math.max(decimalsOf(bid), decimalsOf(ask));
}

export function createCandleStore(maxCandles = 240) {
  const series = new Map<string, Candle[]>();

  return {
    add(prices: readonly HeartbeatPrice[], nowMs: number): void {
      for (const p of prices) {
        // Broker names (EURUSD.m, #EURUSD) feed Sortie's (EURUSD), as the symbol mapping decides.
        const symbol = canonicalForBroker(p.symbol);
        if (!symbol || !(p.bid > 0) || !(p.ask > 0)) continue;
        const mid = roundTo((p.bid + p.ask) / 2, candleDigits(symbol, p.bid, p.ask));
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
