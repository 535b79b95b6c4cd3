import type { Sqlite } from "../index.ts";

/** Typed queries for per-user running stats and the admin's 7-day report. */
export function statsQueries(sqlite: Sqlite) {
  const addTrade = sqlite.prepare(`UPDATE users SET trades = trades + 1, wins = wins + @win, losses = losses + @loss,
      pnl = pnl + @profit, xp = xp + @xp WHERE id = @user_id`);
  const addXp = sqlite.prepare("UPDATE users SET xp = xp + ? WHERE id = ?");
  const awardFire = sqlite.prepare("UPDATE fires SET xp_awarded = xp_awarded + ? WHERE id = ?");
  const counted = sqlite.prepare("SELECT counted_profit FROM fires WHERE id = ?");
  const markCounted = sqlite.prepare("UPDATE fires SET counted_profit = ? WHERE id = ?");
  const adjustTrade = sqlite.prepare(`UPDATE users SET wins = wins + @win, losses = losses + @loss,
      pnl = pnl + @profit WHERE id = @user_id`);
  const report = sqlite.prepare(`SELECT
      (SELECT COUNT(*) FROM signals WHERE created_ms >= @since) AS signals,
      (SELECT COUNT(*) FROM fires WHERE created_ms >= @since) AS fires,
      (SELECT COUNT(*) FROM fires WHERE created_ms >= @since AND state IN ('filled', 'closed')) AS filled,
      (SELECT COUNT(*) FROM fires WHERE created_ms >= @since AND state IN ('rejected', 'failed', 'expired')) AS unfilled,
      (SELECT coalesce(sum(profit), 0) FROM fires WHERE state = 'closed' AND closed_ms >= @since) AS pnl,
      (SELECT COUNT(*) FROM fires WHERE state = 'closed' AND closed_ms >= @since) AS closed`);

  return {
    /** Counts one closed trade (win when profit > 0) with its XP. */
    recordClosedTrade(userId: number, profit: number, xp: number): void {
      addTrade.run({ user_id: userId, win: profit > 0 ? 1 : 0, loss: profit > 0 ? 0 : 1, profit, xp });
    },
    /** The profit a closed fire already added to its trader's stats; null when not counted yet. */
    findCountedProfit(fireId: string): number | null {
      return (counted.get(fireId) as { counted_profit: number | null } | undefined)?.counted_profit ?? null;
    },
    markCounted(fireId: string, profit: number): void {
      markCounted.run(profit, fireId);
    },
    /** Corrects a counted trade's profit (and win/loss when its sign changed), adding no trade. */
    adjustClosedTrade(userId: number, before: number, after: number): void {
      const win = (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
      adjustTrade.run({ user_id: userId, win, loss: -win, profit: after - before });
    },
    awardXp(userId: number, fireId: string, xp: number): void {
      addXp.run(xp, userId);
      awardFire.run(xp, fireId);
    },
    report(sinceMs: number): {
      signals: number;
      fires: number;
      filled: number;
      unfilled: number;
      pnl: number;
      closed: number;
    } {
      return report.get({ since: sinceMs }) as {
        signals: number;
        fires: number;
        filled: number;
        unfilled: number;
        pnl: number;
        closed: number;
      };
    },
  };
}

export type StatsQueries = ReturnType<typeof statsQueries>;
