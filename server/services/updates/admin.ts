import type { UpdateInput } from "../../../core/trade-update.ts";
import type { Signal } from "../../../core/types.ts";
import type { TradeUpdateRow } from "../../../db/queries/updates/index.ts";
import type { Store } from "../../../db/store.ts";
import { notFound } from "../../errors.ts";
import type { Hub } from "../../events/hub.ts";
import { newUpdateId } from "../../ids.ts";
import { type Emit, flush } from "../bridge/changes.ts";
import { replay, validated } from "./checks.ts";
import { issue, rowFor } from "./issue.ts";
import type { UpdateOptions } from "./options.ts";
import { type UpdateView, updateView } from "./view.ts";

export interface Created {
  row: TradeUpdateRow;
  created: boolean;
  signal: Signal;
  skippedUsers: number[];
}

/** The admin update of `create`, stored; call inside a transaction (hub events go to `events`). */
export async function createIn(
  store: Store,
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
  const existing = await replay(store, options.idempotencyKey, { signal_id: signal.id, fire_id: null }, spec);
  if (existing) return { row: existing, created: false, signal, skippedUsers: [] };
  const row = rowFor(newUpdateId(nowMs), signal, spec, nowMs, {
    source: options.source,
    actor: options.actor,
    idempotency_key: options.idempotencyKey ?? null,
  });
  const skippedUsers = await issue(store, row, spec, await store.updates.listOpenPositionsOfSignal(signal.id), events);
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
export async function announce(
  store: Store,
  hub: Hub,
  result: Created,
  events: Emit,
): Promise<{ update: UpdateView; created: boolean }> {
  flush(hub, events);
  const update = await updateView(store, result.row);
  if (result.created) hub.emit("update.created", { update, signal: result.signal, skippedUsers: result.skippedUsers });
  return { update, created: result.created };
}
