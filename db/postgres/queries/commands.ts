import type { CommandRow } from "../../queries/commands.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";

const PENDING = "state IN ('queued', 'delivered')";

/** PostgreSQL edition of db/queries/commands.ts. */
export function pgCommandQueries(db: PgDb): StoreQueries["commands"] {
  return {
    /**
     * Due commands claimed with FOR UPDATE SKIP LOCKED, marked delivered in the same statement: two
     * instances serving the same terminal (two polls through a load balancer) never both take one.
     * Rows come back as they were before the mark (`deliveries` 0 = first delivery), as on SQLite.
     */
    takeDue(userId, nowMs, visibilityMs) {
      return db.query<CommandRow>(
        `WITH due AS (
          SELECT * FROM bridge_commands WHERE user_id = $1
            AND (state = 'queued' OR (state = 'delivered' AND delivered_ms <= $2))
          ORDER BY created_ms, fire_id, leg LIMIT 100 FOR UPDATE SKIP LOCKED
        ), marked AS (
          UPDATE bridge_commands b SET state = 'delivered', deliveries = b.deliveries + 1, delivered_ms = $3,
            first_delivered_ms = coalesce(b.first_delivered_ms, $3)
          FROM due WHERE b.id = due.id
        )
        SELECT * FROM due ORDER BY created_ms, fire_id, leg`,
        [userId, nowMs - visibilityMs, nowMs],
      );
    },
    async claimQueued(ids, nowMs) {
      const rows = await db.query<{ id: string }>(
        `UPDATE bridge_commands SET state = 'delivered', deliveries = 1, delivered_ms = $2, first_delivered_ms = $2
          WHERE id = ANY($1::text[]) AND state = 'queued' RETURNING id`,
        [ids, nowMs],
      );
      const claimed = new Set(rows.map((r) => r.id));
      return ids.filter((id) => claimed.has(id));
    },
    async findCommand(id) {
      return (await db.one<CommandRow>("SELECT * FROM bridge_commands WHERE id = $1", [id])) ?? null;
    },
    async lockCommand(id) {
      // Two reports on one leg (a result and a closed at the same moment, or a result sent twice)
      // run one after the other from here: each decides on what the other wrote.
      return (await db.one<CommandRow>("SELECT * FROM bridge_commands WHERE id = $1 FOR UPDATE", [id])) ?? null;
    },
    listLegs(fireId) {
      return db.query<CommandRow>("SELECT * FROM bridge_commands WHERE fire_id = $1 ORDER BY leg", [fireId]);
    },
    async setLegResult(id, result, nowMs) {
      await db.run(
        `UPDATE bridge_commands SET state = $1, retcode = $2, ticket = $3, price = $4, volume = $5, message = $6,
          result_ms = $7 WHERE id = $8`,
        [result.state, result.retcode, result.ticket, result.price, result.volume, result.message, nowMs, id],
      );
    },
    async setLegClosed(id, closePrice, profit, closedAt, ticket) {
      await db.run(
        `UPDATE bridge_commands SET state = 'closed', close_price = $1, profit = $2, closed_at = $3,
          ticket = coalesce(ticket, $4) WHERE id = $5`,
        [closePrice, profit, closedAt, ticket, id],
      );
    },
    async holdClose(id, report) {
      await db.run("UPDATE bridge_commands SET held_close = $1 WHERE id = $2", [report, id]);
    },
    async expireLeg(id, message, nowMs) {
      await db.run("UPDATE bridge_commands SET state = 'expired', message = $1, result_ms = $2 WHERE id = $3", [
        message,
        nowMs,
        id,
      ]);
    },
    listOverdue(iso) {
      return db.query<CommandRow>(
        `SELECT * FROM bridge_commands WHERE ${PENDING} AND (payload::json ->> 'expires_at') <= $1 FOR UPDATE SKIP LOCKED`,
        [iso],
      );
    },
    async countPending() {
      return (await db.one<{ n: number }>(`SELECT COUNT(*) AS n FROM bridge_commands WHERE ${PENDING}`))!.n;
    },
    async updateFire(f) {
      await db.run(
        `UPDATE fires SET state = $1, fill_price = $2, slippage_pips = $3, latency_ms = $4, profit = $5, message = $6,
          updated_at = $7, closed_at = $8, closed_ms = $9 WHERE id = $10`,
        [
          f.state,
          f.fill_price,
          f.slippage_pips,
          f.latency_ms,
          f.profit,
          f.message,
          f.now,
          f.closed_at,
          f.closed_ms,
          f.id,
        ],
      );
    },
  };
}
