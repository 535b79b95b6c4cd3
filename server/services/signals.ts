import { createHash } from "node:crypto";
import stableStringify from "safe-stable-stringify";
import { type StagedSignal, validateScheduled } from "../../core/schedule.ts";
import { type SignalInput, validateSignal } from "../../core/signal.ts";
import type { Signal } from "../../core/types.ts";
import type { Store } from "../../db/store.ts";
import type { Clock } from "../clock.ts";
import { ApiError, notFound } from "../errors.ts";
import type { Hub } from "../events/hub.ts";
import { newSignalId } from "../ids.ts";
import { insertPublicSignal, type PublishMeta, stagedView } from "./staged.ts";
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

  /** Validates a signal with `publish_at` and stores it staged until then (inside the caller's transaction). */
  async function schedule(input: SignalInput & { publish_at?: unknown }, meta: PublishMeta): Promise<StagedSignal> {
    const validation = validateScheduled(input, meta.createdMs, await symbolLookup(store, input.symbol));
    if (!validation.ok) throw new ApiError("BAD_REQUEST", validation.message, validation.field);
    const createdAt = new Date(meta.createdMs).toISOString();
    await store.staged.insertStaged({
      id: meta.id,
      kind: "scheduled",
      signal: validation.value,
      publish_ms: validation.publishMs,
      expires_ms: Date.parse(validation.value.expires_at),
      source: meta.source,
      created_by: meta.actor,
      created_at: createdAt,
      created_ms: meta.createdMs,
      idempotency_key: meta.idempotencyKey,
      body_hash: meta.bodyHash,
      dedup_key: null,
      quality: null,
    });
    const signal = stagedView((await store.staged.findStaged(meta.id))!);
    await store.fires.appendEvent(
      { type: "signal.scheduled", actor: meta.actor, signal_id: meta.id, data: { source: meta.source, signal } },
      createdAt,
    );
    return signal;
  }

  /**
   * Validates and stores a signal once; answers `created: false` with the existing signal when
   * the same idempotency key, or the same body within 60 s, was already seen.
   */
  function create(input: SignalInput, options: CreateSignalOptions): Promise<{ signal: Signal; created: boolean }>;
  function create(
    input: SignalInput & { publish_at?: unknown },
    options: CreateSignalOptions,
  ): Promise<{ signal: Signal | StagedSignal; created: boolean }>;
  async function create(
    input: SignalInput & { publish_at?: unknown },
    options: CreateSignalOptions,
  ): Promise<{ signal: Signal | StagedSignal; created: boolean }> {
    const nowMs = clock.now();
    const bodyHash =
      options.dedupBody === undefined
        ? null
        : // Keys sorted: the same alert with its fields in another order is the same alert.
          createHash("sha256")
            .update(stableStringify(options.dedupBody) ?? "")
            .digest("hex");
    const key = options.idempotencyKey || null; // "" is no key: stored, it would match every other ""
    const sinceMs = nowMs - DEDUP_WINDOW_MS;
    const result = await store.transaction(async (): Promise<{ signal: Signal | StagedSignal; created: boolean }> => {
      // Copies of one alert delivered at once take turns here (the key first, then the body, always
      // in that order): the later ones find the first's signal.
      if (key) await store.signals.lockDedupKey(`key:${key}`);
      if (bodyHash) await store.signals.lockDedupKey(`body:${bodyHash}`);
      // A scheduled signal not yet published is found in the staged table, a published one here.
      if (key) {
        const existing = await store.signals.findByIdempotencyKey(key);
        if (existing) return { signal: existing, created: false };
        const staged = await store.staged.findStagedByIdempotencyKey(key);
        if (staged) return { signal: stagedView(staged), created: false };
      }
      if (bodyHash) {
        const existing = await store.signals.findRecentByBodyHash(bodyHash, sinceMs);
        if (existing) return { signal: existing, created: false };
        const staged = await store.staged.findRecentStagedByBodyHash(bodyHash, sinceMs);
        if (staged) return { signal: stagedView(staged), created: false };
      }
      const meta = {
        id: newSignalId(nowMs),
        createdMs: nowMs,
        source: options.source,
        actor: options.actor,
        idempotencyKey: key,
        bodyHash,
      };
      if (input.publish_at !== undefined && input.publish_at !== null)
        return { signal: await schedule(input, meta), created: true };
      const validation = validateSignal(input, nowMs, await symbolLookup(store, input.symbol));
      if (!validation.ok) throw new ApiError("BAD_REQUEST", validation.message, validation.field);
      return { signal: await insertPublicSignal(store, validation.value, meta), created: true };
    });
    if (result.created) {
      if (result.signal.status === "scheduled") {
        hub.emit("signal.scheduled", { signal: result.signal as StagedSignal, actor: options.actor });
      } else hub.emit("signal.created", { signal: result.signal as Signal, actor: options.actor });
    }
    return result;
  }

  return {
    create,

    /**
     * Cancels a signal (idempotent: cancelling a cancelled signal answers it as it is). A scheduled
     * signal not yet published is cancelled where it waits: it never goes out.
     */
    async cancel(id: string, actor: string): Promise<Signal | StagedSignal> {
      const nowMs = clock.now();
      const at = new Date(nowMs).toISOString();
      const changed = await store.transaction(async () => {
        const staged = await store.staged.findStaged(id);
        if (staged && staged.kind === "scheduled" && staged.state !== "published") {
          if (await store.staged.settleStaged(id, "cancelled", actor, at)) {
            await store.fires.appendEvent(
              { type: "signal.cancelled", actor, signal_id: id, data: { scheduled: true } },
              at,
            );
            return "staged" as const;
          }
          // A scheduler (here or on another instance) published it meanwhile: what went out is
          // cancelled below. Already cancelled or expired: answered as it is.
          if ((await store.staged.findStaged(id))?.state !== "published") return "staged" as const;
        }
        if (!(await store.signals.findSignal(id))) throw notFound("Signal");
        const did = await store.signals.cancelSignal(id, at);
        if (did) await store.fires.appendEvent({ type: "signal.cancelled", actor, signal_id: id }, at);
        return did;
      });
      if (changed === "staged") return stagedView((await store.staged.findStaged(id))!);
      const signal = (await store.signals.findSignal(id))!;
      if (changed) hub.emit("signal.cancelled", { signal, actor });
      return signal;
    },
  };
}

export type SignalService = ReturnType<typeof createSignalService>;
