import type { Sqlite } from "../index.ts";

/** Read-only figures for `/metrics` and `/health`, each one statement prepared once. */
export function metricsQueries(sqlite: Sqlite) {
  const online = sqlite.prepare("SELECT COUNT(*) AS n FROM users WHERE bridge_seen_ms >= ?");
  const linked = sqlite.prepare("SELECT COUNT(*) AS n FROM bridge_tokens");
  const firesByState = sqlite.prepare("SELECT state, COUNT(*) AS n FROM fires GROUP BY state");

  return {
    /** Terminals heard from at or after `sinceMs` (any authenticated bridge request counts). */
    countOnlineTerminals(sinceMs: number): number {
      return (online.get(sinceMs) as { n: number }).n;
    },
    /** Users holding a bridge token. */
    countLinkedTerminals(): number {
      return (linked.get() as { n: number }).n;
    },
    /** Every fire ever made, by current state. */
    countFiresByState(): Array<{ state: string; n: number }> {
      return firesByState.all() as Array<{ state: string; n: number }>;
    },
  };
}

export type MetricsQueries = ReturnType<typeof metricsQueries>;
