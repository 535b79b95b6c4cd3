/** JSON shapes of trade management (docs/API.md, `GET /api/fires/:id/positions`, `POST /api/fires/:id/manage`). Types only. */

/** A trade-management request or a signal update that reached the fire (`GET /api/fires/:id/positions`). */
export interface TradeRequest {
  id: string;
  fire_id: string | null;
  action: string;
  leg: number | null;
  stop_loss: number | null;
  take_profit: number | null;
  source: string;
  created_at: string;
  positions: number;
  skipped: number;
  progress: { queued: number; delivered: number; applied: number; rejected: number; failed: number };
}

export interface PositionCommand {
  id: string;
  update_id: string;
  leg: number;
  action: "modify" | "close";
  stop_loss: number | null;
  take_profit: number | null;
  state: string;
  message: string | null;
}

export interface TimelineEntry {
  at: string;
  kind: string;
  leg: number | null;
  text: string;
}

export interface FirePositions {
  fire_id: string;
  manageable: boolean;
  open: Array<{ leg: number; position_of: string; fill_price: number; stop_loss: number; take_profit: number | null }>;
  requests: TradeRequest[];
  commands: PositionCommand[];
  timeline: TimelineEntry[];
}

export interface ManageBody {
  action: "breakeven" | "close" | "move_sl" | "move_tp";
  leg?: number;
  stop_loss?: number;
  take_profit?: number;
}
