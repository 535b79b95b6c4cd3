import { DEFAULT_SPECS } from "../../../core/instruments/index.ts";
import { roundMoney, roundTo } from "../../../core/money.ts";
import { type CommandRow, commandPayload, fireStateOf } from "../../../db/queries/commands.ts";
import type { FireView } from "../../../db/rows.ts";
import type { Store } from "../../../db/store.ts";

/**
 * Re-derives a fire's fields from its legs (state, volume-weighted fill price, slippage against
 * the signal's entry in pips — positive means a worse price than planned —, delivery latency,
 * profit, first failure message) and writes them. Call inside the transaction that changed a leg.
 *
 * The fire's row is locked before its legs are read (PostgreSQL: FOR UPDATE; SQLite has one
 * writer). Two transactions may re-derive one fire at once there: the delivery's bookkeeping and
 * a fill right behind it. Without the lock, the first read the legs before the fill committed,
 * then wrote its older state over the fill's: the fire stayed "delivered" with its leg filled.
 * Every caller changes legs before the fire, so the locks are always taken in that order.
 */
export async function recomputeFire(
  store: Store,
  fireId: string,
  nowMs: number,
): Promise<{ before: FireView; after: FireView }> {
  await store.terminals.lockFire(fireId);
  const before = (await store.fires.findFireById(fireId))!;
  const legs = await store.commands.listLegs(fireId);
  const state = fireStateOf(legs);
  const filled = legs.filter(
    (l): l is CommandRow & { price: number } => (l.state === "filled" || l.state === "closed") && l.price !== null,
  );
  const filledVolume = filled.reduce((sum, l) => sum + (l.volume ?? commandPayload(l).volume), 0);
  const fillPrice =
    filled.length > 0 && filledVolume > 0
      ? filled.reduce((sum, l) => sum + l.price * (l.volume ?? commandPayload(l).volume), 0) / filledVolume
      : null;
  const first = legs[0] ? commandPayload(legs[0]) : null;
  const pipSize = DEFAULT_SPECS.get(before.symbol)?.pipSize ?? null;
  const slippage =
    fillPrice !== null && first && pipSize
      ? roundTo((before.side === "BUY" ? fillPrice - first.entry : first.entry - fillPrice) / pipSize, 1)
      : null;
  const delivered = legs.map((l) => l.first_delivered_ms).filter((ms): ms is number => ms !== null);
  const latency = delivered.length > 0 ? Math.min(...delivered) - Date.parse(before.created_at) : null;
  const closedLegs = legs.filter((l) => l.state === "closed");
  const profit = closedLegs.length > 0 ? roundMoney(closedLegs.reduce((sum, l) => sum + (l.profit ?? 0), 0)) : null;
  const failure = legs.find(
    (l) => (l.state === "rejected" || l.state === "failed" || l.state === "expired") && l.message,
  );
  const closedAt =
    state === "closed"
      ? closedLegs
          .map((l) => l.closed_at ?? "")
          .sort()
          .at(-1) || new Date(nowMs).toISOString()
      : null;
  await store.commands.updateFire({
    id: fireId,
    state,
    fill_price: finiteOrNull(
      // The average of the legs' prices at the symbol's digits (never 1.0852499999999998).
      fillPrice === null
        ? null
        : roundTo(
            fillPrice,
            DEFAULT_SPECS.get(before.symbol)?.digits ?? decimalsOf(...filled.map((l) => l.price), first?.entry ?? 0),
          ),
    ),
    slippage_pips: finiteOrNull(slippage),
    latency_ms: latency,
    profit: finiteOrNull(profit),
    message: state === "filled" || state === "closed" ? null : (failure?.message ?? null),
    now: new Date(nowMs).toISOString(),
    closed_at: closedAt,
    closed_ms: closedAt ? Date.parse(closedAt) : null,
  });
  return { before, after: (await store.fires.findFireById(fireId))! };
}

/**
 * Derived figures must stay finite: SQLite keeps Infinity, and a fire holding one can no longer be
 * serialised (every read of it answered 500). The routes bound what terminals report; this guards
 * the other transports and any sum that still overflows.
 */
function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

function decimalsOf(...prices: number[]): number {
  return Math.min(8, Math.max(...prices.map((p) => (p.toString().split(".")[1] ?? "").length), 2));
}
