import type { CloseCommand, ModifyCommand } from "../../../bridge/protocol.ts";
import {
  changeFor,
  speaksManage,
  type TradeUpdateSpec,
  type UpdateInput,
  validateUpdate,
} from "../../../core/trade-update.ts";
import type { Signal } from "../../../core/types.ts";
import type { OpenPositionRow, TradeUpdateRow } from "../../../db/queries/updates.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import { ApiError, notFound } from "../../errors.ts";
import type { Hub } from "../../events/hub.ts";
import { newManageId, newPositionCommandId, newUpdateId } from "../../ids.ts";
import { type Emit, flush } from "../bridge/changes.ts";
import { type UpdateView, updateView } from "./view.ts";

export type UpdateSource = "api" | "bot" | "webhook" | "auto";

export interface UpdateOptions {
  source: UpdateSource;
  /** Who did it, for the event log: "tg:<id>", "admin-token", "webhook", "sortie". */
  actor: string;
  idempotencyKey?: string | null;
}

/**
 * Updates after entry: an admin update of a signal (every open position) or a trader's request on
 * their own fire. Each is stored once, with one modify/close command per open position in the same
 * transaction (positions on protocol-1 terminals are recorded `skipped`, never sent), audit events
 * per fire, and hub events after the commit (terminals woken, live updates, the bot's messages).
 */
export function createUpdateService(deps: { store: Store; hub: Hub; clock: Clock }) {
  const { store, hub, clock } = deps;

  function validated(signal: Signal, input: UpdateInput): TradeUpdateSpec {
    const result = validateUpdate(input, signal);
    if (!result.ok) throw new ApiError("BAD_REQUEST", result.message, result.field);
    return result.value;
  }

  /** Same key again: the stored update, when it asks the same thing of the same target. */
  async function replay(
    key: string | null | undefined,
    target: { signal_id: string; fire_id: string | null },
    spec: TradeUpdateSpec,
  ) {
    if (!key) return null;
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

  /** Inserts the update and its commands; returns the users whose terminals were skipped. Inside a transaction. */
  async function issue(
    row: TradeUpdateRow,
    spec: TradeUpdateSpec,
    open: OpenPositionRow[],
    events: Emit,
  ): Promise<number[]> {
    await store.updates.insertUpdate(row);
    let positions = 0;
    let skipped = 0;
    const skippedUsers = new Set<number>();
    const perFire = new Map<string, { user_id: number; commands: string[]; skipped: number }>();
    for (const position of open) {
      const change = changeFor(spec, position);
      if (!change) continue;
      const id = newPositionCommandId(row.created_ms);
      const base = {
        id,
        fire_id: position.fire_id,
        leg: position.leg,
        symbol: position.symbol,
        position_of: position.position_of,
      };
      const command: ModifyCommand | CloseCommand =
        change.action === "modify"
          ? { ...base, action: "modify", stop_loss: change.stop_loss, take_profit: change.take_profit }
          : { ...base, action: "close", volume: null };
      const sendable = speaksManage(position.protocol);
      await store.updates.insertPositionCommand({
        id,
        update_id: row.id,
        fire_id: position.fire_id,
        user_id: position.user_id,
        leg: position.leg,
        position_of: position.position_of,
        action: change.action,
        stop_loss: change.action === "modify" ? change.stop_loss : null,
        take_profit: change.action === "modify" ? change.take_profit : null,
        payload: JSON.stringify(command),
        state: sendable ? "queued" : "skipped",
        created_ms: row.created_ms,
      });
      const fire = perFire.get(position.fire_id) ?? { user_id: position.user_id, commands: [], skipped: 0 };
      perFire.set(position.fire_id, fire);
      if (sendable) {
        positions++;
        fire.commands.push(id);
      } else {
        skipped++;
        fire.skipped++;
        skippedUsers.add(position.user_id);
      }
    }
    await store.updates.setUpdateCounts(row.id, positions, skipped);
    row.positions = positions;
    row.skipped = skipped;
    const wake = new Set<number>();
    for (const [fireId, fire] of perFire) {
      await store.fires.appendEvent(
        {
          type: row.fire_id ? "manage.queued" : "update.queued",
          actor: row.actor,
          user_id: fire.user_id,
          signal_id: row.signal_id,
          fire_id: fireId,
          data: {
            update_id: row.id,
            action: row.action,
            leg: row.leg,
            stop_loss: row.stop_loss,
            take_profit: row.take_profit,
            commands: fire.commands,
            skipped: fire.skipped,
          },
        },
        row.created_at,
      );
      if (fire.commands.length > 0) wake.add(fire.user_id);
      events.push(["position.updated", { fire_id: fireId, user_id: fire.user_id, update_id: row.id }]);
    }
    for (const userId of wake) events.push(["commands.ready", { user_id: userId }]);
    return [...skippedUsers];
  }

  function rowFor(
    id: string,
    signal: Signal,
    spec: TradeUpdateSpec,
    nowMs: number,
    extra: Partial<TradeUpdateRow>,
  ): TradeUpdateRow {
    return {
      id,
      signal_id: signal.id,
      fire_id: null,
      user_id: null,
      action: spec.action,
      leg: spec.leg,
      stop_loss: spec.stop_loss,
      take_profit: spec.take_profit,
      note: spec.note,
      source: "api",
      actor: null,
      idempotency_key: null,
      positions: 0,
      skipped: 0,
      created_at: new Date(nowMs).toISOString(),
      created_ms: nowMs,
      ...extra,
    };
  }

  interface Created {
    row: TradeUpdateRow;
    created: boolean;
    signal: Signal;
    skippedUsers: number[];
  }

  /** The admin update of `create`, stored; call inside a transaction (hub events go to `events`). */
  async function createIn(
    signalId: string,
    input: UpdateInput,
    options: UpdateOptions,
    fromLeg: number | undefined,
    nowMs: number,
    events: Emit,
  ): Promise<Created> {
    const signal = await store.signals.findSignal(signalId);
    if (!signal) throw notFound("Signal");
    const spec = { ...validated(signal, input), ...(fromLeg ? { from_leg: fromLeg } : {}) };
    const existing = await replay(options.idempotencyKey, { signal_id: signal.id, fire_id: null }, spec);
    if (existing) return { row: existing, created: false, signal, skippedUsers: [] };
    const row = rowFor(newUpdateId(nowMs), signal, spec, nowMs, {
      source: options.source,
      actor: options.actor,
      idempotency_key: options.idempotencyKey ?? null,
    });
    const skippedUsers = await issue(row, spec, await store.updates.listOpenPositionsOfSignal(signal.id), events);
    await store.fires.appendEvent(
      {
        type: "update.created",
        actor: options.actor,
        signal_id: signal.id,
        data: { ...row, idempotency_key: undefined },
      },
      row.created_at,
    );
    return { row, created: true, signal, skippedUsers };
  }

  /** After the commit: the live events, then `update.created` for a new update (the bot's messages). */
  async function announce(result: Created, events: Emit): Promise<{ update: UpdateView; created: boolean }> {
    flush(hub, events);
    const update = await updateView(store, result.row);
    if (result.created)
      hub.emit("update.created", { update, signal: result.signal, skippedUsers: result.skippedUsers });
    return { update, created: result.created };
  }

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
        return createIn(signalId, input, options, fromLeg, nowMs, events);
      });
      return announce(result, events);
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
        const existing = await replay(key, { signal_id: signal.id, fire_id: fire.id }, spec);
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
        await issue(row, spec, open, events);
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
        return createIn(signalId, input, { source: "auto", actor: "sortie" }, 2, nowMs, events);
      });
      return result ? (await announce(result, events)).update : null;
    },
  };
  return service;
}

export type UpdateService = ReturnType<typeof createUpdateService>;
