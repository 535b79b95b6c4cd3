import { createHash } from "node:crypto";
import stableStringify from "safe-stable-stringify";
import { type SignalInput, validateSignal } from "../../core/signal.ts";
import type { Signal } from "../../core/types.ts";
import type { Store } from "../../db/store.ts";
import type { Clock } from "../clock.ts";
import { ApiError, notFound } from "../errors.ts";
import type { Hub } from "../events/hub.ts";
import { newSignalId } from "../ids.ts";
import { symbolLookup } from "./symbol-lookup.ts";

export interface CreateSignalOptions {
  source: "api" | "bot" | "webhook" | "demo";
  /** Who did it, for the event log: "tg:<id>", "admin-token", "webhook". */
  actor: string;
  idempotencyKey?: string | null;
  /** Dedup identical webhook bodies delivered within `dedupWindowMs`. */
  dedupBody?: unknown;
}

/** Same webhook body within this window creates one signal (CONTRACT.md). */
export const DEDUP_WINDOW_MS = 60_000;

/** Creating and cancelling signals: validation from core, one row, an audit event, a hub event. */
export function createSignalService(deps: { store: Store; hub: Hub; clock: Clock }) {
  const { store, hub, clock } = deps;

  return {
    /**
     * Validates and stores a signal once; answers `created: false` with the existing signal when
     * the same idempotency key, or the same body within 60 s, was already seen.
     */
    async create(input: SignalInput, options: CreateSignalOptions): Promise<{ signal: Signal; created: boolean }> {
      const nowMs = clock.now();
      const bodyHash =
        options.dedupBody === undefined
          ? null
          : // Keys sorted: the same alert with its fields in another order is the same alert.
            createHash("sha256")
              .update(stableStringify(options.dedupBody) ?? "")
              .digest("hex");
      const key = options.idempotencyKey ?? null;
      const result = await store.transaction(async () => {
        if (key) {
          const existing = await store.signals.findByIdempotencyKey(key);
          if (existing) return { signal: existing, created: false };
        }
        if (bodyHash) {
          const existing = await store.signals.findRecentByBodyHash(bodyHash, nowMs - DEDUP_WINDOW_MS);
          if (existing) return { signal: existing, created: false };
        }
        const validation = validateSignal(input, nowMs, await symbolLookup(store, input.symbol));
        if (!validation.ok) throw new ApiError("BAD_REQUEST", validation.message, validation.field);
        const createdAt = new Date(nowMs).toISOString();
        const signal = await store.signals.insertSignal(validation.value, {
          id: newSignalId(nowMs),
          createdAt,
          createdMs: nowMs,
          source: options.source,
          createdBy: options.actor,
          idempotencyKey: key,
          bodyHash,
        });
        if (validation.value.breakeven_after_tp1) await store.updates.setBreakevenAfterTp1(signal.id, true);
        signal.breakeven_after_tp1 = validation.value.breakeven_after_tp1 === true;
        await store.fires.appendEvent(
          {
            type: "signal.created",
            actor: options.actor,
            signal_id: signal.id,
            data: { source: options.source, signal },
          },
          createdAt,
        );
        return { signal, created: true };
      });
      if (result.created) hub.emit("signal.created", { signal: result.signal, actor: options.actor });
      return result;
    },

    /** Cancels a signal (idempotent: cancelling a cancelled signal answers it as it is). */
    async cancel(id: string, actor: string): Promise<Signal> {
      const nowMs = clock.now();
      const at = new Date(nowMs).toISOString();
      const changed = await store.transaction(async () => {
        if (!(await store.signals.findSignal(id))) throw notFound("Signal");
        const did = await store.signals.cancelSignal(id, at);
        if (did) await store.fires.appendEvent({ type: "signal.cancelled", actor, signal_id: id }, at);
        return did;
      });
      const signal = (await store.signals.findSignal(id))!;
      if (changed) hub.emit("signal.cancelled", { signal, actor });
      return signal;
    },
  };
}

export type SignalService = ReturnType<typeof createSignalService>;
