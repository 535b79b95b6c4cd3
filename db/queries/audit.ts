import type { Sqlite } from "../index.ts";

/** One line of the admin audit log: who did what, when, to what. */
export interface AuditEntry {
  seq: number;
  at: string;
  type: string;
  actor: string | null;
  user_id: number | null;
  signal_id: string | null;
  data: unknown;
}

/**
 * The admin audit log over the append-only event log: staff commands (allowed and refused), tier
 * changes (bot and API), signals created and cancelled. The WHERE clause is the partial index's own
 * (migration 0005), so newest-first reads walk only those rows.
 */
export function auditQueries(sqlite: Sqlite) {
  const newest = sqlite.prepare(`SELECT seq, at, type, actor, user_id, signal_id, data FROM events
    WHERE type LIKE 'admin.%' OR type IN ('signal.created', 'signal.cancelled', 'user.tier_changed')
    ORDER BY seq DESC LIMIT ?`);
  return {
    /** The newest `limit` audit entries, newest first. */
    listAudit(limit: number): AuditEntry[] {
      return (newest.all(limit) as Array<Omit<AuditEntry, "data"> & { data: string | null }>).map((row) => ({
        ...row,
        data: row.data === null ? null : (JSON.parse(row.data) as unknown),
      }));
    },
  };
}

export type AuditQueries = ReturnType<typeof auditQueries>;
