import type { NewSignal } from "../../core/signal.ts";
import type { Signal } from "../../core/types.ts";
import type { Sqlite } from "../index.ts";
import { type SignalRow, toSignal } from "../rows.ts";

export interface SignalMeta {
  id: string;
  createdAt: string;
  createdMs: number;
  source: string;
  createdBy: string | null;
  idempotencyKey: string | null;
  bodyHash: string | null;
}

/** Typed queries over `signals`. */
export function signalQueries(sqlite: Sqlite) {
  const insert = sqlite.prepare(`INSERT INTO signals (id, symbol, side, entry, stop_loss, take_profit, expires_at,
    expires_ms, confidence, shield_score, shield_notes, pattern, session, min_tier, status, created_at, created_ms,
    source, created_by, idempotency_key, body_hash, digits)
    VALUES (@id, @symbol, @side, @entry, @stop_loss, @take_profit, @expires_at, @expires_ms, @confidence,
    @shield_score, @shield_notes, @pattern, @session, @min_tier, 'active', @created_at, @created_ms, @source,
    @created_by, @idempotency_key, @body_hash, @digits)`);
  const byId = sqlite.prepare("SELECT * FROM signals WHERE id = ?");
  const byIdWithCount = sqlite.prepare(
    "SELECT s.*, (SELECT COUNT(*) FROM fires WHERE signal_id = s.id) AS fire_count FROM signals s WHERE s.id = ?",
  );
  const byKey = sqlite.prepare("SELECT * FROM signals WHERE idempotency_key = ?");
  const byHash = sqlite.prepare(
    "SELECT * FROM signals WHERE body_hash = ? AND created_ms >= ? ORDER BY created_ms DESC LIMIT 1",
  );
  const listAll = sqlite.prepare(
    `SELECT s.*, (SELECT COUNT(*) FROM fires WHERE signal_id = s.id) AS fire_count FROM signals s
     ORDER BY created_ms DESC, id DESC LIMIT ?`,
  );
  const listActive = sqlite.prepare(
    `SELECT s.*, (SELECT COUNT(*) FROM fires WHERE signal_id = s.id) AS fire_count FROM signals s
     WHERE status = 'active' AND expires_ms > ? ORDER BY created_ms DESC, id DESC LIMIT ?`,
  );
  const listExpired = sqlite.prepare(
    `SELECT s.*, (SELECT COUNT(*) FROM fires WHERE signal_id = s.id) AS fire_count FROM signals s
     WHERE status = 'active' AND expires_ms <= ? ORDER BY created_ms DESC, id DESC LIMIT ?`,
  );
  const listCancelled = sqlite.prepare(
    `SELECT s.*, (SELECT COUNT(*) FROM fires WHERE signal_id = s.id) AS fire_count FROM signals s
     WHERE status = 'cancelled' ORDER BY created_ms DESC, id DESC LIMIT ?`,
  );
  const statusById = sqlite.prepare("SELECT status FROM signals WHERE id = ?").pluck();
  const cancel = sqlite.prepare(
    "UPDATE signals SET status = 'cancelled', cancelled_at = ? WHERE id = ? AND status = 'active'",
  );
  const expiredSince = sqlite.prepare(
    "SELECT * FROM signals WHERE status = 'active' AND expires_ms <= ? AND expires_ms > ? ORDER BY expires_ms",
  );
  const countSince = sqlite.prepare("SELECT COUNT(*) AS n FROM signals WHERE created_ms >= ?");

  type WithCount = SignalRow & { fire_count: number };
  const withCount = (rows: unknown[]) =>
    (rows as WithCount[]).map((r) => ({ signal: toSignal(r), fireCount: r.fire_count }));

  return {
    /** Stores a validated signal once. */
    insertSignal(signal: NewSignal, meta: SignalMeta): Signal {
      insert.run({
        ...signal,
        take_profit: JSON.stringify(signal.take_profit),
        expires_ms: Date.parse(signal.expires_at),
        id: meta.id,
        created_at: meta.createdAt,
        created_ms: meta.createdMs,
        source: meta.source,
        created_by: meta.createdBy,
        idempotency_key: meta.idempotencyKey,
        body_hash: meta.bodyHash,
        digits: signal.digits ?? null,
      });
      return toSignal(byId.get(meta.id) as SignalRow);
    },
    findSignal(id: string): Signal | null {
      const row = byId.get(id) as SignalRow | undefined;
      return row ? toSignal(row) : null;
    },
    /** The signal and how many fires it has, in one statement. */
    findSignalWithCount(id: string): { signal: Signal; fireCount: number } | null {
      const row = byIdWithCount.get(id) as WithCount | undefined;
      return row ? { signal: toSignal(row), fireCount: row.fire_count } : null;
    },
    /**
     * Holds a signal's dedup key (its idempotency key or body hash) until the transaction ends, so
     * copies of one alert delivered at once take turns (PostgreSQL: an advisory lock; SQLite has
     * one writer).
     */
    lockDedupKey(_key: string): void {},
    findByIdempotencyKey(key: string): Signal | null {
      const row = byKey.get(key) as SignalRow | undefined;
      return row ? toSignal(row) : null;
    },
    findRecentByBodyHash(hash: string, sinceMs: number): Signal | null {
      const row = byHash.get(hash, sinceMs) as SignalRow | undefined;
      return row ? toSignal(row) : null;
    },
    /** Newest first, with fire counts. `status` filters on the status a reader sees at `nowMs`. */
    listSignals(status: "active" | "expired" | "cancelled" | "all", nowMs: number, limit: number) {
      if (status === "active") return withCount(listActive.all(nowMs, limit));
      if (status === "expired") return withCount(listExpired.all(nowMs, limit));
      if (status === "cancelled") return withCount(listCancelled.all(limit));
      return withCount(listAll.all(limit));
    },
    /** Cancels an active signal; false when it was not active. */
    /**
     * The signal's stored status for a fire's commit, held against a cancel until the transaction
     * ends (PostgreSQL: FOR SHARE; SQLite has one writer); null for no such signal.
     */
    statusForFire(id: string): "active" | "cancelled" | null {
      return (statusById.get(id) as "active" | "cancelled" | undefined) ?? null;
    },
    cancelSignal(id: string, at: string): boolean {
      return cancel.run(at, id).changes === 1;
    },
    /** Active signals whose expiry fell in (afterMs, uptoMs]. */
    listExpiredBetween(afterMs: number, uptoMs: number): Signal[] {
      return (expiredSince.all(uptoMs, afterMs) as SignalRow[]).map(toSignal);
    },
    countSignalsSince(sinceMs: number): number {
      return (countSince.get(sinceMs) as { n: number }).n;
    },
  };
}

export type SignalQueries = ReturnType<typeof signalQueries>;
