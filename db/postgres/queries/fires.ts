import { commandParams, eventParams, freshView, type NewEvent } from "../../queries/fires.ts";
import { type FireView, withTerminalParts } from "../../rows.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";
import { PG_FIRE_JSON } from "./fire-json.ts";

type EventLine = { seq: number; at: string; type: string; actor: string | null; data: string | null };

/** PostgreSQL edition of db/queries/fires.ts. */
export function pgFireQueries(db: PgDb): StoreQueries["fires"] {
  /** Inserts `rows` with one statement: one round trip for a fire's commands, one for its events. */
  const insertRows = (head: string, rows: unknown[][]) => {
    let n = 0;
    const values = rows.map((row) => `(${row.map(() => `$${++n}`).join(", ")})`).join(", ");
    return db.run(`${head} VALUES ${values}`, rows.flat());
  };
  const EVENTS = "INSERT INTO events (at, type, actor, user_id, signal_id, fire_id, data)";
  const appendEventAt = (at: string, e: NewEvent) => insertRows(EVENTS, [eventParams(at, e)]);
  const findFire = async (signalId: string, userId: number): Promise<FireView | null> => {
    const row = await db.one<{ j: FireView }>(
      `SELECT ${PG_FIRE_JSON} AS j FROM fires f WHERE signal_id = $1 AND user_id = $2`,
      [signalId, userId],
    );
    return row ? withTerminalParts(row.j) : null;
  };

  const queueFire: StoreQueries["fires"]["queueFire"] = async (fire, commands, events) => {
    // ON CONFLICT DO NOTHING waits for a concurrent insert of the same (signal, user) by another
    // instance to commit or roll back: the unique index is the lock, for every instance at once.
    const inserted =
      (await db.run(
        `INSERT INTO fires (id, signal_id, user_id, state, lots, symbol, broker_symbol, side, risk_amount, created_at,
          created_ms, updated_at)
        VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, $10, $9)
        ON CONFLICT (signal_id, user_id) DO NOTHING`,
        [
          fire.id,
          fire.signal_id,
          fire.user_id,
          fire.lots,
          fire.symbol,
          fire.broker_symbol,
          fire.side,
          fire.risk_amount,
          fire.created_at,
          fire.created_ms,
        ],
      )) === 1;
    if (!inserted) return { fire: (await findFire(fire.signal_id, fire.user_id))!, duplicate: true };
    if (commands.length > 0) {
      await insertRows(
        "INSERT INTO bridge_commands (id, fire_id, user_id, leg, payload, created_ms)",
        commands.map((c) => commandParams(fire, c)),
      );
    }
    if (events.length > 0)
      await insertRows(
        EVENTS,
        events.map((e) => eventParams(fire.created_at, e)),
      );
    return { fire: freshView(fire, commands), duplicate: false };
  };

  return {
    lockAndQueue(fire, commands, events) {
      return db.tx(() => queueFire(fire, commands, events));
    },
    queueFire,
    findFire,
    async findFireById(id) {
      const row = await db.one<{ j: FireView }>(`SELECT ${PG_FIRE_JSON} AS j FROM fires f WHERE id = $1`, [id]);
      return row ? withTerminalParts(row.j) : null;
    },
    async listFiresByUser(userId, limit) {
      const rows = await db.query<{ j: FireView }>(
        `SELECT ${PG_FIRE_JSON} AS j FROM fires f WHERE user_id = $1 ORDER BY created_ms DESC, id DESC LIMIT $2`,
        [userId, limit],
      );
      return rows.map((r) => withTerminalParts(r.j));
    },
    async countFires(signalId) {
      return (await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM fires WHERE signal_id = $1", [signalId]))!.n;
    },
    async countFiresSince(userId, sinceMs) {
      return (await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM fires WHERE user_id = $1 AND created_ms >= $2", [
        userId,
        sinceMs,
      ]))!.n;
    },
    async closedPnlSince(userId, sinceMs) {
      return (await db.one<{ pnl: number }>(
        "SELECT coalesce(sum(profit), 0) AS pnl FROM fires WHERE user_id = $1 AND state = 'closed' AND closed_ms >= $2",
        [userId, sinceMs],
      ))!.pnl;
    },
    async countUnfinishedFires() {
      return (await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM fires WHERE state IN ('queued', 'delivered')"))!.n;
    },
    async appendEvent(e, at = new Date().toISOString()) {
      await appendEventAt(at, e);
    },
    listSignalEvents(signalId) {
      return db.query<EventLine>(
        "SELECT seq, at, type, actor, data FROM events WHERE signal_id = $1 AND fire_id IS NULL ORDER BY seq",
        [signalId],
      );
    },
    listFireEvents(fireId) {
      return db.query<EventLine>("SELECT * FROM events WHERE fire_id = $1 ORDER BY seq", [fireId]);
    },
  };
}
