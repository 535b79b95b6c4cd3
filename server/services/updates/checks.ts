import { type TradeUpdateSpec, type UpdateInput, validateUpdate } from "../../../core/trade-update.ts";
import type { Signal } from "../../../core/types.ts";
import type { Store } from "../../../db/store.ts";
import { ApiError } from "../../errors.ts";

export function validated(signal: Signal, input: UpdateInput): TradeUpdateSpec {
  const result = validateUpdate(input, signal);
  if (!result.ok) throw new ApiError("BAD_REQUEST", result.message, result.field);
  return result.value;
}

/** Same key again: the stored update, when it asks the same thing of the same target. */
export async function replay(
  store: Store,
  key: string | null | undefined,
  target: { signal_id: string; fire_id: string | null },
  spec: TradeUpdateSpec,
) {
  if (!key) return null;
  // Copies of one request at once (a client's retries) take turns here: the later ones find the first's row.
  await store.updates.lockIdempotencyKey(key);
  const existing = await store.updates.findUpdateByKey(key);
  if (!existing) return null;
  const same =
    existing.signal_id === target.signal_id &&
    existing.fire_id === target.fire_id &&
    existing.action === spec.action &&
    existing.leg === spec.leg &&
    existing.stop_loss === spec.stop_loss &&
    existing.take_profit === spec.take_profit;
  if (!same) throw new ApiError("CONFLICT", "This Idempotency-Key was already used for a different update");
  return existing;
}
