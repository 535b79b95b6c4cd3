import type { Sqlite } from "../index.ts";

/** A message to store in the outbox. */
export interface NewOutboxRow {
  chat_id: number;
  method: string;
  payload: Record<string, unknown>;
  priority: number;
  ref: string | null;
  merge_key: string | null;
  created_ms: number;
}

/** One message waiting in the outbox (payload parsed). */
export interface OutboxRow extends NewOutboxRow {
  id: number;
}

/** What the outbox recorded about one message (`answer`: Telegram's answer as JSON, when kept). */
export interface OutboxAnswer {
  state: "queued" | "sent" | "failed" | "dropped";
  message_id: number | null;
  error: string | null;
  answer: string | null;
}

/**
 * Typed queries over `outbox` (everything the bot sends, issue #20) and `chat_migrations`
 * (groups Telegram moved to a supergroup id). The sender keeps the queue in memory and writes
 * here what must survive a crash: each new message, and Telegram's answer to it.
 */
export function outboxQueries(sqlite: Sqlite) {
  const insert = sqlite.prepare(`INSERT INTO outbox (chat_id, method, payload, priority, ref, merge_key, created_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`);
  const replace = sqlite.prepare("UPDATE outbox SET payload = ?, ref = ? WHERE id = ? AND state = 'queued'");
  const finish = sqlite.prepare(
    "UPDATE outbox SET state = ?, done_ms = ?, message_id = ?, error = ?, answer = ? WHERE id = ? AND state = 'queued'",
  );
  const one = sqlite.prepare(
    "SELECT id, chat_id, method, payload, priority, ref, merge_key, created_ms FROM outbox WHERE id = ? AND state = 'queued'",
  );
  const answerOf = sqlite.prepare("SELECT state, message_id, error, answer FROM outbox WHERE id = ?");
  const queued = sqlite.prepare(
    "SELECT id, chat_id, method, payload, priority, ref, merge_key, created_ms FROM outbox WHERE state = 'queued' ORDER BY id",
  );
  const moveQueued = sqlite.prepare("UPDATE outbox SET chat_id = ?, payload = ? WHERE id = ? AND state = 'queued'");
  const purge = sqlite.prepare("DELETE FROM outbox WHERE state <> 'queued' AND done_ms < ?");
  const addMigration =
    sqlite.prepare(`INSERT INTO chat_migrations (old_chat_id, new_chat_id, migrated_at) VALUES (?, ?, ?)
    ON CONFLICT (old_chat_id) DO UPDATE SET new_chat_id = excluded.new_chat_id, migrated_at = excluded.migrated_at`);
  // A chat migrated twice (group → supergroup → …) points every older id at the newest.
  const chainMigration = sqlite.prepare("UPDATE chat_migrations SET new_chat_id = ? WHERE new_chat_id = ?");
  const migrations = sqlite.prepare("SELECT old_chat_id, new_chat_id FROM chat_migrations");
  const queuedByPriority = sqlite.prepare(`SELECT priority, COUNT(*) AS n, MIN(created_ms) AS oldest_ms
    FROM outbox WHERE state = 'queued' GROUP BY priority`);
  const doneSince = sqlite.prepare(`SELECT state, COUNT(*) AS n FROM outbox
    WHERE state <> 'queued' AND done_ms >= ? GROUP BY state`);
  const moveAlerts = sqlite.prepare(`UPDATE alerts SET chat_id = ? WHERE chat_id = ?
    AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.signal_id = alerts.signal_id AND a.chat_id = ?)`);

  return {
    /** Stores a new message to send; returns its id. */
    insertOutbox(row: NewOutboxRow): number {
      const { id } = insert.get(
        row.chat_id,
        row.method,
        JSON.stringify(row.payload),
        row.priority,
        row.ref,
        row.merge_key,
        row.created_ms,
      ) as { id: number };
      return id;
    },
    /** A newer version of a queued edit replaces the older one (only while it is still queued). */
    replaceOutboxPayload(id: number, payload: Record<string, unknown>, ref: string | null): void {
      replace.run(JSON.stringify(payload), ref, id);
    },
    /**
     * Records Telegram's answer: `sent` with its message id, `failed` or `dropped` with the error;
     * `answer` (JSON) when an enqueuer on another instance waits for it. Several ids (a merged
     * message) in one transaction.
     */
    finishOutbox(
      ids: readonly number[],
      state: "sent" | "failed" | "dropped",
      doneMs: number,
      messageId: number | null,
      error: string | null,
      answer: string | null = null,
    ): void {
      sqlite.transaction(() => {
        for (const id of ids) finish.run(state, doneMs, messageId, error, answer, id);
      })();
    },
    /** One message still waiting (another instance queued it), or undefined once answered. */
    findQueuedOutbox(id: number): OutboxRow | undefined {
      const row = one.get(id) as (Omit<OutboxRow, "payload"> & { payload: string }) | undefined;
      return row ? { ...row, payload: JSON.parse(row.payload) as Record<string, unknown> } : undefined;
    },
    /** Telegram's recorded answer to a message (state `queued` while it waits). */
    findOutboxAnswer(id: number): OutboxAnswer | undefined {
      return answerOf.get(id) as OutboxAnswer | undefined;
    },
    /** Everything not yet answered by Telegram, oldest first (start-up). */
    listQueuedOutbox(): OutboxRow[] {
      return (queued.all() as Array<Omit<OutboxRow, "payload"> & { payload: string }>).map((r) => ({
        ...r,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
      }));
    },
    /** Deletes sent, failed and dropped rows answered before `beforeMs`. */
    purgeOutbox(beforeMs: number): number {
      return purge.run(beforeMs).changes;
    },
    /**
     * Telegram moved group `oldChatId` to supergroup `newChatId`: remembered, the alerts shown
     * there and the messages queued for it (`queued`: their ids and new payloads) follow.
     */
    migrateChat(
      oldChatId: number,
      newChatId: number,
      queuedRows: ReadonlyArray<{ id: number; payload: Record<string, unknown> }>,
      now: string,
    ): void {
      sqlite.transaction(() => {
        addMigration.run(oldChatId, newChatId, now);
        chainMigration.run(newChatId, oldChatId);
        moveAlerts.run(newChatId, oldChatId, newChatId);
        for (const row of queuedRows) moveQueued.run(newChatId, JSON.stringify(row.payload), row.id);
      })();
    },
    /** What waits, by priority, with the oldest creation time (admin /stats). */
    countQueuedOutbox(): Array<{ priority: number; n: number; oldest_ms: number }> {
      return queuedByPriority.all() as Array<{ priority: number; n: number; oldest_ms: number }>;
    },
    /** Messages answered since `sinceMs`, by outcome (sent, failed, dropped). */
    countOutboxDoneSince(sinceMs: number): Record<string, number> {
      const rows = doneSince.all(sinceMs) as Array<{ state: string; n: number }>;
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },
    /** Old chat id → the id Telegram moved it to. */
    listChatMigrations(): Map<number, number> {
      const rows = migrations.all() as Array<{ old_chat_id: number; new_chat_id: number }>;
      return new Map(rows.map((r) => [r.old_chat_id, r.new_chat_id]));
    },
  };
}

export type OutboxQueries = ReturnType<typeof outboxQueries>;
