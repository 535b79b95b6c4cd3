import { type StagedRow, type StrategySettingsRow, toStaged } from "../../queries/staged.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";

const one = (row: Record<string, unknown> | undefined): StagedRow | null => (row ? toStaged(row) : null);
const many = (rows: Array<Record<string, unknown>>): StagedRow[] => rows.map(toStaged);

/**
 * PostgreSQL edition of db/queries/staged.ts. Every state change is the same conditional UPDATE
 * (`WHERE … AND state = 'pending'`): under READ COMMITTED a second instance's UPDATE of the same
 * row waits for the first's transaction, re-checks the condition on the committed row and changes
 * nothing, so exactly one instance publishes (or cancels, approves, rejects) each staged signal.
 */
export function pgStagedQueries(db: PgDb): StoreQueries["staged"] {
  return {
    async insertStaged(row) {
      return (
        (await db.run(
          `INSERT INTO staged_signals (id, kind, signal, publish_ms, expires_ms, source, created_by, created_at,
            created_ms, idempotency_key, body_hash, dedup_key, quality)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
          [
            row.id,
            row.kind,
            JSON.stringify(row.signal),
            row.publish_ms,
            row.expires_ms,
            row.source,
            row.created_by,
            row.created_at,
            row.created_ms,
            row.idempotency_key,
            row.body_hash,
            row.dedup_key,
            row.quality,
          ],
        )) === 1
      );
    },
    async findStaged(id) {
      return one(await db.one("SELECT * FROM staged_signals WHERE id = $1", [id]));
    },
    async findStagedByIdempotencyKey(key) {
      return one(await db.one("SELECT * FROM staged_signals WHERE idempotency_key = $1", [key]));
    },
    async findRecentStagedByBodyHash(hash, sinceMs) {
      return one(
        await db.one(
          "SELECT * FROM staged_signals WHERE body_hash = $1 AND created_ms >= $2 ORDER BY created_ms DESC LIMIT 1",
          [hash, sinceMs],
        ),
      );
    },
    async listPending(kind, limit) {
      return many(
        await db.query(
          `SELECT * FROM staged_signals WHERE state = 'pending' AND kind = $1
          ORDER BY COALESCE(publish_ms, created_ms), id LIMIT $2`,
          [kind, limit],
        ),
      );
    },
    async nextPublishMs() {
      return (
        (
          await db.one<{ at: number | null }>(
            "SELECT MIN(publish_ms) AS at FROM staged_signals WHERE state = 'pending' AND kind = 'scheduled'",
          )
        )?.at ?? null
      );
    },
    async listDue(uptoMs) {
      return many(
        await db.query(
          `SELECT * FROM staged_signals WHERE state = 'pending' AND kind = 'scheduled' AND publish_ms <= $1
          ORDER BY publish_ms, id`,
          [uptoMs],
        ),
      );
    },
    async listOverdueDrafts(nowMs) {
      return many(
        await db.query(
          "SELECT * FROM staged_signals WHERE state = 'pending' AND kind = 'draft' AND expires_ms <= $1 ORDER BY expires_ms",
          [nowMs],
        ),
      );
    },
    async settleStaged(id, state, by, at, latenessMs = null) {
      return (
        (await db.run(
          `UPDATE staged_signals SET state = $1, decided_by = $2, decided_at = $3, lateness_ms = $4
          WHERE id = $5 AND state = 'pending'`,
          [state, by, at, latenessMs, id],
        )) === 1
      );
    },
    async updateStagedSignal(id, signal) {
      return (
        (await db.run("UPDATE staged_signals SET signal = $1 WHERE id = $2 AND state = 'pending'", [
          JSON.stringify(signal),
          id,
        ])) === 1
      );
    },
    async recentDedupKeys(limit) {
      return (
        await db.query<{ dedup_key: string }>(
          "SELECT dedup_key FROM staged_signals WHERE dedup_key IS NOT NULL ORDER BY created_ms DESC LIMIT $1",
          [limit],
        )
      ).map((r) => r.dedup_key);
    },
    async listStrategySettings() {
      return (
        await db.query<Omit<StrategySettingsRow, "auto_publish"> & { auto_publish: number }>(
          "SELECT * FROM engine_strategies ORDER BY name",
        )
      ).map((r) => ({ ...r, auto_publish: r.auto_publish === 1 }));
    },
    async saveStrategySettings(row) {
      await db.run(
        `INSERT INTO engine_strategies (name, auto_publish, min_quality, updated_at, updated_by)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (name) DO UPDATE SET auto_publish = excluded.auto_publish, min_quality = excluded.min_quality,
          updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [row.name, row.auto_publish ? 1 : 0, row.min_quality, row.updated_at, row.updated_by],
      );
    },
    async addDraftMessage(draftId, chatId, messageId) {
      await db.run(
        "INSERT INTO draft_messages (draft_id, chat_id, message_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [draftId, chatId, messageId],
      );
    },
    listDraftMessages(draftId) {
      return db.query<{ chat_id: number; message_id: number }>(
        "SELECT chat_id, message_id FROM draft_messages WHERE draft_id = $1",
        [draftId],
      );
    },
  };
}
