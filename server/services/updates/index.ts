import { changeFor, speaksManage, type UpdateInput } from "../../../core/trade-update.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import { ApiError, notFound } from "../../errors.ts";
import type { Hub } from "../../events/hub.ts";
import { newManageId } from "../../ids.ts";
import { type Emit, flush } from "../bridge/changes.ts";
import { announce, createIn } from "./admin.ts";
import { replay, validated } from "./checks.ts";
import { issue, rowFor } from "./issue.ts";
import type { UpdateOptions } from "./options.ts";
import { type UpdateView, updateView } from "./view.ts";

export type { UpdateOptions, UpdateSource } from "./options.ts";

/**
 * Updates after entry: an admin update of a signal (every open position) or a trader's request on
 * their own fire. Each is stored once, with one modify/close command per open position in the same
 * transaction (positions on protocol-1 terminals are recorded `skipped`, never sent), audit events
 * per fire, and hub events after the commit (terminals woken, live updates, the bot's messages).
 */
export function createUpdateService(deps: { store: Store; hub: Hub; clock: Clock }) {
  const { store, hub, clock } = deps;

  const service = {
    /**
     * One admin update for every open position of the signal. Allowed whatever the signal's status
     * (positions outlive the entry window and a cancel); with nothing open it is still recorded
     * (`positions: 0`). `created: false` = the same Idempotency-Key was seen (the stored update).
     */
    async create(
      signalId: string,
      input: UpdateInput,
      options: UpdateOptions,
      fromLeg?: number,
    ): Promise<{ update: UpdateView; created: boolean }> {
      const nowMs = clock.now();
      const events: Emit = [];
      const result = await store.transaction(() => {
        events.length = 0; // a transaction retried on PostgreSQL starts over
        return createIn(store, signalId, input, options, fromLeg, nowMs, events);
      });
      return announce(store, hub, result, events);
    },

    /**
     * A trader's request on their own fire. Another user's fire is not found (404, nothing to
     * probe); nothing open → NOTHING_OPEN; a protocol-1 terminal → EA_TOO_OLD (nothing queued).
     */
    async manage(
      userId: number,
      fireId: string,
      input: UpdateInput,
      idempotencyKey?: string | null,
    ): Promise<{ update: UpdateView; created: boolean }> {
      const nowMs = clock.now();
      const events: Emit = [];
      const result = await store.transaction(async () => {
        events.length = 0; // a transaction retried on PostgreSQL starts over
        const fire = await store.fires.findFireById(fireId);
        if (!fire || fire.user_id !== userId) throw notFound("Fire");
        const signal = (await store.signals.findSignal(fire.signal_id))!;
        const spec = validated(signal, input);
        const key = idempotencyKey ? `manage:${userId}:${idempotencyKey}` : null;
        const existing = await replay(store, key, { signal_id: signal.id, fire_id: fire.id }, spec);
        if (existing) return { row: existing, created: false };
        const open = (await store.updates.listOpenPositionsOfFire(fire.id)).filter((p) => changeFor(spec, p) !== null);
        if (open.length === 0) {
          throw new ApiError(
            "NOTHING_OPEN",
            spec.leg === null ? "This trade has no open position" : `Leg ${spec.leg} has no open position`,
          );
        }
        if (!speaksManage(await store.updates.findProtocol(userId))) {
          throw new ApiError(
            "EA_TOO_OLD",
            "Your terminal's Sortie EA speaks protocol 1 only: install the latest SortieBridge to manage trades from here",
          );
        }
        const row = rowFor(newManageId(nowMs), signal, spec, nowMs, {
          fire_id: fire.id,
          user_id: userId,
          source: "manage",
          actor: `tg:${userId}`,
          idempotency_key: key,
        });
        await issue(store, row, spec, open, events);
        return { row, created: true };
      });
      flush(hub, events);
      return { update: await updateView(store, result.row), created: result.created };
    },

    /** The signal's admin updates, oldest first (404 for an unknown signal). */
    async list(signalId: string): Promise<UpdateView[]> {
      if (!(await store.signals.findSignal(signalId))) throw notFound("Signal");
      const rows = await store.updates.listSignalUpdates(signalId);
      return Promise.all(rows.map((row) => updateView(store, row)));
    },

    /** The automatic breakeven of a `breakeven_after_tp1` signal: made once, by the first leg-1 close in profit. */
    async autoBreakeven(signalId: string): Promise<UpdateView | null> {
      // Claimed in the update's own transaction, so a crash cannot claim it without making it; a
      // repeated closed report finds it claimed and does nothing.
      const nowMs = clock.now();
      const events: Emit = [];
      const result = await store.transaction(async () => {
        events.length = 0;
        if (!(await store.updates.claimAutoBreakeven(signalId))) return null;
        const input = { action: "breakeven", note: "TP1 hit: stop to breakeven" };
        // "The remaining legs": leg 1 has just closed at its target (or is about to, elsewhere).
        return createIn(store, signalId, input, { source: "auto", actor: "sortie" }, 2, nowMs, events);
      });
      return result ? (await announce(store, hub, result, events)).update : null;
    },
  };
  return service;
}

export type UpdateService = ReturnType<typeof createUpdateService>;
