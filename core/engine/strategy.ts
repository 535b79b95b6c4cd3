import type { InstrumentSpec, Side } from "../types.ts";
import type { CandleWindow, TimeframeMinutes } from "./candles.ts";
import type { SessionName } from "./session.ts";

/** What a strategy is given: the closed candles up to now (nothing later exists), the spec, now. */
export interface StrategyInput {
  candles: CandleWindow;
  spec: InstrumentSpec;
  /** Close time of the last closed candle (epoch ms). Strategies never read a clock. */
  nowMs: number;
}

/** A trade idea before an admin sees it. Prices are on the instrument's tick grid. */
export interface SignalDraft {
  side: Side;
  entry: number;
  stopLoss: number;
  /** Nearest first. */
  takeProfits: number[];
  /** 0–100. */
  confidence: number;
  /** 0–10, the sum of the points explained one by one in `qualityNotes`. */
  quality: number;
  /** Plain language, one line per reason, e.g. "Long lower wick: 72 % of the candle rejected the lows (+2.2)". */
  qualityNotes: string[];
  /** e.g. LIQUIDITY_SWEEP_REVERSAL. */
  pattern: string;
  session: SessionName;
  /**
   * What makes this setup THIS setup (e.g. `low@<time of the swept swing>`): with the strategy,
   * symbol and side it forms the dedup key, so the same setup is never proposed twice.
   */
  setupKey: string;
}

/** A strategy plugin: one file in `strategies/`, made by a factory taking its parameters. */
export interface Strategy {
  /** Stable name, used in `source: "engine:<name>"` and on the command line. */
  readonly name: string;
  /** The candles it reads, built from M1. */
  readonly timeframe: TimeframeMinutes;
  /** Closed candles needed before it may propose (≤ the ring capacity). */
  readonly warmup: number;
  /** Its parameters as used (defaults filled in), for docs, `/engine` and backtest reports. */
  readonly params: Readonly<Record<string, unknown>>;
  /** A draft from the closed candles, or null. Pure: same input, same answer. */
  evaluate(input: StrategyInput): SignalDraft | null;
}
