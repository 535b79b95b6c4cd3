import { type NewSignal, type SignalInput, type SymbolLookup, validateSignal } from "./signal.ts";
import type { Signal } from "./types.ts";

/** Furthest a signal may be scheduled ahead (CONTRACT.md, "Scheduled signals"). */
export const MAX_SCHEDULE_AHEAD_MS = 7 * 24 * 3600 * 1000;

/**
 * A signal that is not (yet) public: `scheduled` waits for `publish_at`; `draft` is an engine
 * proposal waiting for an admin. Traders never see either: they live outside the signals table.
 */
export type StagedStatus = "scheduled" | "draft" | "published" | "cancelled" | "expired" | "rejected";

/** A staged signal as admins see it: the signal it will become, plus when and what happened. */
export type StagedSignal = Omit<Signal, "status"> & {
  status: StagedStatus;
  /** Scheduled: the moment it goes out. Drafts: null. */
  publish_at: string | null;
};

export type ScheduledValidation =
  | { ok: true; value: NewSignal; publishMs: number }
  | { ok: false; field: string; message: string };

/**
 * Validates a scheduled signal: `publish_at` an ISO-8601 time in the future and at most 7 days
 * ahead, then the signal itself as if submitted at `publish_at` — so a relative expiry
 * (`expires_in_min`) counts from publication, and `expires_at` must come after `publish_at`.
 */
export function validateScheduled(
  input: SignalInput & { publish_at?: unknown },
  nowMs: number,
  lookup?: SymbolLookup,
): ScheduledValidation {
  const raw = input.publish_at;
  const publishMs = typeof raw === "string" ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(publishMs))
    return { ok: false, field: "publish_at", message: "publish_at must be an ISO-8601 date-time" };
  if (publishMs <= nowMs) return { ok: false, field: "publish_at", message: "publish_at must be in the future" };
  if (publishMs - nowMs > MAX_SCHEDULE_AHEAD_MS)
    return { ok: false, field: "publish_at", message: "publish_at must be at most 7 days ahead" };
  const result = validateSignal(input, publishMs, lookup);
  if (!result.ok) {
    // Judged at publish_at, "in the future" means "after publish_at": say so.
    return result.field === "expires_at" && /in the future/.test(result.message)
      ? { ok: false, field: "expires_at", message: "expires_at must be after publish_at" }
      : result;
  }
  return { ok: true, value: result.value, publishMs };
}

/** How late a publication was: never negative (a timer firing early waits, it never publishes early). */
export function latenessMs(publishMs: number, nowMs: number): number {
  return Math.max(0, nowMs - publishMs);
}

/**
 * What to do with a scheduled signal at `nowMs`: wait (not yet due), publish (due and not
 * expired), or expire (its expiry passed while it waited, e.g. the server was down).
 */
export function scheduledAction(publishMs: number, expiresMs: number, nowMs: number): "wait" | "publish" | "expire" {
  if (nowMs < publishMs) return "wait";
  return nowMs < expiresMs ? "publish" : "expire";
}

/**
 * The status a reader sees, for a public signal or a staged one: a staged signal says what it is
 * (`scheduled`, `draft`, …); a public one is `active`, `expired` past its expiry, or `cancelled`.
 */
export function statusOf(signal: Pick<Signal | StagedSignal, "status" | "expires_at">, nowMs: number): string {
  if (signal.status === "cancelled") return "cancelled";
  if (signal.status !== "active" && signal.status !== "expired") return signal.status;
  return Date.parse(signal.expires_at) <= nowMs ? "expired" : "active";
}
