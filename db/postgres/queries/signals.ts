import type { Signal } from "../../../core/types.ts";
import { type SignalRow, toSignal } from "../../rows.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";

const WITH_COUNT = "SELECT s.*, (SELECT COUNT(*) FROM fires WHERE signal_id = s.id) AS fire_count FROM signals s";
type WithCount = SignalRow & { fire_count: number };
const withCount = (rows: WithCount[]) => rows.map((r) => ({ signal: toSignal(r), fireCount: r.fire_count }));
const maybe = (row: SignalRow | undefined): Signal | null => (row ? toSignal(row) : null);

/** PostgreSQL edition of db/queries/signals.ts. */
export function pgSignalQueries(db: PgDb): StoreQueries["signals"] {
  return {
    async insertSignal(signal, meta) {
      const row = await db.one<SignalRow>(
        `INSERT INTO signals (id, symbol, side, entry, stop_loss, take_profit, expires_at, expires_ms, confidence,
          shield_score, shield_notes, pattern, session, min_tier, status, created_at, created_ms, source, created_by,
          idempotency_key, body_hash, digits)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'active', $15, $16, $17, $18, $19, $20,
          $21)
        RETURNING *`,
        [
          meta.id,
          signal.symbol,
          signal.side,
          signal.entry,
          signal.stop_loss,
          JSON.stringify(signal.take_profit),
          signal.expires_at,
          Date.parse(signal.expires_at),
          signal.confidence ?? null,
          signal.shield_score ?? null,
          signal.shield_notes ?? null,
          signal.pattern ?? null,
          signal.session ?? null,
          signal.min_tier,
          meta.createdAt,
          meta.createdMs,
          meta.source,
          meta.createdBy,
          meta.idempotencyKey,
          meta.bodyHash,
          signal.digits ?? null,
        ],
      );
      return toSignal(row!);
    },
    async findSignal(id) {
      return maybe(await db.one<SignalRow>("SELECT * FROM signals WHERE id = $1", [id]));
    },
    async findSignalWithCount(id) {
      const row = await db.one<WithCount>(`${WITH_COUNT} WHERE s.id = $1`, [id]);
      return row ? { signal: toSignal(row), fireCount: row.fire_count } : null;
    },
    async lockDedupKey(key) {
      await db.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`signal:${key}`]);
    },
    async findByIdempotencyKey(key) {
      return maybe(await db.one<SignalRow>("SELECT * FROM signals WHERE idempotency_key = $1", [key]));
    },
    async findRecentByBodyHash(hash, sinceMs) {
      return maybe(
        await db.one<SignalRow>(
          "SELECT * FROM signals WHERE body_hash = $1 AND created_ms >= $2 ORDER BY created_ms DESC LIMIT 1",
          [hash, sinceMs],
        ),
      );
    },
    async listSignals(status, nowMs, limit) {
      const order = "ORDER BY created_ms DESC, id DESC";
      if (status === "active") {
        return withCount(
          await db.query<WithCount>(`${WITH_COUNT} WHERE status = 'active' AND expires_ms > $1 ${order} LIMIT $2`, [
            nowMs,
            limit,
          ]),
        );
      }
      if (status === "expired") {
        return withCount(
          await db.query<WithCount>(`${WITH_COUNT} WHERE status = 'active' AND expires_ms <= $1 ${order} LIMIT $2`, [
            nowMs,
            limit,
          ]),
        );
      }
      if (status === "cancelled") {
        return withCount(
          await db.query<WithCount>(`${WITH_COUNT} WHERE status = 'cancelled' ${order} LIMIT $1`, [limit]),
        );
      }
      return withCount(await db.query<WithCount>(`${WITH_COUNT} ${order} LIMIT $1`, [limit]));
    },
    async statusForFire(id) {
      // FOR SHARE: a cancel's UPDATE of this row waits for the fires being committed, and a fire
      // committed after a cancel sees it.
      const row = await db.one<{ status: "active" | "cancelled" }>(
        "SELECT status FROM signals WHERE id = $1 FOR SHARE",
        [id],
      );
      return row?.status ?? null;
    },
    async cancelSignal(id, at) {
      return (
        (await db.run(
          "UPDATE signals SET status = 'cancelled', cancelled_at = $1 WHERE id = $2 AND status = 'active'",
          [at, id],
        )) === 1
      );
    },
    async listExpiredBetween(afterMs, uptoMs) {
      const rows = await db.query<SignalRow>(
        "SELECT * FROM signals WHERE status = 'active' AND expires_ms <= $1 AND expires_ms > $2 ORDER BY expires_ms",
        [uptoMs, afterMs],
      );
      return rows.map(toSignal);
    },
    async countSignalsSince(sinceMs) {
      return (await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM signals WHERE created_ms >= $1", [sinceMs]))!.n;
    },
  };
}
