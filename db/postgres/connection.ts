import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";

// BIGINT (Telegram ids, millisecond times, COUNT(*)) as a JS number: every value Sortie stores fits
// in 2^53. NUMERIC (SUM over integers) as a float. Same shapes as better-sqlite3 gives.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number.parseFloat(v));

/** PostgreSQL error codes and socket errors that mean "the server blipped": worth a retry. */
const TRANSIENT = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up)
  "53300", // too_many_connections
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);

export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && (TRANSIENT.has(e.code) || e.code.startsWith("08"))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    e.message ?? "",
  );
}

export interface PgOptions {
  poolSize?: number;
  /** Longest wait for a connection (new or from the pool), ms. Default 30000. */
  connectTimeoutMs?: number;
  /** How long a blip may last before a query gives up (ms). Default 5000. */
  retryForMs?: number;
  onQuery?: (sql: string) => void;
  log?: (msg: string, err?: unknown) => void;
}

/**
 * A pool plus the transaction in progress for the current async flow (AsyncLocalStorage): a query
 * made inside `tx(fn)` runs on that transaction's client, every other one on any pooled client.
 * Outside a transaction a query that fails on a transient error (restart, network blip) is retried
 * with backoff for up to `retryForMs`; a transaction is retried whole, so `fn` must be re-runnable
 * (it is: it only talks to the database until it commits).
 */
export class PgDb {
  readonly pool: pg.Pool;
  private readonly inTx = new AsyncLocalStorage<pg.PoolClient>();
  private readonly retryForMs: number;
  private readonly onQuery?: (sql: string) => void;

  constructor(url: string, options: PgOptions = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      // Also how long a query may queue for a free pooled connection under a burst: generous, so a
      // spike waits instead of failing; start-up's reachability check fails fast on its own.
      connectionTimeoutMillis: options.connectTimeoutMs ?? 30_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server emits here; without a listener Node would crash the process.
    this.pool.on("error", (err) => options.log?.("postgres: idle connection lost", err));
    this.retryForMs = options.retryForMs ?? 5000;
    this.onQuery = options.onQuery;
  }

  get inTransaction(): boolean {
    return this.inTx.getStore() !== undefined;
  }

  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retryForMs;
    for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 1000)) {
      try {
        return await attempt();
      } catch (err) {
        if (!isTransient(err) || Date.now() + delayMs > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.result<T>(sql, params)).rows;
  }

  async one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.result<T>(sql, params)).rows[0];
  }

  /** Rows changed. */
  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.result(sql, params)).rowCount ?? 0;
  }

  private result<T>(sql: string, params: unknown[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> {
    this.onQuery?.(sql);
    const client = this.inTx.getStore();
    if (client) return client.query<T & pg.QueryResultRow>(sql, params);
    return this.retrying(() => this.pool.query<T & pg.QueryResultRow>(sql, params));
  }

  /** Runs `fn` in a transaction (joined when one is already open in this async flow). */
  tx<T>(fn: () => Promise<T>, isolation: "READ COMMITTED" | "SERIALIZABLE" = "READ COMMITTED"): Promise<T> {
    if (this.inTx.getStore()) return fn();
    return this.retrying(async () => {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query(isolation === "SERIALIZABLE" ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN");
        this.onQuery?.("BEGIN");
        const out = await this.inTx.run(client, fn);
        await client.query("COMMIT");
        this.onQuery?.("COMMIT");
        return out;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        client.release(broken);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** `?` placeholders (SQLite style) to `$1…` (PostgreSQL), outside string literals. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = "";
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === "?" && !quoted ? `$${++n}` : ch;
  }
  return out;
}
