import type { InstrumentSpec } from "../types.ts";
import type { CandleWindow } from "./candles.ts";
import { onTickGrid } from "./price.ts";
import type { SignalDraft, Strategy } from "./strategy.ts";

/** A strategy returned a draft that breaks the plugin contract (a bug in the strategy). */
export class StrategyError extends Error {
  constructor(strategy: string, message: string) {
    super(`strategy ${strategy}: ${message}`);
    this.name = "StrategyError";
  }
}

function check(strategy: string, draft: SignalDraft, spec: InstrumentSpec): void {
  const fail = (message: string) => {
    throw new StrategyError(strategy, message);
  };
  const buy = draft.side === "BUY";
  if (draft.side !== "BUY" && draft.side !== "SELL") fail(`side ${String(draft.side)}`);
  if (buy ? !(draft.stopLoss < draft.entry) : !(draft.stopLoss > draft.entry)) fail("stop on the wrong side of entry");
  if (draft.takeProfits.length === 0) fail("no take-profit");
  for (const tp of draft.takeProfits)
    if (buy ? !(tp > draft.entry) : !(tp < draft.entry)) fail(`target ${tp} on the wrong side`);
  for (const p of [draft.entry, draft.stopLoss, ...draft.takeProfits]) {
    if (!onTickGrid(p, spec)) fail(`price ${p} is not on the ${spec.tickSize} tick grid`);
  }
  if (!(draft.confidence >= 0 && draft.confidence <= 100)) fail(`confidence ${draft.confidence} outside 0–100`);
  if (!(draft.quality >= 0 && draft.quality <= 10)) fail(`quality ${draft.quality} outside 0–10`);
  if (draft.qualityNotes.length === 0) fail("quality without notes");
  if (draft.setupKey === "") fail("empty setup key");
}

/**
 * Runs one strategy on the closed candles of `candles` — the only path by which the live engine
 * and the backtest call strategies, so both run the same code the same way. Below the strategy's
 * warm-up it is not called. Its draft is checked against the plugin contract (sides, tick grid,
 * ranges) and a broken one throws `StrategyError`; reading past the last closed candle throws
 * `LookaheadError` from the window itself.
 */
export function evaluateStrategy(
  strategy: Strategy,
  candles: CandleWindow,
  spec: InstrumentSpec,
  nowMs: number,
): SignalDraft | null {
  if (candles.length < strategy.warmup) return null;
  const draft = strategy.evaluate({ candles, spec, nowMs });
  if (draft === null) return null;
  check(strategy.name, draft, spec);
  return draft;
}
