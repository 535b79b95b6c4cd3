import type { AlertRow } from "../../queries/alerts.ts";
import type { UserRow } from "../../rows.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";

/** PostgreSQL edition of db/queries/stats.ts. */
export function pgStatsQueries(db: PgDb): StoreQueries["stats"] {
  return {
    async recordClosedTrade(userId, profit, xp) {
      await db.run(
        "UPDATE users SET trades = trades + 1, wins = wins + $1, losses = losses + $2, pnl = pnl + $3, xp = xp + $4 WHERE id = $5",
        [profit > 0 ? 1 : 0, profit > 0 ? 0 : 1, profit, xp, userId],
      );
    },
    async findCountedProfit(fireId) {
      return (
        (await db.one<{ counted_profit: number | null }>("SELECT counted_profit FROM fires WHERE id = $1", [fireId]))
          ?.counted_profit ?? null
      );
    },
    async markCounted(fireId, profit) {
      await db.run("UPDATE fires SET counted_profit = $1 WHERE id = $2", [profit, fireId]);
    },
    async adjustClosedTrade(userId, before, after) {
      const win = (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
      await db.run("UPDATE users SET wins = wins + $1, losses = losses + $2, pnl = pnl + $3 WHERE id = $4", [
        win,
        -win,
        after - before,
        userId,
      ]);
    },
    async awardXp(userId, fireId, xp) {
      await db.run("UPDATE users SET xp = xp + $1 WHERE id = $2", [xp, userId]);
      await db.run("UPDATE fires SET xp_awarded = xp_awarded + $1 WHERE id = $2", [xp, fireId]);
    },
    async report(sinceMs) {
      const row = await db.one<{
        signals: number;
        fires: number;
        filled: number;
        unfilled: number;
        pnl: number;
        closed: number;
      }>(
        `SELECT
          (SELECT COUNT(*) FROM signals WHERE created_ms >= $1) AS signals,
          (SELECT COUNT(*) FROM fires WHERE created_ms >= $1) AS fires,
          (SELECT COUNT(*) FROM fires WHERE created_ms >= $1 AND state IN ('filled', 'closed')) AS filled,
          (SELECT COUNT(*) FROM fires WHERE created_ms >= $1 AND state IN ('rejected', 'failed', 'expired')) AS unfilled,
          (SELECT coalesce(sum(profit), 0) FROM fires WHERE state = 'closed' AND closed_ms >= $1) AS pnl,
          (SELECT COUNT(*) FROM fires WHERE state = 'closed' AND closed_ms >= $1) AS closed`,
        [sinceMs],
      );
      return row!;
    },
  };
}

/** PostgreSQL edition of db/queries/alerts.ts. */
export function pgAlertQueries(db: PgDb): StoreQueries["alerts"] {
  return {
    async claimAlert(signalId, chatId, now) {
      return (
        (await db.run(
          `INSERT INTO alerts (signal_id, chat_id, state, updated_at) VALUES ($1, $2, 'sending', $3)
          ON CONFLICT (signal_id, chat_id) DO NOTHING`,
          [signalId, chatId, now],
        )) === 1
      );
    },
    async reclaimAlert(signalId, chatId, now) {
      return (
        (await db.run(
          `UPDATE alerts SET state = 'sending', updated_at = $1
          WHERE signal_id = $2 AND chat_id = $3 AND state IN ('sending', 'failed')`,
          [now, signalId, chatId],
        )) === 1
      );
    },
    async markPosted(signalId, chatId, messageId, count, now) {
      await db.run(
        "UPDATE alerts SET state = 'posted', message_id = $1, shown_count = $2, updated_at = $3 WHERE signal_id = $4 AND chat_id = $5",
        [messageId, count, now, signalId, chatId],
      );
    },
    async setAlertState(signalId, chatId, state, now) {
      await db.run("UPDATE alerts SET state = $1, updated_at = $2 WHERE signal_id = $3 AND chat_id = $4", [
        state,
        now,
        signalId,
        chatId,
      ]);
    },
    async markEdited(signalId, chatId, count, nowMs) {
      await db.run(
        "UPDATE alerts SET shown_count = $1, last_edit_ms = $2, updated_at = $3 WHERE signal_id = $4 AND chat_id = $5",
        [count, nowMs, new Date(nowMs).toISOString(), signalId, chatId],
      );
    },
    listAlerts(signalId) {
      return db.query<AlertRow>("SELECT * FROM alerts WHERE signal_id = $1", [signalId]);
    },
    async findAlert(signalId, chatId) {
      return (
        (await db.one<AlertRow>("SELECT * FROM alerts WHERE signal_id = $1 AND chat_id = $2", [signalId, chatId])) ??
        null
      );
    },
  };
}

/** PostgreSQL edition of db/queries/metrics.ts. */
export function pgMetricsQueries(db: PgDb): StoreQueries["metrics"] {
  return {
    async countOnlineTerminals(sinceMs) {
      return (await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE bridge_seen_ms >= $1", [sinceMs]))!.n;
    },
    async countLinkedTerminals() {
      return (await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM bridge_tokens"))!.n;
    },
    countFiresByState() {
      return db.query<{ state: string; n: number }>("SELECT state, COUNT(*) AS n FROM fires GROUP BY state");
    },
  };
}

/** PostgreSQL edition of db/queries/bot.ts. */
export function pgBotQueries(db: PgDb): StoreQueries["bot"] {
  const OFFLINE =
    "FROM users u JOIN bridge_tokens t ON t.user_id = u.id WHERE u.bridge_seen_ms IS NULL OR u.bridge_seen_ms < $1";
  return {
    async isLinked(userId) {
      return (await db.one("SELECT 1 FROM bridge_tokens WHERE user_id = $1", [userId])) !== undefined;
    },
    async findUserByUsername(username) {
      return (
        (await db.one<UserRow>("SELECT * FROM users WHERE lower(username) = lower($1) LIMIT 1", [
          username.replace(/^@/, ""),
        ])) ?? null
      );
    },
    listNewlyOffline(staleBeforeMs, activeSinceMs) {
      return db.query<{ id: number; bridge_seen_ms: number }>(
        `SELECT id, bridge_seen_ms FROM users u
        WHERE bridge_offline_notified = 0 AND bridge_seen_ms IS NOT NULL AND bridge_seen_ms < $1
          AND bridge_seen_ms >= $2 AND EXISTS (SELECT 1 FROM bridge_tokens t WHERE t.user_id = u.id)`,
        [staleBeforeMs, activeSinceMs],
      );
    },
    async claimOfflineNotice(userId, staleBeforeMs) {
      return (
        (await db.run(
          "UPDATE users SET bridge_offline_notified = 1 WHERE id = $1 AND bridge_offline_notified = 0 AND bridge_seen_ms < $2",
          [userId, staleBeforeMs],
        )) === 1
      );
    },
    usersByTier(onlineSinceMs) {
      return db.query(
        `SELECT u.tier AS tier, COUNT(*) AS users,
          SUM(EXISTS (SELECT 1 FROM bridge_tokens t WHERE t.user_id = u.id)::int) AS linked,
          SUM(CASE WHEN u.bridge_seen_ms >= $1 THEN 1 ELSE 0 END) AS online,
          SUM(CASE WHEN u.dm_status = 'unreachable' THEN 1 ELSE 0 END) AS unreachable
        FROM users u WHERE u.id > 0 GROUP BY u.tier`,
        [onlineSinceMs],
      );
    },
    async listOfflineBridges(staleBeforeMs, limit) {
      return {
        users: await db.query<UserRow>(`SELECT u.* ${OFFLINE} ORDER BY u.bridge_seen_ms DESC NULLS LAST LIMIT $2`, [
          staleBeforeMs,
          limit,
        ]),
        total: (await db.one<{ n: number }>(`SELECT COUNT(*) AS n ${OFFLINE}`, [staleBeforeMs]))!.n,
      };
    },
  };
}

/** PostgreSQL edition of db/queries/conversations.ts. */
export function pgConversationQueries(db: PgDb): StoreQueries["conversations"] {
  return {
    async readConversation(key) {
      return (
        (await db.one<{ state: string }>("SELECT state FROM bot_conversations WHERE key = $1", [key]))?.state ?? null
      );
    },
    async writeConversation(key, state, now) {
      await db.run(
        `INSERT INTO bot_conversations (key, state, updated_at) VALUES ($1, $2, $3)
        ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
        [key, state, now],
      );
    },
    async deleteConversation(key) {
      await db.run("DELETE FROM bot_conversations WHERE key = $1", [key]);
    },
  };
}
