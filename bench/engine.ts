import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32 } from "../bridge/paper/feed.ts";
import {
  createLiquiditySweep,
  createSignalEngine,
  createTrendPullback,
  type PriceTick,
  type Strategy,
} from "../core/engine/index.ts";
import { DEFAULT_SPECS } from "../core/instruments/index.ts";
import type { InstrumentSpec } from "../core/types.ts";
import { openDb } from "../db/index.ts";
import { createStore } from "../db/store.ts";
import { manualClock } from "../server/clock.ts";
import { loadConfig } from "../server/config/index.ts";
import { createContext } from "../server/context.ts";

const SYMBOLS = 50;
const MINUTES = 1_200;
const TICKS_PER_MINUTE = 4;

/** 50 symbols × 1,200 minutes × 4 ticks of a random walk with drifting trends, in time order. */
function market(): PriceTick[] {
  const random = mulberry32(15);
  const prices = Array.from({ length: SYMBOLS }, () => 1.1);
  const drift = Array.from({ length: SYMBOLS }, () => 0);
  const ticks: PriceTick[] = [];
  const t0 = Date.parse("2026-11-20T00:00:00Z");
  for (let minute = 0; minute < MINUTES; minute++) {
    for (let k = 0; k < TICKS_PER_MINUTE; k++) {
      for (let s = 0; s < SYMBOLS; s++) {
        if (random() < 0.01) drift[s] = (random() - 0.5) * 0.0001;
        prices[s] = Math.max(0.5, prices[s]! + drift[s]! + (random() - 0.5) * 0.0004);
        const bid = Number(prices[s]!.toFixed(5));
        ticks.push({ symbol: `SYM${s}`, bid, ask: bid + 0.0001, time: t0 + minute * 60_000 + k * 15_000 + s });
      }
    }
  }
  return ticks;
}

function timeRun(ticks: readonly PriceTick[], strategies: Strategy[]) {
  const eurusd = DEFAULT_SPECS.get("EURUSD")!;
  const specs = new Map<string, InstrumentSpec>();
  const engine = createSignalEngine({
    strategies,
    specFor: (symbol) => {
      let spec = specs.get(symbol);
      if (!spec) {
        spec = { ...eurusd, symbol };
        specs.set(symbol, spec);
      }
      return spec;
    },
  });
  let drafts = 0;
  const t0 = performance.now();
  for (const tick of ticks) drafts += engine.onTick(tick).length;
  drafts += engine.advance(ticks[ticks.length - 1]!.time + 60_000).length;
  return { ms: performance.now() - t0, drafts };
}

/**
 * Engine cost per M1 candle per strategy for 50 symbols: the same generated market (50 symbols ×
 * 1,200 minutes × 4 ticks) through the engine with no strategy (candle building only), with each
 * strategy alone on M1 (so it runs on every candle: the worst case) and with both. A strategy's
 * cost is its run minus the no-strategy run, per M1 candle; best of 3 runs each.
 */
export async function benchEngine() {
  const ticks = market();
  const candles = SYMBOLS * MINUTES;
  const variants: Record<string, () => Strategy[]> = {
    none: () => [],
    "liquidity-sweep": () => [createLiquiditySweep({ timeframe: 1 })],
    "trend-pullback": () => [createTrendPullback({ timeframe: 1 })],
    both: () => [createLiquiditySweep({ timeframe: 1 }), createTrendPullback({ timeframe: 1 })],
  };
  timeRun(ticks, variants.both!()); // warm-up (JIT)
  const best: Record<string, { ms: number; drafts: number }> = {};
  for (let round = 0; round < 3; round++) {
    for (const [name, make] of Object.entries(variants)) {
      const run = timeRun(ticks, make());
      if (!best[name] || run.ms < best[name].ms) best[name] = run;
    }
  }
  const perCandleUs = (ms: number) => Number(((ms * 1000) / candles).toFixed(2));
  const none = best.none!.ms;
  return {
    symbols: SYMBOLS,
    m1_candles: candles,
    ticks: ticks.length,
    candle_building_us_per_candle: perCandleUs(none),
    candle_building_ns_per_tick: Number(((none * 1e6) / ticks.length).toFixed(0)),
    liquidity_sweep_us_per_candle: perCandleUs(best["liquidity-sweep"]!.ms - none),
    trend_pullback_us_per_candle: perCandleUs(best["trend-pullback"]!.ms - none),
    both_total_us_per_candle: perCandleUs(best.both!.ms),
    one_minute_of_50_symbols_ms: Number(((best.both!.ms / MINUTES) * 1).toFixed(3)),
    drafts: { "liquidity-sweep": best["liquidity-sweep"]!.drafts, "trend-pullback": best["trend-pullback"]!.drafts },
    live: await benchLive(ticks),
  };
}

/**
 * The live path (issue 15, wired): the same market as heartbeat prices of the 40 built-in
 * symbols (broker names with a suffix, `EURUSD.m`), through the engine service — name mapping,
 * candles, both strategies on M1, every draft validated and stored in SQLite with its dedup key.
 * Per heartbeat of one price per symbol; and per M1 candle, comparable with the pure figures.
 */
async function benchLive(ticks: readonly PriceTick[]) {
  const names = [...DEFAULT_SPECS.keys()];
  const dir = mkdtempSync(join(tmpdir(), "sortie-bench-engine-"));
  const sqlite = openDb(join(dir, "sortie.db"));
  const clock = manualClock(ticks[0]!.time);
  const ctx = createContext({
    store: createStore(sqlite),
    config: loadConfig({ DATABASE_PATH: join(dir, "sortie.db") }),
    clock,
    engine: { strategies: [createLiquiditySweep({ timeframe: 1 }), createTrendPullback({ timeframe: 1 })] },
  });
  // Prices scaled to each symbol's own level, so stops and targets land on its tick grid.
  const level = (name: string) => DEFAULT_SPECS.get(name)!.tickSize * 100_000;
  let heartbeats = 0;
  let candles = 0;
  const t0 = performance.now();
  for (let i = 0; i < ticks.length; i += SYMBOLS) {
    const batch = ticks.slice(i, i + SYMBOLS).filter((_, s) => s < names.length);
    clock.set(batch.at(-1)!.time);
    await ctx.engine.feed(
      batch.map((tick, s) => {
        const name = names[s]!;
        const scale = level(name);
        return {
          symbol: `${name}.m`,
          bid: Number((tick.bid * scale).toFixed(5)),
          ask: Number((tick.ask * scale).toFixed(5)),
          time: tick.time / 1000,
        };
      }),
    );
    heartbeats++;
  }
  const ms = performance.now() - t0;
  candles = names.length * MINUTES;
  const drafts = (
    sqlite.prepare("SELECT COUNT(*) AS n FROM staged_signals WHERE kind = 'draft'").get() as { n: number }
  ).n;
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    symbols: names.length,
    heartbeats,
    us_per_heartbeat: Number(((ms * 1000) / heartbeats).toFixed(1)),
    us_per_m1_candle_both_strategies: Number(((ms * 1000) / candles).toFixed(2)),
    drafts_stored: drafts,
  };
}
