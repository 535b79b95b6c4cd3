import { UPDATE_ACTIONS } from "../../core/trade-update.ts";
import type { AppContext } from "../context.ts";
import { ApiError, badRequest, notFound } from "../errors.ts";

/** TradingView alert actions that manage a signal's open trades instead of opening one. */
const HOOK_UPDATE_ACTIONS = new Set<string>(UPDATE_ACTIONS);

/** True when a webhook alert asks for an update (`"action": "close" | "breakeven" | "move_sl" | "move_tp"`). */
export function isUpdateAlert(body: Record<string, unknown>): boolean {
  return typeof body.action === "string" && HOOK_UPDATE_ACTIONS.has(body.action.trim().toLowerCase());
}

const num = (v: unknown) => (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v);

/**
 * An update from a TradingView alert. The signal is named by `signal_id` (or `id`), or by the
 * `idempotency_key` it was created with; the alert's own `update_key` (or, failing that, the alert
 * body) makes a redelivered alert one update. Prices may be strings, as TradingView sends them.
 */
export async function updateFromHook(ctx: AppContext, body: Record<string, unknown>, bodyKey: string) {
  const signalRef = body.signal_id ?? body.id;
  const signalKey = body.idempotency_key;
  let signalId: string | null = null;
  if (typeof signalRef === "string" && signalRef !== "") signalId = signalRef;
  else if (typeof signalKey === "string" && signalKey !== "") {
    signalId = (await ctx.store.signals.findByIdempotencyKey(signalKey))?.id ?? null;
    if (!signalId) throw notFound("Signal");
  } else
    throw new ApiError("BAD_REQUEST", "an update alert needs signal_id or the signal's idempotency_key", "signal_id");
  if (signalId.length > 64) throw badRequest("signal_id is too long", "signal_id");
  const updateKey = body.update_key;
  if (updateKey !== undefined && (typeof updateKey !== "string" || updateKey.length === 0 || updateKey.length > 100)) {
    throw new ApiError("BAD_REQUEST", "update_key must be a string of 1–100 characters", "update_key");
  }
  const input = {
    action: String(body.action).trim().toLowerCase(),
    stop_loss: num(body.stop_loss ?? body.sl),
    take_profit: num(body.take_profit ?? body.tp),
    leg: num(body.leg),
    note: body.note ?? body.comment,
  };
  return ctx.updates.create(signalId, input, {
    source: "webhook",
    actor: "webhook",
    idempotencyKey: `hook:${typeof updateKey === "string" ? updateKey : bodyKey}`,
  });
}
