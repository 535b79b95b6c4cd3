import type { Sqlite } from "./index.ts";
import { alertQueries } from "./queries/alerts.ts";
import { auditQueries } from "./queries/audit.ts";
import { commandQueries } from "./queries/commands.ts";
import { fireQueries } from "./queries/fires.ts";
import { signalQueries } from "./queries/signals.ts";
import { statsQueries } from "./queries/stats.ts";
import { terminalQueries } from "./queries/terminal.ts";
import { trackRecordQueries } from "./queries/track-record.ts";
import { updateQueries } from "./queries/updates.ts";
import { userQueries } from "./queries/users.ts";

/**
 * All typed queries over one open database, statements prepared once. `transaction` wraps
 * several calls atomically (synchronous functions only, as better-sqlite3 requires).
 */
export function createStore(sqlite: Sqlite) {
  return {
    sqlite,
    signals: signalQueries(sqlite),
    users: userQueries(sqlite),
    terminal: terminalQueries(sqlite),
    fires: fireQueries(sqlite),
    commands: commandQueries(sqlite),
    stats: statsQueries(sqlite),
    alerts: alertQueries(sqlite),
    audit: auditQueries(sqlite),
    updates: updateQueries(sqlite),
    trackRecord: trackRecordQueries(sqlite),
    transaction<T>(fn: () => T): T {
      return sqlite.transaction(fn)();
    },
  };
}

export type Store = ReturnType<typeof createStore>;
