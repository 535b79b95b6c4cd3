import { AsyncLocalStorage } from "node:async_hooks";
import type { Sqlite } from "./index.ts";
import { alertQueries } from "./queries/alerts.ts";
import { auditQueries } from "./queries/audit.ts";
import { botQueries } from "./queries/bot.ts";
import { commandQueries } from "./queries/commands.ts";
import { conversationQueries } from "./queries/conversations.ts";
import { fireQueries } from "./queries/fires.ts";
import { legacyQueries } from "./queries/legacy.ts";
import { metricsQueries } from "./queries/metrics.ts";
import { outboxQueries } from "./queries/outbox.ts";
import { signalQueries } from "./queries/signals.ts";
import { stagedQueries } from "./queries/staged.ts";
import { statsQueries } from "./queries/stats.ts";
import { terminalQueries } from "./queries/terminal.ts";
import { terminalListQueries } from "./queries/terminals.ts";
import { trackRecordQueries } from "./queries/track-record/index.ts";
import { updateQueries } from "./queries/updates/index.ts";
import { userQueries } from "./queries/users.ts";

/** The same functions, answering with promises (what an engine that talks over a socket can do). */
export type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/**
 * The query groups, typed by the SQLite implementations (db/queries/*.ts). The PostgreSQL store
 * (db/postgres/) must implement each method with the same signature: tsc checks that, so a query
 * added to one engine and not the other does not compile. See docs/DATABASE.md.
 */
export interface StoreQueries {
  signals: Async<ReturnType<typeof signalQueries>>;
  users: Async<ReturnType<typeof userQueries>>;
  terminal: Async<ReturnType<typeof terminalQueries>>;
  fires: Async<ReturnType<typeof fireQueries>>;
  commands: Async<ReturnType<typeof commandQueries>>;
  stats: Async<ReturnType<typeof statsQueries>>;
  alerts: Async<ReturnType<typeof alertQueries>>;
  metrics: Async<ReturnType<typeof metricsQueries>>;
  bot: Async<ReturnType<typeof botQueries>>;
  conversations: Async<ReturnType<typeof conversationQueries>>;
  audit: Async<ReturnType<typeof auditQueries>>;
  updates: Async<ReturnType<typeof updateQueries>>;
  staged: Async<ReturnType<typeof stagedQueries>>;
  trackRecord: Async<ReturnType<typeof trackRecordQueries>>;
  legacy: Async<ReturnType<typeof legacyQueries>>;
  terminals: Async<ReturnType<typeof terminalListQueries>>;
  outbox: Async<ReturnType<typeof outboxQueries>>;
}

/** A row from `query` (ad-hoc SQL for tests and operators' tools). */
export type Row = Record<string, unknown>;

/**
 * Every read and write of Sortie's data, on SQLite or PostgreSQL. All methods are async;
 * `transaction(fn)` runs `fn` atomically, and every store call made inside it (on this same
 * store object, awaited in `fn`'s async flow) joins that transaction.
 */
export interface Store extends StoreQueries {
  readonly engine: "sqlite" | "postgres";
  /** True once `close()` was called. */
  readonly closed: boolean;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Ad-hoc SQL with `?` placeholders (tests, CLIs); prefer a named query method in code. */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** One round trip to the database (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The SQLite store also exposes its connection (checkpointer, backup, SQLite-only tests). */
export interface SqliteStore extends Store {
  readonly engine: "sqlite";
  readonly sqlite: Sqlite;
}

/**
 * Serialises SQLite's async transactions on its one connection. While a transaction is open,
 * calls from outside it wait (they would otherwise run inside it); calls from inside it (found
 * with AsyncLocalStorage) go straight through. With no transaction open a call costs one check.
 */
class TxGate {
  private open: Promise<void> | null = null;
  private readonly inside = new AsyncLocalStorage<true>();

  mine(): boolean {
    return this.inside.getStore() === true;
  }

  /** Resolves when no foreign transaction holds the connection. */
  async wait(): Promise<void> {
    while (this.open && !this.mine()) await this.open;
  }

  get busy(): boolean {
    return this.open !== null;
  }

  async run<T>(begin: () => void, commit: () => void, rollback: () => void, fn: () => Promise<T>): Promise<T> {
    if (this.mine()) return fn(); // nested: flat, part of the outer transaction
    // Checked and taken in one synchronous step: after an `await this.wait()` another waiter could
    // take the connection in the hop before this one resumes (two BEGINs, found with 20 at once).
    while (this.open) await this.open;
    let release: () => void = () => undefined;
    this.open = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      begin();
      let out: T;
      try {
        out = await this.inside.run(true, fn);
      } catch (err) {
        rollback();
        throw err;
      }
      commit();
      return out;
    } finally {
      this.open = null;
      // With no transaction open nothing asks `mine()`: switching the storage off also switches
      // off the promise hooks it needs, which otherwise cost every promise in the process (~8 % of
      // a Mini App read under load). The next `run` switches it on again.
      this.inside.disable();
      release();
    }
  }
}

/** Wraps a group of synchronous SQLite queries so each answers a promise and respects the gate. */
function asyncGroup<T extends object>(group: T, gate: TxGate): Async<T> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(group) as Array<[string, (...args: unknown[]) => unknown]>) {
    const call = (args: unknown[]): Promise<unknown> => {
      // Checked again after waiting: another transaction may have begun before this call resumed.
      if (gate.busy && !gate.mine()) return gate.wait().then(() => call(args));
      try {
        return Promise.resolve(fn(...args));
      } catch (err) {
        return Promise.reject(err);
      }
    };
    out[name] = (...args: unknown[]) => call(args);
  }
  return out as Async<T>;
}

/**
 * The SQLite store: the typed synchronous queries of db/queries, statements prepared once, behind
 * the async interface. Each call runs synchronously and answers an already-settled promise, so the
 * embedded default keeps its speed (see BENCHMARKS.md).
 */
export function createStore(sqlite: Sqlite): SqliteStore {
  const gate = new TxGate();
  let closed = false;
  const ping = sqlite.prepare("SELECT 1");
  const statements = new Map<string, ReturnType<Sqlite["prepare"]>>();
  const raw = {
    query(sql: string, params: unknown[] = []): Row[] {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      if (statement.reader) return (statement.all as (...a: unknown[]) => unknown)(...params) as Row[];
      (statement.run as (...a: unknown[]) => unknown)(...params);
      return [];
    },
    ping(): void {
      ping.get();
    },
  };
  const rawAsync = asyncGroup(raw, gate);
  return {
    engine: "sqlite",
    sqlite,
    get closed() {
      return closed;
    },
    signals: asyncGroup(signalQueries(sqlite), gate),
    users: asyncGroup(userQueries(sqlite), gate),
    terminal: asyncGroup(terminalQueries(sqlite), gate),
    fires: asyncGroup(fireQueries(sqlite), gate),
    commands: asyncGroup(commandQueries(sqlite), gate),
    stats: asyncGroup(statsQueries(sqlite), gate),
    alerts: asyncGroup(alertQueries(sqlite), gate),
    metrics: asyncGroup(metricsQueries(sqlite), gate),
    bot: asyncGroup(botQueries(sqlite), gate),
    conversations: asyncGroup(conversationQueries(sqlite), gate),
    audit: asyncGroup(auditQueries(sqlite), gate),
    updates: asyncGroup(updateQueries(sqlite), gate),
    staged: asyncGroup(stagedQueries(sqlite), gate),
    trackRecord: asyncGroup(trackRecordQueries(sqlite), gate),
    legacy: asyncGroup(legacyQueries(sqlite), gate),
    terminals: asyncGroup(terminalListQueries(sqlite), gate),
    outbox: asyncGroup(outboxQueries(sqlite), gate),
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return gate.run(
        () => sqlite.exec("BEGIN"),
        () => sqlite.exec("COMMIT"),
        () => {
          if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
        },
        fn,
      );
    },
    query: rawAsync.query,
    ping: rawAsync.ping,
    async close() {
      if (closed) return;
      closed = true;
      await gate.wait();
      sqlite.close();
    },
  };
}
