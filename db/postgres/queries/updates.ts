import type { AuditEntry } from "../../queries/audit.ts";
import type {
  OpenPositionRow,
  PositionCommandRow,
  TradeUpdateRow,
  UpdateProgress,
} from "../../queries/updates/index.ts";
import { progressOf } from "../../queries/updates/rows.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";

const PENDING = "('queued', 'delivered')";
const payloadNumber = (key: string) => `(c.payload::json ->> '${key}')::double precision`;
// The levels a position has now: those of its latest modify that was not refused, else the open order's.
const OPEN_POSITIONS = `SELECT c.id AS position_of, c.fire_id, c.user_id, c.leg, f.broker_symbol AS symbol, f.side,
    coalesce(c.price, ${payloadNumber("entry")}) AS fill_price,
    coalesce(c.volume, ${payloadNumber("volume")}) AS volume, ${payloadNumber("entry")} AS entry,
    ${payloadNumber("stop_loss")} AS opened_stop,
    CASE WHEN m.id IS NULL THEN ${payloadNumber("stop_loss")} ELSE m.stop_loss END AS stop_loss,
    CASE WHEN m.id IS NULL THEN ${payloadNumber("take_profit")} ELSE m.take_profit END AS take_profit,
    u.bridge_protocol AS protocol
  FROM bridge_commands c JOIN fires f ON f.id = c.fire_id JOIN users u ON u.id = c.user_id
  LEFT JOIN position_commands m ON m.id = (SELECT p.id FROM position_commands p WHERE p.position_of = c.id
    AND p.action = 'modify' AND p.state IN ('queued', 'delivered', 'applied') ORDER BY p.created_ms DESC, p.id DESC LIMIT 1)
  WHERE c.state = 'filled' AND NOT EXISTS (SELECT 1 FROM position_commands x WHERE x.position_of = c.id
    AND x.action = 'close' AND x.state IN ('queued', 'delivered', 'applied'))`;

/** PostgreSQL edition of db/queries/updates/. */
export function pgUpdateQueries(db: PgDb): StoreQueries["updates"] {
  return {
    async insertUpdate(r) {
      await db.run(
        `INSERT INTO trade_updates (id, signal_id, fire_id, user_id, action, leg, stop_loss, take_profit, note, source,
          actor, idempotency_key, positions, skipped, created_at, created_ms)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          r.id,
          r.signal_id,
          r.fire_id,
          r.user_id,
          r.action,
          r.leg,
          r.stop_loss,
          r.take_profit,
          r.note,
          r.source,
          r.actor,
          r.idempotency_key,
          r.positions,
          r.skipped,
          r.created_at,
          r.created_ms,
        ],
      );
    },
    async setUpdateCounts(id, positions, skipped) {
      await db.run("UPDATE trade_updates SET positions = $1, skipped = $2 WHERE id = $3", [positions, skipped, id]);
    },
    async findUpdate(id) {
      return (await db.one<TradeUpdateRow>("SELECT * FROM trade_updates WHERE id = $1", [id])) ?? null;
    },
    async lockIdempotencyKey(key) {
      await db.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`update:${key}`]);
    },
    async findUpdateByKey(key) {
      return (await db.one<TradeUpdateRow>("SELECT * FROM trade_updates WHERE idempotency_key = $1", [key])) ?? null;
    },
    listSignalUpdates(signalId) {
      return db.query<TradeUpdateRow>(
        "SELECT * FROM trade_updates WHERE signal_id = $1 AND fire_id IS NULL ORDER BY created_ms, id",
        [signalId],
      );
    },
    listFireUpdates(fireId) {
      return db.query<TradeUpdateRow>(
        `SELECT * FROM trade_updates WHERE fire_id = $1 OR (fire_id IS NULL AND id IN
          (SELECT update_id FROM position_commands WHERE fire_id = $1)) ORDER BY created_ms, id`,
        [fireId],
      );
    },
    listOpenPositionsOfSignal(signalId) {
      return db.query<OpenPositionRow>(`${OPEN_POSITIONS} AND f.signal_id = $1 ORDER BY c.fire_id, c.leg`, [signalId]);
    },
    listOpenPositionsOfFire(fireId) {
      return db.query<OpenPositionRow>(`${OPEN_POSITIONS} AND c.fire_id = $1 ORDER BY c.leg`, [fireId]);
    },
    listOpenPositionsOfUser(userId) {
      return db.query<OpenPositionRow>(`${OPEN_POSITIONS} AND f.user_id = $1 ORDER BY f.created_ms DESC, c.leg`, [
        userId,
      ]);
    },
    insertPositionCommand(r) {
      return db.tx(async () => {
        if (r.state === "queued") {
          await db.run(
            `UPDATE position_commands SET state = 'superseded', message = $1
            WHERE position_of = $2 AND state IN ${PENDING}`,
            [`replaced by ${r.id}`, r.position_of],
          );
        }
        await db.run(
          `INSERT INTO position_commands (id, update_id, fire_id, user_id, leg, position_of, action, stop_loss,
            take_profit, payload, state, created_ms)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            r.id,
            r.update_id,
            r.fire_id,
            r.user_id,
            r.leg,
            r.position_of,
            r.action,
            r.stop_loss,
            r.take_profit,
            r.payload,
            r.state,
            r.created_ms,
          ],
        );
      });
    },
    /**
     * Claimed with FOR UPDATE SKIP LOCKED and marked delivered in the same statement (two polls of
     * one terminal through two instances never take the same command); rows as before the mark.
     */
    takeDue(userId, nowMs, visibilityMs) {
      return db.query<PositionCommandRow>(
        `WITH due AS (
          SELECT * FROM position_commands WHERE user_id = $1
            AND (state = 'queued' OR (state = 'delivered' AND delivered_ms <= $2))
          ORDER BY created_ms, id LIMIT 100 FOR UPDATE SKIP LOCKED
        ), marked AS (
          UPDATE position_commands p SET state = 'delivered', deliveries = p.deliveries + 1, delivered_ms = $3,
            first_delivered_ms = coalesce(p.first_delivered_ms, $3)
          FROM due WHERE p.id = due.id
        )
        SELECT * FROM due ORDER BY created_ms, id`,
        [userId, nowMs - visibilityMs, nowMs],
      );
    },
    async findPositionCommand(id) {
      return (await db.one<PositionCommandRow>("SELECT * FROM position_commands WHERE id = $1", [id])) ?? null;
    },
    async lockPositionCommand(id) {
      // A result sent twice at once: the second waits here and finds the first's result_ms.
      return (
        (await db.one<PositionCommandRow>("SELECT * FROM position_commands WHERE id = $1 FOR UPDATE", [id])) ?? null
      );
    },
    async setPositionResult(id, state, retcode, message, nowMs) {
      await db.run(
        "UPDATE position_commands SET state = $1, retcode = $2, message = $3, result_ms = $4 WHERE id = $5",
        [state, retcode, message, nowMs, id],
      );
    },
    async setLateResult(id, retcode, message, nowMs) {
      await db.run("UPDATE position_commands SET retcode = $1, message = $2, result_ms = $3 WHERE id = $4", [
        retcode,
        message,
        nowMs,
        id,
      ]);
    },
    listUpdateCommands(updateId, userId) {
      return userId === undefined
        ? db.query<PositionCommandRow>("SELECT * FROM position_commands WHERE update_id = $1 ORDER BY fire_id, leg", [
            updateId,
          ])
        : db.query<PositionCommandRow>(
            "SELECT * FROM position_commands WHERE update_id = $1 AND user_id = $2 ORDER BY fire_id, leg",
            [updateId, userId],
          );
    },
    listFireCommands(fireId) {
      return db.query<PositionCommandRow>(
        "SELECT * FROM position_commands WHERE fire_id = $1 ORDER BY created_ms, id",
        [fireId],
      );
    },
    async progress(updateId) {
      return progressOf(
        await db.query<{ state: keyof UpdateProgress; n: number }>(
          "SELECT state, COUNT(*) AS n FROM position_commands WHERE update_id = $1 GROUP BY state",
          [updateId],
        ),
      );
    },
    async setProtocol(userId, protocol) {
      await db.run("UPDATE users SET bridge_protocol = $1 WHERE id = $2 AND bridge_protocol IS DISTINCT FROM $1", [
        protocol,
        userId,
      ]);
    },
    async findProtocol(userId) {
      return (
        (await db.one<{ p: string | null }>("SELECT bridge_protocol AS p FROM users WHERE id = $1", [userId]))?.p ??
        null
      );
    },
    async setBreakevenAfterTp1(signalId, on) {
      await db.run("UPDATE signals SET breakeven_after_tp1 = $1 WHERE id = $2", [on ? 1 : 0, signalId]);
    },
    async breakevenAfterTp1(signalId) {
      return (
        (await db.one<{ b: number }>("SELECT breakeven_after_tp1 AS b FROM signals WHERE id = $1", [signalId]))?.b === 1
      );
    },
    async claimAutoBreakeven(signalId) {
      return (
        (await db.run(
          "UPDATE signals SET breakeven_done = 1 WHERE id = $1 AND breakeven_after_tp1 = 1 AND breakeven_done = 0",
          [signalId],
        )) === 1
      );
    },
    async countPending() {
      return (await db.one<{ n: number }>(`SELECT COUNT(*) AS n FROM position_commands WHERE state IN ${PENDING}`))!.n;
    },
  };
}

/** PostgreSQL edition of db/queries/audit.ts. */
export function pgAuditQueries(db: PgDb): StoreQueries["audit"] {
  return {
    async listAudit(limit) {
      const rows = await db.query<Omit<AuditEntry, "data"> & { data: string | null }>(
        `SELECT seq, at, type, actor, user_id, signal_id, data FROM events
        WHERE type LIKE 'admin.%' OR type IN ('signal.created', 'signal.cancelled', 'user.tier_changed')
        ORDER BY seq DESC LIMIT $1`,
        [limit],
      );
      return rows.map((row) => ({ ...row, data: row.data === null ? null : (JSON.parse(row.data) as unknown) }));
    },
  };
}
