import type { ClosedReport } from "../../../bridge/protocol.ts";
import { xpForClose } from "../../../core/xp.ts";
import type { Store } from "../../../db/store.ts";
import { type Emit, fireChanged, statsEvent } from "./changes.ts";

/**
 * Closes a filled leg with its `closed` report and, when that closes the fire, books the trade in
 * the trader's stats exactly once: the first close counts one trade with its XP; a fire closed
 * again (a leg expired for want of a result, then filled late and closed) only corrects the
 * profit by what changed. Call inside the report's transaction.
 */
export async function closeLeg(
  store: Store,
  userId: number,
  legId: string,
  report: ClosedReport,
  nowMs: number,
  events: Emit,
): Promise<void> {
  const row = (await store.commands.findCommand(legId))!;
  const closedAt =
    report.closed_at && !Number.isNaN(Date.parse(report.closed_at))
      ? new Date(report.closed_at).toISOString()
      : new Date(nowMs).toISOString();
  const ticket = report.ticket === undefined || report.ticket === null ? null : String(report.ticket);
  await store.commands.setLegClosed(row.id, report.close_price, report.profit, closedAt, ticket);
  // Locked before the audit event, as a result is: the log keeps the order the reports applied in.
  await store.terminals.lockFire(row.fire_id);
  await store.fires.appendEvent({
    type: "command.closed",
    actor: "bridge",
    user_id: userId,
    fire_id: row.fire_id,
    data: report,
  });
  const fire = await fireChanged(store, row.fire_id, nowMs, "closed", events);
  if (fire.state !== "closed") return;
  const profit = fire.profit ?? 0;
  const counted = await store.stats.findCountedProfit(fire.id);
  if (counted === null) {
    const xp = xpForClose(profit);
    await store.stats.recordClosedTrade(userId, profit, xp);
    await store.stats.awardXp(userId, fire.id, 0);
    await statsEvent(store, userId, nowMs, xp, events);
  } else {
    await store.stats.adjustClosedTrade(userId, counted, profit);
    await statsEvent(store, userId, nowMs, 0, events);
  }
  await store.stats.markCounted(fire.id, profit);
}
