import { TERMINAL_COLUMNS, type TerminalRow, type TerminalStatsRow } from "../../queries/terminals.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";

/**
 * Taken (for the transaction) by every insert of a terminal's own `users` row: the next negative
 * id is `min(id) - 1`, so two instances linking at once must not both read the same minimum.
 */
const BRIDGE_ID_LOCK = 7713107;

/** PostgreSQL edition of db/queries/terminals.ts. */
export function pgTerminalListQueries(db: PgDb): StoreQueries["terminals"] {
  return {
    async listTerminals(userId) {
      return db.query<TerminalRow>(
        `SELECT ${TERMINAL_COLUMNS} WHERE t.user_id = $1 AND t.unlinked_at IS NULL ORDER BY t.position`,
        [userId],
      );
    },
    async findTerminal(id) {
      return (
        (await db.one<TerminalRow>(`SELECT ${TERMINAL_COLUMNS} WHERE t.id = $1 AND t.unlinked_at IS NULL`, [id])) ??
        null
      );
    },
    async ownerOf(bridgeUserId) {
      return (
        (await db.one<{ user_id: number }>("SELECT user_id FROM terminals WHERE bridge_user_id = $1", [bridgeUserId]))
          ?.user_id ?? null
      );
    },
    insertTerminal(t) {
      return db.tx(async () => {
        let bridgeUserId = t.bridgeUserId;
        if (bridgeUserId === null) {
          await db.query("SELECT pg_advisory_xact_lock($1)", [BRIDGE_ID_LOCK]);
          bridgeUserId = (await db.one<{ n: number }>("SELECT coalesce(min(id), 0) - 1 AS n FROM users WHERE id < 0"))!
            .n;
          await db.run("INSERT INTO users (id, first_name, created_at, updated_at) VALUES ($1, $2, $3, $3)", [
            bridgeUserId,
            t.name,
            t.now,
          ]);
        }
        await db.run(
          `INSERT INTO terminals (id, user_id, bridge_user_id, name, allocation, enabled, position, created_at)
          VALUES ($1, $2, $3, $4, $5, 1,
            (SELECT coalesce(max(position), -1) + 1 FROM terminals WHERE user_id = $2), $6)`,
          [t.id, t.userId, bridgeUserId, t.name, t.allocation, t.now],
        );
        return bridgeUserId;
      });
    },
    async updateTerminal(id, change) {
      return (
        (await db.run(
          `UPDATE terminals SET name = coalesce($2, name), allocation = coalesce($3, allocation),
            enabled = coalesce($4, enabled) WHERE id = $1 AND unlinked_at IS NULL`,
          [id, change.name, change.allocation, change.enabled === null ? null : change.enabled ? 1 : 0],
        )) === 1
      );
    },
    async hasBridgeToken(bridgeUserId) {
      return (await db.one("SELECT 1 FROM bridge_tokens WHERE user_id = $1", [bridgeUserId])) !== undefined;
    },
    async reviveTerminal(userId, name, allocation) {
      return (
        (await db.run(
          `UPDATE terminals SET unlinked_at = NULL, enabled = 1, name = coalesce($2, name),
            allocation = coalesce($3, allocation) WHERE bridge_user_id = $1 AND unlinked_at IS NOT NULL`,
          [userId, name, allocation],
        )) === 1
      );
    },
    unlinkTerminal(id, bridgeUserId, now) {
      return db.tx(async () => {
        await db.run("DELETE FROM bridge_tokens WHERE user_id = $1", [bridgeUserId]);
        return (
          (await db.run("UPDATE terminals SET unlinked_at = $1 WHERE id = $2 AND unlinked_at IS NULL", [now, id])) === 1
        );
      });
    },
    async lockFire(fireId) {
      // Two terminals' reports on one fire: the second waits here and then reads the first's legs
      // and XP (READ COMMITTED), so the fire's state and its XP are decided once.
      await db.query("SELECT id FROM fires WHERE id = $1 FOR UPDATE", [fireId]);
    },
    async insertFireTerminals(fireId, rows) {
      for (const r of rows) {
        await db.run(
          `INSERT INTO fire_terminals (fire_id, terminal_id, bridge_user_id, name, position, status, lots, risk_amount,
            reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [fireId, r.terminal_id, r.bridge_user_id, r.name, r.position, r.status, r.lots, r.risk_amount, r.reason],
        );
      }
    },
    async listFireTerminals(fireId) {
      return db.query(
        `SELECT terminal_id, bridge_user_id, name, position, status, lots, risk_amount, reason FROM fire_terminals
        WHERE fire_id = $1 ORDER BY position`,
        [fireId],
      );
    },
    async terminalStats(userId) {
      return db.query<TerminalStatsRow>(
        `SELECT x.bridge_user_id, sum(x.filled) AS filled, sum(x.closed) AS closed,
          sum(CASE WHEN x.closed = 1 AND x.pnl > 0 THEN 1 ELSE 0 END) AS wins, coalesce(sum(x.pnl), 0) AS pnl
        FROM (SELECT c.user_id AS bridge_user_id, c.fire_id,
            max(CASE WHEN c.state IN ('filled', 'closed') THEN 1 ELSE 0 END) AS filled,
            CASE WHEN max(CASE WHEN c.state = 'closed' THEN 1 ELSE 0 END) = 1
              AND max(CASE WHEN c.state IN ('queued', 'delivered', 'filled') THEN 1 ELSE 0 END) = 0 THEN 1 ELSE 0 END
              AS closed,
            sum(CASE WHEN c.state = 'closed' THEN c.profit ELSE 0 END) AS pnl
          FROM bridge_commands c JOIN fires f ON f.id = c.fire_id WHERE f.user_id = $1 GROUP BY c.user_id, c.fire_id) x
        GROUP BY x.bridge_user_id`,
        [userId],
      );
    },
  };
}
