import type { NewSignal } from "../../core/signal.ts";
import type { Sqlite } from "../index.ts";

/** A row of `staged_signals` (migration 0009): a scheduled signal or an engine draft. */
export interface StagedRow {
  id: string;
  kind: "scheduled" | "draft";
  state: "pending" | "published" | "cancelled" | "expired" | "rejected";
  signal: NewSignal;
  publish_ms: number | null;
  expires_ms: number;
  source: string;
  created_by: string | null;
  created_at: string;
  created_ms: number;
  idempotency_key: string | null;
  body_hash: string | null;
  dedup_key: string | null;
  quality: number | null;
  decided_by: string | null;
  decided_at: string | null;
  lateness_ms: number | null;
}

export type NewStagedRow = Omit<StagedRow, "state" | "decided_by" | "decided_at" | "lateness_ms">;

/** Per-strategy engine settings (`engine_strategies`). */
export interface StrategySettingsRow {
  name: string;
  auto_publish: boolean;
  min_quality: number;
  updated_at: string;
  updated_by: string | null;
}

/** A stored row with its signal JSON parsed (both engines keep it as TEXT). */
export const toStaged = (row: Record<string, unknown>): StagedRow =>
  ({ ...row, signal: JSON.parse(row.signal as string) as NewSignal }) as StagedRow;

/**
 * Typed queries over the signals that are not public yet (scheduled, drafts), the engine's
 * per-strategy settings and the draft DMs. Plain portable SQL: every state change is a
 * conditional UPDATE (`WHERE state = 'pending'`), so of two instances or two admins racing, one
 * wins and the other sees `false`.
 */
export function stagedQueries(sqlite: Sqlite) {
  // ON CONFLICT DO NOTHING: an engine setup (dedup_key) already proposed, by this or another instance.
  const insert = sqlite.prepare(`INSERT INTO staged_signals (id, kind, signal, publish_ms, expires_ms, source,
    created_by, created_at, created_ms, idempotency_key, body_hash, dedup_key, quality)
    VALUES (@id, @kind, @signal, @publish_ms, @expires_ms, @source, @created_by, @created_at, @created_ms,
    @idempotency_key, @body_hash, @dedup_key, @quality) ON CONFLICT DO NOTHING`);
  const byId = sqlite.prepare("SELECT * FROM staged_signals WHERE id = ?");
  const byKey = sqlite.prepare("SELECT * FROM staged_signals WHERE idempotency_key = ?");
  const byHash = sqlite.prepare(
    "SELECT * FROM staged_signals WHERE body_hash = ? AND created_ms >= ? ORDER BY created_ms DESC LIMIT 1",
  );
  const pending = sqlite.prepare(
    `SELECT * FROM staged_signals WHERE state = 'pending' AND kind = ?
     ORDER BY COALESCE(publish_ms, created_ms), id LIMIT ?`,
  );
  const nextDue = sqlite.prepare(
    "SELECT MIN(publish_ms) AS at FROM staged_signals WHERE state = 'pending' AND kind = 'scheduled'",
  );
  const due = sqlite.prepare(
    `SELECT * FROM staged_signals WHERE state = 'pending' AND kind = 'scheduled' AND publish_ms <= ?
     ORDER BY publish_ms, id`,
  );
  const overdueDrafts = sqlite.prepare(
    "SELECT * FROM staged_signals WHERE state = 'pending' AND kind = 'draft' AND expires_ms <= ? ORDER BY expires_ms",
  );
  const settle = sqlite.prepare(`UPDATE staged_signals SET state = @state, decided_by = @decided_by,
    decided_at = @decided_at, lateness_ms = @lateness_ms WHERE id = @id AND state = 'pending'`);
  const updateSignal = sqlite.prepare("UPDATE staged_signals SET signal = ? WHERE id = ? AND state = 'pending'");
  const dedupKeys = sqlite.prepare(
    "SELECT dedup_key FROM staged_signals WHERE dedup_key IS NOT NULL ORDER BY created_ms DESC LIMIT ?",
  );
  const strategies = sqlite.prepare("SELECT * FROM engine_strategies ORDER BY name");
  const upsertStrategy = sqlite.prepare(`INSERT INTO engine_strategies (name, auto_publish, min_quality, updated_at,
    updated_by) VALUES (@name, @auto_publish, @min_quality, @updated_at, @updated_by)
    ON CONFLICT (name) DO UPDATE SET auto_publish = excluded.auto_publish, min_quality = excluded.min_quality,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by`);
  const insertMessage = sqlite.prepare(
    "INSERT INTO draft_messages (draft_id, chat_id, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  );
  const messages = sqlite.prepare("SELECT chat_id, message_id FROM draft_messages WHERE draft_id = ?");

  const one = (row: unknown) => (row ? toStaged(row as Record<string, unknown>) : null);
  const many = (rows: unknown[]) => rows.map((r) => toStaged(r as Record<string, unknown>));

  return {
    /** Stores a staged signal; false when its dedup key (engine setup) is already taken. */
    insertStaged(row: NewStagedRow): boolean {
      return insert.run({ ...row, signal: JSON.stringify(row.signal) }).changes === 1;
    },
    findStaged: (id: string): StagedRow | null => one(byId.get(id)),
    findStagedByIdempotencyKey: (key: string): StagedRow | null => one(byKey.get(key)),
    findRecentStagedByBodyHash: (hash: string, sinceMs: number): StagedRow | null => one(byHash.get(hash, sinceMs)),
    /** Pending scheduled signals (soonest first) or drafts (oldest first). */
    listPending: (kind: StagedRow["kind"], limit: number): StagedRow[] => many(pending.all(kind, limit)),
    /** The earliest `publish_ms` still pending, or null. */
    nextPublishMs: (): number | null => (nextDue.get() as { at: number | null }).at,
    /** Pending scheduled signals whose moment is at or before `uptoMs`, in order. */
    listDue: (uptoMs: number): StagedRow[] => many(due.all(uptoMs)),
    /** Pending drafts past their review deadline. */
    listOverdueDrafts: (nowMs: number): StagedRow[] => many(overdueDrafts.all(nowMs)),
    /**
     * Moves a pending row to its final state; false when it was not pending any more (someone —
     * another instance, another admin, the timer — settled it first). This is the claim.
     */
    settleStaged(
      id: string,
      state: Exclude<StagedRow["state"], "pending">,
      by: string | null,
      at: string,
      latenessMs: number | null = null,
    ): boolean {
      return settle.run({ id, state, decided_by: by, decided_at: at, lateness_ms: latenessMs }).changes === 1;
    },
    /** Replaces a pending row's signal (an admin edited a draft); false when no longer pending. */
    updateStagedSignal(id: string, signal: NewSignal): boolean {
      return updateSignal.run(JSON.stringify(signal), id).changes === 1;
    },
    /** The most recent engine dedup keys (seed of the engine's in-memory dedup at start). */
    recentDedupKeys: (limit: number): string[] =>
      (dedupKeys.all(limit) as Array<{ dedup_key: string }>).map((r) => r.dedup_key),
    listStrategySettings: (): StrategySettingsRow[] =>
      (strategies.all() as Array<Omit<StrategySettingsRow, "auto_publish"> & { auto_publish: number }>).map((r) => ({
        ...r,
        auto_publish: r.auto_publish === 1,
      })),
    saveStrategySettings(row: StrategySettingsRow): void {
      upsertStrategy.run({ ...row, auto_publish: row.auto_publish ? 1 : 0 });
    },
    addDraftMessage(draftId: string, chatId: number, messageId: number): void {
      insertMessage.run(draftId, chatId, messageId);
    },
    listDraftMessages: (draftId: string): Array<{ chat_id: number; message_id: number }> =>
      messages.all(draftId) as Array<{ chat_id: number; message_id: number }>,
  };
}

export type StagedQueries = ReturnType<typeof stagedQueries>;
