import type { Tier } from "../../core/types.ts";
import type { Sqlite } from "../index.ts";
import type { UserRow } from "../rows.ts";

/** The few reads and writes only the bot needs (admin reports, readiness, linking). */
export function botQueries(sqlite: Sqlite) {
  const linked = sqlite.prepare("SELECT EXISTS (SELECT 1 FROM bridge_tokens WHERE user_id = ?) AS linked");
  const byUsername = sqlite.prepare("SELECT * FROM users WHERE lower(username) = lower(?) LIMIT 1");
  const newlyOffline = sqlite.prepare(`SELECT id, bridge_seen_ms FROM users u
    WHERE bridge_offline_notified = 0 AND bridge_seen_ms IS NOT NULL AND bridge_seen_ms < @stale_before
      AND bridge_seen_ms >= @active_since AND EXISTS (SELECT 1 FROM bridge_tokens t WHERE t.user_id = u.id)`);
  // Conditional on the terminal still being silent, so a heartbeat that just arrived wins.
  const claimOffline = sqlite.prepare(`UPDATE users SET bridge_offline_notified = 1
    WHERE id = ? AND bridge_offline_notified = 0 AND bridge_seen_ms < ?`);
  // Negative ids are a trader's further terminals (migration 0007), not users.
  const tierCounts = sqlite.prepare(`SELECT u.tier AS tier, COUNT(*) AS users,
      SUM(EXISTS (SELECT 1 FROM bridge_tokens t WHERE t.user_id = u.id)) AS linked,
      SUM(CASE WHEN u.bridge_seen_ms >= @online_since THEN 1 ELSE 0 END) AS online,
      SUM(CASE WHEN u.dm_status = 'unreachable' THEN 1 ELSE 0 END) AS unreachable
    FROM users u WHERE u.id > 0 GROUP BY u.tier`);
  const offlineBridges = sqlite.prepare(`SELECT u.* FROM users u JOIN bridge_tokens t ON t.user_id = u.id
    WHERE u.bridge_seen_ms IS NULL OR u.bridge_seen_ms < ? ORDER BY u.bridge_seen_ms DESC LIMIT ?`);
  const countOfflineBridges = sqlite.prepare(`SELECT COUNT(*) AS n FROM users u JOIN bridge_tokens t ON t.user_id = u.id
    WHERE u.bridge_seen_ms IS NULL OR u.bridge_seen_ms < ?`);

  return {
    isLinked(userId: number): boolean {
      return (linked.get(userId) as { linked: number }).linked === 1;
    },
    findUserByUsername(username: string): UserRow | null {
      return (byUsername.get(username.replace(/^@/, "")) as UserRow | undefined) ?? null;
    },
    /** Linked terminals seen since `activeSince` but silent since `staleBefore`, not yet told. */
    listNewlyOffline(staleBeforeMs: number, activeSinceMs: number): Array<{ id: number; bridge_seen_ms: number }> {
      return newlyOffline.all({ stale_before: staleBeforeMs, active_since: activeSinceMs }) as Array<{
        id: number;
        bridge_seen_ms: number;
      }>;
    },
    /** Marks the outage as notified; false when already notified or the terminal came back. */
    claimOfflineNotice(userId: number, staleBeforeMs: number): boolean {
      return claimOffline.run(userId, staleBeforeMs).changes === 1;
    },
    usersByTier(onlineSinceMs: number): Array<{
      tier: Tier;
      users: number;
      linked: number;
      online: number;
      unreachable: number;
    }> {
      return tierCounts.all({ online_since: onlineSinceMs }) as Array<{
        tier: Tier;
        users: number;
        linked: number;
        online: number;
        unreachable: number;
      }>;
    },
    /** Linked users whose terminal is silent since `staleBeforeMs` (or never spoke), most recent first. */
    listOfflineBridges(staleBeforeMs: number, limit: number): { users: UserRow[]; total: number } {
      return {
        users: offlineBridges.all(staleBeforeMs, limit) as UserRow[],
        total: (countOfflineBridges.get(staleBeforeMs) as { n: number }).n,
      };
    },
  };
}

export type BotQueries = ReturnType<typeof botQueries>;
