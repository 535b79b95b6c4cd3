import { openRisk } from "../../../core/open-risk.ts";
import type { OpenPositionRow } from "../../../db/queries/updates/index.ts";
import type { FireView } from "../../../db/rows.ts";
import type { Store } from "../../../db/store.ts";

/**
 * `fires` with `open_risk` on each filled one: its money at risk at the stops its positions have now
 * (core/open-risk.ts), so a stop moved to breakeven shows as nothing at risk. Like `risk_amount`, a
 * fire over several terminals counts the terminal whose figures `risk_amount` carries (the first
 * that was sent: accounts may be in different currencies). One read of the trader's open positions.
 */
export async function withOpenRisk(
  store: Store,
  userId: number,
  fires: readonly FireView[],
): Promise<Array<FireView & { open_risk?: number | null }>> {
  if (!fires.some((f) => f.state === "filled")) return [...fires];
  const byFire = new Map<string, OpenPositionRow[]>();
  for (const p of await store.updates.listOpenPositionsOfUser(userId)) {
    const list = byFire.get(p.fire_id) ?? [];
    list.push(p);
    byFire.set(p.fire_id, list);
  }
  return fires.map((fire) => {
    if (fire.state !== "filled") return fire;
    const first = fire.terminals?.find((t) => t.status === "sent");
    const positions = (byFire.get(fire.id) ?? []).filter(
      (p) => first?.bridge_user_id === undefined || p.user_id === first.bridge_user_id,
    );
    const sized = { side: fire.side, lots: first ? first.lots : fire.lots, riskAmount: fire.risk_amount };
    const open = positions.map((p) => ({
      volume: p.volume,
      fill: p.fill_price,
      stop: p.stop_loss,
      entry: p.entry,
      openedStop: p.opened_stop,
    }));
    return { ...fire, open_risk: openRisk(sized, open) };
  });
}
