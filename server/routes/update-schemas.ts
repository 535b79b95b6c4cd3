import { Type } from "typebox";

/** Response shapes of the trade-management routes (updates, manage requests, position commands). */
export const IntOrNull = Type.Unsafe<number | null>({ type: ["integer", "null"] });
export const NumOrNull = Type.Unsafe<number | null>({ type: ["number", "null"] });
export const StrOrNull = Type.Unsafe<string | null>({ type: ["string", "null"] });

const Progress = Type.Object({
  queued: Type.Integer(),
  delivered: Type.Integer(),
  applied: Type.Integer(),
  rejected: Type.Integer(),
  failed: Type.Integer(),
  superseded: Type.Integer(),
  skipped: Type.Integer(),
});

export const UpdateSchema = Type.Object({
  id: Type.String(),
  signal_id: Type.String(),
  fire_id: StrOrNull,
  action: Type.String(),
  leg: IntOrNull,
  stop_loss: NumOrNull,
  take_profit: NumOrNull,
  note: StrOrNull,
  source: Type.String(),
  created_at: Type.String(),
  positions: Type.Integer(),
  skipped: Type.Integer(),
  progress: Progress,
});

export const PositionCommand = Type.Object({
  id: Type.String(),
  update_id: Type.String(),
  fire_id: Type.String(),
  leg: Type.Integer(),
  action: Type.String(),
  position_of: Type.String(),
  stop_loss: NumOrNull,
  take_profit: NumOrNull,
  state: Type.String(),
  message: StrOrNull,
  deliveries: Type.Integer(),
});
