import type { SignalInput } from "../signal.ts";
import type { EngineDraft } from "./engine.ts";

/**
 * The engine's draft as the input `validateSignal` takes (so a draft goes through the same checks
 * as a typed signal), plus the fields the store sets for engine proposals: `status: "draft"` and
 * `source: "engine:<strategy>"`. Notes are joined one per line into `shield_notes`.
 */
export function draftToSignalInput(
  draft: EngineDraft,
  expiresInMin: number,
): SignalInput & { source: string; status: "draft"; dedup_key: string } {
  return {
    symbol: draft.symbol,
    side: draft.side,
    entry: draft.entry,
    stop_loss: draft.stopLoss,
    take_profit: draft.takeProfits,
    expires_in_min: expiresInMin,
    confidence: draft.confidence,
    shield_score: draft.quality,
    shield_notes: draft.qualityNotes.join("\n"),
    pattern: draft.pattern,
    session: draft.session,
    source: `engine:${draft.strategy}`,
    status: "draft",
    dedup_key: draft.dedupKey,
  };
}
