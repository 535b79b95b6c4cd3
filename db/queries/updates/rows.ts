/** Row shapes of `trade_updates` and `position_commands` (both engines). */
import type { UpdateAction } from "../../../core/trade-update.ts";

/** A `trade_updates` row: an admin update of a signal, or a trader's manage request on a fire. */
export interface TradeUpdateRow {
  id: string;
  signal_id: string;
  fire_id: string | null;
  user_id: number | null;
  action: UpdateAction;
  leg: number | null;
  stop_loss: number | null;
  take_profit: number | null;
  note: string | null;
  source: string;
  actor: string | null;
  idempotency_key: string | null;
  positions: number;
  skipped: number;
  created_at: string;
  created_ms: number;
}

export type PositionCommandState =
  | "queued"
  | "delivered"
  | "applied"
  | "rejected"
  | "failed"
  | "superseded"
  | "skipped";

/** A `position_commands` row: one modify/close for one open position. */
export interface PositionCommandRow {
  id: string;
  update_id: string;
  fire_id: string;
  user_id: number;
  leg: number;
  position_of: string;
  action: "modify" | "close";
  stop_loss: number | null;
  take_profit: number | null;
  payload: string;
  state: PositionCommandState;
  deliveries: number;
  created_ms: number;
  delivered_ms: number | null;
  first_delivered_ms: number | null;
  retcode: number | null;
  message: string | null;
  result_ms: number | null;
}

/** An open position (a filled leg without a close on its way) with its current levels. */
export interface OpenPositionRow {
  position_of: string;
  fire_id: string;
  user_id: number;
  leg: number;
  symbol: string;
  side: "BUY" | "SELL";
  fill_price: number;
  /** Lots filled (what is open). */
  volume: number;
  /** The signal's entry and stop the position was opened with (what the fire was sized on). */
  entry: number;
  opened_stop: number;
  /** The stop and target it has now (its latest modify not refused, else the open order's). */
  stop_loss: number;
  take_profit: number | null;
  protocol: string | null;
}

/** Counts of an update's position commands by state. */
export interface UpdateProgress {
  queued: number;
  delivered: number;
  applied: number;
  rejected: number;
  failed: number;
  superseded: number;
  skipped: number;
}

/** An update's progress from its commands counted by state (states without commands count 0). */
export function progressOf(counts: ReadonlyArray<{ state: keyof UpdateProgress; n: number | string }>): UpdateProgress {
  const out: UpdateProgress = {
    queued: 0,
    delivered: 0,
    applied: 0,
    rejected: 0,
    failed: 0,
    superseded: 0,
    skipped: 0,
  };
  for (const r of counts) out[r.state] = Number(r.n);
  return out;
}
