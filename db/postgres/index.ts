import type { Store } from "../store.ts";
import { numberPlaceholders, PgDb, type PgOptions } from "./connection.ts";
import { migratePostgres } from "./migrate.ts";
import { pgCommandQueries } from "./queries/commands.ts";
import { pgFireQueries } from "./queries/fires.ts";
import { pgLegacyQueries } from "./queries/legacy.ts";
import { pgOutboxQueries } from "./queries/outbox.ts";
import { pgSignalQueries } from "./queries/signals.ts";
import {
  pgAlertQueries,
  pgBotQueries,
  pgConversationQueries,
  pgMetricsQueries,
  pgStatsQueries,
} from "./queries/small.ts";
import { pgStagedQueries } from "./queries/staged.ts";
import { pgTerminalQueries } from "./queries/terminal.ts";
import { pgTerminalListQueries } from "./queries/terminals.ts";
import { pgTrackRecordQueries } from "./queries/track-record.ts";
import { pgAuditQueries, pgUpdateQueries } from "./queries/updates.ts";
import { pgUserQueries } from "./queries/users.ts";

export interface PgStore extends Store {
  readonly engine: "postgres";
  readonly db: PgDb;
}

/** Thrown when PostgreSQL cannot be reached at start-up: main.ts prints it as one line. */
export class DatabaseUnreachableError extends Error {
  override name = "DatabaseUnreachableError";
}

/** `postgres://user:secret@host/db` with the password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}

/**
 * Opens the PostgreSQL store: a pool of `poolSize` connections, checked with one round trip
 * (DatabaseUnreachableError, naming the host, when it fails), then migrated
 * (db/migrations/postgres) under an advisory lock.
 */
export async function openPgStore(url: string, options: PgOptions & { migrate?: boolean } = {}): Promise<PgStore> {
  const db = new PgDb(url, { retryForMs: 0, connectTimeoutMs: 5000, ...options });
  try {
    await db.pool.query("SELECT 1");
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new DatabaseUnreachableError(`cannot reach PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  try {
    if (options.migrate !== false) await migratePostgres(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  // Start-up fails fast (above); from here a blip is retried rather than surfaced.
  const running = new PgDb(url, options);
  await db.close();
  return createPgStore(running);
}

/** The store over an open PgDb (see openPgStore). */
export function createPgStore(db: PgDb): PgStore {
  let closed = false;
  return {
    engine: "postgres",
    db,
    get closed() {
      return closed;
    },
    signals: pgSignalQueries(db),
    users: pgUserQueries(db),
    terminal: pgTerminalQueries(db),
    fires: pgFireQueries(db),
    commands: pgCommandQueries(db),
    stats: pgStatsQueries(db),
    alerts: pgAlertQueries(db),
    metrics: pgMetricsQueries(db),
    bot: pgBotQueries(db),
    conversations: pgConversationQueries(db),
    audit: pgAuditQueries(db),
    updates: pgUpdateQueries(db),
    staged: pgStagedQueries(db),
    trackRecord: pgTrackRecordQueries(db),
    legacy: pgLegacyQueries(db),
    terminals: pgTerminalListQueries(db),
    outbox: pgOutboxQueries(db),
    transaction: (fn) => db.tx(fn),
    query: (sql, params = []) => db.query(numberPlaceholders(sql), params),
    async ping() {
      await db.query("SELECT 1");
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
