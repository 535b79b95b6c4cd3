import type { OutboxAnswer, OutboxRow } from "../../queries/outbox.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";

const COLUMNS = "id, chat_id, method, payload, priority, ref, merge_key, created_ms";
const parsed = (r: Omit<OutboxRow, "payload"> & { payload: string }): OutboxRow => ({
  ...r,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
});

/**
 * PostgreSQL edition of db/queries/outbox.ts. One sender drains the outbox (the leader instance);
 * other instances only insert and are told the answer (bot/delivery, NOTIFY through the hub), so
 * no row needs claiming here.
 */
export function pgOutboxQueries(db: PgDb): StoreQueries["outbox"] {
  return {
    async insertOutbox(row) {
      const out = await db.one<{ id: number }>(
        `INSERT INTO outbox (chat_id, method, payload, priority, ref, merge_key, created_ms)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [row.chat_id, row.method, JSON.stringify(row.payload), row.priority, row.ref, row.merge_key, row.created_ms],
      );
      return out!.id;
    },
    async replaceOutboxPayload(id, payload, ref) {
      await db.run("UPDATE outbox SET payload = $1, ref = $2 WHERE id = $3 AND state = 'queued'", [
        JSON.stringify(payload),
        ref,
        id,
      ]);
    },
    async finishOutbox(ids, state, doneMs, messageId, error, answer = null) {
      await db.run(
        `UPDATE outbox SET state = $1, done_ms = $2, message_id = $3, error = $4, answer = $5
        WHERE id = ANY($6::bigint[]) AND state = 'queued'`,
        [state, doneMs, messageId, error, answer, [...ids]],
      );
    },
    async findQueuedOutbox(id) {
      const row = await db.one<Omit<OutboxRow, "payload"> & { payload: string }>(
        `SELECT ${COLUMNS} FROM outbox WHERE id = $1 AND state = 'queued'`,
        [id],
      );
      return row ? parsed(row) : undefined;
    },
    async findOutboxAnswer(id) {
      return db.one<OutboxAnswer>("SELECT state, message_id, error, answer FROM outbox WHERE id = $1", [id]);
    },
    async listQueuedOutbox() {
      const rows = await db.query<Omit<OutboxRow, "payload"> & { payload: string }>(
        `SELECT ${COLUMNS} FROM outbox WHERE state = 'queued' ORDER BY id`,
      );
      return rows.map(parsed);
    },
    async purgeOutbox(beforeMs) {
      return db.run("DELETE FROM outbox WHERE state <> 'queued' AND done_ms < $1", [beforeMs]);
    },
    async migrateChat(oldChatId, newChatId, queuedRows, now) {
      await db.tx(async () => {
        await db.run(
          `INSERT INTO chat_migrations (old_chat_id, new_chat_id, migrated_at) VALUES ($1, $2, $3)
          ON CONFLICT (old_chat_id) DO UPDATE SET new_chat_id = excluded.new_chat_id, migrated_at = excluded.migrated_at`,
          [oldChatId, newChatId, now],
        );
        // A chat migrated twice (group → supergroup → …) points every older id at the newest.
        await db.run("UPDATE chat_migrations SET new_chat_id = $1 WHERE new_chat_id = $2", [newChatId, oldChatId]);
        await db.run(
          `UPDATE alerts SET chat_id = $1 WHERE chat_id = $2
          AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.signal_id = alerts.signal_id AND a.chat_id = $1)`,
          [newChatId, oldChatId],
        );
        for (const row of queuedRows) {
          await db.run("UPDATE outbox SET chat_id = $1, payload = $2 WHERE id = $3 AND state = 'queued'", [
            newChatId,
            JSON.stringify(row.payload),
            row.id,
          ]);
        }
      });
    },
    async countQueuedOutbox() {
      return db.query<{ priority: number; n: number; oldest_ms: number }>(
        `SELECT priority, COUNT(*) AS n, MIN(created_ms) AS oldest_ms
        FROM outbox WHERE state = 'queued' GROUP BY priority`,
      );
    },
    async countOutboxDoneSince(sinceMs) {
      const rows = await db.query<{ state: string; n: number }>(
        "SELECT state, COUNT(*) AS n FROM outbox WHERE state <> 'queued' AND done_ms >= $1 GROUP BY state",
        [sinceMs],
      );
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },
    async listChatMigrations() {
      const rows = await db.query<{ old_chat_id: number; new_chat_id: number }>(
        "SELECT old_chat_id, new_chat_id FROM chat_migrations",
      );
      return new Map(rows.map((r) => [r.old_chat_id, r.new_chat_id]));
    },
  };
}
