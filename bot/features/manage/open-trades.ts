import { takeProfitLeg } from "../../../core/legs.ts";
import type { AppContext } from "../../../server/context.ts";
import { escapeHtml } from "../../format/common.ts";
import type { Button } from "../../messenger.ts";
import { actionButtons } from "./actions.ts";

/** A trader's open positions (own only) for /trades: lines, and each trade's management buttons. */
export async function openTrades(app: AppContext, userId: number): Promise<{ lines: string[]; buttons: Button[][] }> {
  const byFire = new Map<string, Array<{ leg: number; fill: number; stop: number; target: number | null }>>();
  for (const p of await app.store.updates.listOpenPositionsOfUser(userId)) {
    const legs = byFire.get(p.fire_id) ?? [];
    legs.push({ leg: takeProfitLeg(p.leg), fill: p.fill_price, stop: p.stop_loss, target: p.take_profit });
    byFire.set(p.fire_id, legs);
  }
  if (byFire.size === 0) return { lines: [], buttons: [] };
  const lines = ["", "🟢 <b>Open positions</b>"];
  const buttons: Button[][] = [];
  for (const [fireId, legs] of [...byFire].slice(0, 5)) {
    const fire = (await app.store.fires.findFireById(fireId))!;
    lines.push(`<b>${escapeHtml(fire.symbol)} ${fire.side}</b>`);
    for (const l of legs) {
      lines.push(`  TP${l.leg}: filled ${l.fill} · stop ${l.stop}${l.target === null ? "" : ` · target ${l.target}`}`);
    }
    buttons.push([{ text: `— ${fire.symbol} ${fire.side} —`, callback_data: "mg:n" }]);
    buttons.push(
      ...actionButtons(
        "f",
        fireId,
        [...new Set(legs.map((l) => l.leg))], // leg n of each terminal is one button
      ),
    );
  }
  return { lines, buttons };
}
