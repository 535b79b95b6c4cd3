import { mulberry32 } from "../bridge/paper/feed.ts";
import {
  presentTrackRecord,
  signalOutcomes,
  summarizeTrackRecord,
  type TrackPosition,
  type TrackSignal,
} from "../core/track-record/index.ts";

const SIGNALS = 10_000;
const POSITIONS = 1_000_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The track record's pure maths over 10,000 signals and 1,000,000 closed positions (generated: 100
 * per signal on average, 0.1 % still open, in no particular order). Two figures, each first call
 * (cold JIT) and median and best of 9 (warm): the full computation (`signalOutcomes`, one pass over the
 * million positions, then `summarizeTrackRecord` + `presentTrackRecord`), and the answer from
 * cached outcomes (a closed signal's outcome never changes: summary + presentation only).
 * Reading the rows from the store is the adapter's cost, measured when it is wired.
 */
export async function benchTrackRecord() {
  const random = mulberry32(17);
  const symbols = ["EURUSD", "GBPUSD", "USDJPY", "XAUUSD", "US30", "NAS100"];
  const t0 = Date.parse("2025-11-01T00:00:00Z");
  const signals: TrackSignal[] = Array.from({ length: SIGNALS }, (_, i) => {
    const side = random() < 0.5 ? "BUY" : "SELL";
    const entry = 100 + random() * 10;
    return {
      id: `s${i}`,
      symbol: symbols[i % symbols.length]!,
      side,
      entry,
      stopLoss: side === "BUY" ? entry - 1 : entry + 1,
    };
  });
  const positions: TrackPosition[] = Array.from({ length: POSITIONS }, () => {
    const s = Math.floor(random() * SIGNALS);
    const signal = signals[s]!;
    const fill = signal.entry + (random() - 0.5) * 0.1;
    const open = random() < 0.001;
    return {
      signalId: signal.id,
      volume: 0.01 + Math.floor(random() * 100) / 100,
      fill,
      close: open ? null : fill + (random() - 0.45) * 3,
      closedMs: open ? null : t0 + s * 3_000_000 + Math.floor(random() * 3_600_000),
      profit: open ? null : (random() - 0.45) * 50,
    };
  });
  const full = () => presentTrackRecord(summarizeTrackRecord(signalOutcomes(signals, positions)), null);
  const cached = signalOutcomes(signals, positions);
  const fromCache = () => presentTrackRecord(summarizeTrackRecord(cached), null);
  const time = (fn: () => unknown) => {
    const started = performance.now();
    fn();
    return performance.now() - started;
  };
  const measure = (fn: () => unknown) => {
    const cold = time(fn);
    const warm = Array.from({ length: 9 }, () => time(fn));
    return {
      cold_ms: Number(cold.toFixed(1)),
      warm_median_ms: Number(median(warm).toFixed(1)),
      warm_best_ms: Number(Math.min(...warm).toFixed(1)),
      warm_runs_ms: warm.map((ms) => Number(ms.toFixed(1))),
    };
  };
  const fromCacheTimes = measure(fromCache);
  const fullTimes = measure(full);
  return {
    signals: SIGNALS,
    positions: POSITIONS,
    closed_signals: full().closed,
    full_from_positions: {
      ...fullTimes,
      ns_per_position_warm: Number(((fullTimes.warm_median_ms * 1e6) / POSITIONS).toFixed(1)),
    },
    from_cached_outcomes: fromCacheTimes,
  };
}
