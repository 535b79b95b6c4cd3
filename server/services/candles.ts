import type { HeartbeatPrice } from "../../bridge/protocol.ts";
import { canonicalForBroker } from "../../core/broker-symbols.ts";
import { DEFAULT_SPECS } from "../../core/instruments/index.ts";
import { roundTo } from "../../core/money.ts";
import { BoundedMap } from "../memory.ts";

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

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

/**
 * One-minute candles per trader and canonical symbol, built in memory from the prices that
 * trader's own terminal reports in heartbeats (mid of bid/ask). Never shared between traders: one
 * shared series fed by every terminal let any bridge token draw a price of 1e15 on everyone's
 * chart (issue #21). Bounded: built-in symbols only, the last `maxCandles` minutes each, at most
 * `maxSeries` series (the least recently written forgotten). Not persisted: the chart is context,
 * not record.
 */
export function createCandleStore(maxCandles = 240, maxSeries = 10_000) {
  const series = new BoundedMap<string, Candle[]>(maxSeries);
  const keyOf = (userId: number, symbol: string) => `${userId}:${symbol}`;

  return {
    /** Adds the prices of `userId`'s terminal at `nowMs`. */
    add(userId: number, prices: readonly HeartbeatPrice[], nowMs: number): void {
      for (const p of prices) {
        // Broker names (EURUSD.m, #EURUSD) feed Sortie's (EURUSD), as the symbol mapping decides.
        const symbol = canonicalForBroker(p.symbol);
        if (!symbol || !(p.bid > 0) || !(p.ask > 0)) continue;
        const mid = roundTo((p.bid + p.ask) / 2, candleDigits(symbol, p.bid, p.ask));
        const minute = Math.floor(nowMs / 60_000) * 60;
        const key = keyOf(userId, symbol);
        const list = series.get(key) ?? [];
        series.set(key, list); // written now: the last series to forget
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
    /** Series held (for the memory report). */
    get size() {
      return series.size;
    },
    /** `userId`'s own candles of `symbol`, oldest first (empty when their terminal sent none). */
    candles(userId: number, symbol: string): Candle[] {
      return series.get(keyOf(userId, symbol)) ?? [];
    },
  };
}

export type CandleStore = ReturnType<typeof createCandleStore>;
