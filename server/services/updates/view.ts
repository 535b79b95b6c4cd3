import { takeProfitLeg } from "../../../core/legs.ts";
import type { PositionCommandRow, TradeUpdateRow, UpdateProgress } from "../../../db/queries/updates/index.ts";
import type { Store } from "../../../db/store.ts";

/** An update or manage request as the API shows it. */
export interface UpdateView {
  id: string;
  signal_id: string;
  fire_id: string | null;
  action: string;
  leg: number | null;
  stop_loss: number | null;
  take_profit: number | null;
  note: string | null;
  source: string;
  created_at: string;
  positions: number;
  skipped: number;
  progress: UpdateProgress;
}

/** One position command as the API and the live events show it. */
export interface PositionCommandView {
  id: string;
  update_id: string;
  fire_id: string;
  leg: number;
  action: "modify" | "close";
  position_of: string;
  stop_loss: number | null;
  take_profit: number | null;
  state: string;
  message: string | null;
  deliveries: number;
}

export async function updateView(store: Store, row: TradeUpdateRow): Promise<UpdateView> {
  return {
    id: row.id,
    signal_id: row.signal_id,
    fire_id: row.fire_id,
    action: row.action,
    leg: row.leg,
    stop_loss: row.stop_loss,
    take_profit: row.take_profit,
    note: row.note,
    source: row.source,
    created_at: row.created_at,
    positions: row.positions,
    skipped: row.skipped,
    progress: await store.updates.progress(row.id),
  };
}

export function commandView(row: PositionCommandRow): PositionCommandView {
  return {
    id: row.id,
    update_id: row.update_id,
    fire_id: row.fire_id,
    leg: takeProfitLeg(row.leg),
    action: row.action,
    position_of: row.position_of,
    stop_loss: row.stop_loss,
    take_profit: row.take_profit,
    state: row.state,
    message: row.message,
    deliveries: row.deliveries,
  };
}
