import { latenessMs, type StagedSignal, scheduledAction } from "../../core/schedule.ts";
import type { NewSignal } from "../../core/signal.ts";
import type { Signal } from "../../core/types.ts";
import type { StagedRow } from "../../db/queries/staged.ts";
import type { Store } from "../../db/store.ts";
import type { Clock } from "../clock.ts";
import type { Hub } from "../events/hub.ts";

/** A staged row as admins see it: the signal it will be, with what it is now. */
export function stagedView(row: StagedRow): StagedSignal {
  return {
    ...row.signal,
    id: row.id,
    status: row.state === "pending" ? row.kind : row.state,
    publish_at: row.publish_ms === null ? null : new Date(row.publish_ms).toISOString(),
    created_at: row.created_at,
    cancelled_at: row.state === "cancelled" ? row.decided_at : null,
    source: row.source,
  };
}

export interface PublishMeta {
  id: string;
  createdMs: number;
  source: string;
  actor: string;
  idempotencyKey: string | null;
  bodyHash: string | null;
  /** Extra data for the `signal.created` event (scheduled moment, lateness, draft). */
  event?: Record<string, unknown>;
}

/**
 * Inserts a validated signal as a public one (`active`), with its automatic-breakeven flag and its
 * `signal.created` event. Call inside a transaction; the caller emits `signal.created` on the hub
 * after the commit (that posts the alerts).
 */
export async function insertPublicSignal(store: Store, value: NewSignal, meta: PublishMeta): Promise<Signal> {
  const createdAt = new Date(meta.createdMs).toISOString();
  const signal = await store.signals.insertSignal(value, {
    id: meta.id,
    createdAt,
    createdMs: meta.createdMs,
    source: meta.source,
    createdBy: meta.actor,
    idempotencyKey: meta.idempotencyKey,
    bodyHash: meta.bodyHash,
  });
  if (value.breakeven_after_tp1) await store.updates.setBreakevenAfterTp1(signal.id, true);
  signal.breakeven_after_tp1 = value.breakeven_after_tp1 === true;
  await store.fires.appendEvent(
    {
      type: "signal.created",
      actor: meta.actor,
      signal_id: signal.id,
      data: { source: meta.source, signal, ...meta.event },
    },
    createdAt,
  );
  return signal;
}

export type PublishOutcome =
  | { published: true; signal: Signal; latenessMs: number }
  | { published: false; reason: "not_pending" | "expired" | "not_due" };

/**
 * Signals not yet public (scheduled ones and engine drafts): publish, cancel, reject, expire.
 * Every change is claimed in the database (`state = 'pending'` → final), so a signal is published
 * at most once, whoever tries: the timer, a restart, another instance, two admins tapping Approve.
 */
export function createStagedService(deps: { store: Store; hub: Hub; clock: Clock }) {
  const { store, hub, clock } = deps;
  const iso = (ms: number) => new Date(ms).toISOString();

  /**
   * Publishes a pending staged signal now: claim, insert into `signals` under the same id, event;
   * then `signal.created` on the hub (alerts as usual). A scheduled one is published only once
   * due, and expires instead when its signal expired while it waited.
   */
  async function publish(id: string, actor: string): Promise<PublishOutcome> {
    const nowMs = clock.now();
    const outcome = await store.transaction(async (): Promise<PublishOutcome> => {
      const row = await store.staged.findStaged(id);
      if (row?.state !== "pending") return { published: false, reason: "not_pending" };
      if (row.kind === "scheduled") {
        const action = scheduledAction(row.publish_ms!, Date.parse(row.signal.expires_at), nowMs);
        if (action === "wait") return { published: false, reason: "not_due" };
        if (action === "expire") {
          if (await store.staged.settleStaged(id, "expired", actor, iso(nowMs), latenessMs(row.publish_ms!, nowMs))) {
            await store.fires.appendEvent({ type: "signal.schedule_expired", actor, signal_id: id }, iso(nowMs));
          }
          return { published: false, reason: "expired" };
        }
      } else if (nowMs >= row.expires_ms || Date.parse(row.signal.expires_at) <= nowMs) {
        return { published: false, reason: "expired" };
      }
      const lateness = row.kind === "scheduled" ? latenessMs(row.publish_ms!, nowMs) : null;
      if (!(await store.staged.settleStaged(id, "published", actor, iso(nowMs), lateness))) {
        return { published: false, reason: "not_pending" };
      }
      const signal = await insertPublicSignal(store, row.signal, {
        id: row.id,
        createdMs: nowMs,
        source: row.source,
        actor: row.created_by ?? actor,
        idempotencyKey: row.idempotency_key,
        bodyHash: row.body_hash,
        event:
          row.kind === "scheduled"
            ? { publish_at: iso(row.publish_ms!), lateness_ms: lateness, published_by: actor }
            : { draft: true, approved_by: actor },
      });
      return { published: true, signal, latenessMs: lateness ?? 0 };
    });
    if (outcome.published) hub.emit("signal.created", { signal: outcome.signal, actor });
    return outcome;
  }

  /** Moves a pending staged signal to a final state other than published; false when not pending. */
  function settle(
    id: string,
    state: "cancelled" | "rejected" | "expired",
    actor: string,
  ): Promise<StagedSignal | null> {
    const at = iso(clock.now());
    return store.transaction(async () => {
      if (!(await store.staged.settleStaged(id, state, actor, at))) return null;
      const type = state === "cancelled" ? "signal.cancelled" : `signal.draft_${state}`;
      await store.fires.appendEvent({ type, actor, signal_id: id, data: { staged: true } }, at);
      return stagedView((await store.staged.findStaged(id))!);
    });
  }

  return {
    publish,
    settle,
    async find(id: string): Promise<StagedSignal | null> {
      const row = await store.staged.findStaged(id);
      return row ? stagedView(row) : null;
    },
    /** Pending scheduled signals, soonest first. */
    async listScheduled(limit = 50): Promise<StagedSignal[]> {
      return (await store.staged.listPending("scheduled", limit)).map(stagedView);
    },
  };
}

export type StagedService = ReturnType<typeof createStagedService>;
