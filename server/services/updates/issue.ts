import type { CloseCommand, ModifyCommand } from "../../../bridge/protocol.ts";
import { takeProfitLeg } from "../../../core/legs.ts";
import { changeFor, speaksManage, type TradeUpdateSpec } from "../../../core/trade-update.ts";
import type { Signal } from "../../../core/types.ts";
import type { OpenPositionRow, TradeUpdateRow } from "../../../db/queries/updates/index.ts";
import type { Store } from "../../../db/store.ts";
import { newPositionCommandId } from "../../ids.ts";
import type { Emit } from "../bridge/changes.ts";

/** Inserts the update and its commands; returns the users whose terminals were skipped. Inside a transaction. */
export async function issue(
  store: Store,
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
      leg: takeProfitLeg(position.leg), // as the terminal's open command said it (core/legs.ts)
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

export function rowFor(
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
