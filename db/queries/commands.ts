import type { BridgeCommand } from "../../bridge/protocol.ts";
import { combineLegStates } from "../../core/fire-state.ts";
import type { LegState } from "../../core/types.ts";
import type { Sqlite } from "../index.ts";

export interface CommandRow {
  id: string;
  fire_id: string;
  user_id: number;
  leg: number;
  payload: string;
  state: LegState;
  deliveries: number;
  created_ms: number;
  delivered_ms: number | null;
  first_delivered_ms: number | null;
  retcode: number | null;
  ticket: string | null;
  price: number | null;
  volume: number | null;
  message: string | null;
  result_ms: number | null;
  close_price: number | null;
  profit: number | null;
  closed_at: string | null;
  /** A `closed` report (JSON) received before the leg's result, applied when it fills. */
  held_close: string | null;
}

export interface LegResult {
  state: "filled" | "rejected" | "failed";
  retcode: number | null;
  ticket: string | null;
  price: number | null;
  volume: number | null;
  message: string | null;
}

/** Typed queries over the `bridge_commands` outbox and the fire state derived from it. */
export function commandQueries(sqlite: Sqlite) {
  const due = sqlite.prepare(`SELECT * FROM bridge_commands WHERE user_id = ?
      AND (state = 'queued' OR (state = 'delivered' AND delivered_ms <= ?)) ORDER BY created_ms, fire_id, leg LIMIT 100`);
  const markDelivered = sqlite.prepare(`UPDATE bridge_commands SET state = 'delivered', deliveries = deliveries + 1,
      delivered_ms = ?, first_delivered_ms = coalesce(first_delivered_ms, ?) WHERE id = ?`);
  const markHanded = sqlite.prepare(`UPDATE bridge_commands SET state = 'delivered', deliveries = 1,
      delivered_ms = ?, first_delivered_ms = ? WHERE id = ? AND state = 'queued'`);
  const byId = sqlite.prepare("SELECT * FROM bridge_commands WHERE id = ?");
  const legsOf = sqlite.prepare("SELECT * FROM bridge_commands WHERE fire_id = ? ORDER BY leg");
  const setResult = sqlite.prepare(`UPDATE bridge_commands SET state = @state, retcode = @retcode, ticket = @ticket,
      price = @price, volume = @volume, message = @message, result_ms = @now_ms WHERE id = @id`);
  const setClosed =
    sqlite.prepare(`UPDATE bridge_commands SET state = 'closed', close_price = ?, profit = ?, closed_at = ?,
      ticket = coalesce(ticket, ?) WHERE id = ?`);
  const setFire =
    sqlite.prepare(`UPDATE fires SET state = @state, fill_price = @fill_price, slippage_pips = @slippage_pips,
      latency_ms = @latency_ms, profit = @profit, message = @message, updated_at = @now, closed_at = @closed_at,
      closed_ms = @closed_ms WHERE id = @id`);
  const holdClose = sqlite.prepare("UPDATE bridge_commands SET held_close = ? WHERE id = ?");
  const expireLeg = sqlite.prepare(
    "UPDATE bridge_commands SET state = 'expired', message = ?, result_ms = ? WHERE id = ?",
  );
  const overdue = sqlite.prepare(`SELECT * FROM bridge_commands WHERE state IN ('queued', 'delivered')
      AND json_extract(payload, '$.expires_at') <= ?`);
  const pendingCount = sqlite.prepare(
    "SELECT COUNT(*) AS n FROM bridge_commands WHERE state IN ('queued', 'delivered')",
  );

  return {
    /**
     * Commands due for `userId` now — queued ones, and delivered ones without a result whose
     * visibility timeout has passed — marked delivered in the same transaction.
     */
    takeDue: sqlite.transaction((userId: number, nowMs: number, visibilityMs: number): CommandRow[] => {
      const rows = due.all(userId, nowMs - visibilityMs) as CommandRow[];
      for (const r of rows) markDelivered.run(nowMs, nowMs, r.id);
      return rows;
    }),
    /**
     * Marks delivered those of `ids` still queued (commands a just-committed fire hands to a waiting
     * long-poll) and returns their ids: a command another poll took meanwhile is not returned.
     */
    claimQueued: sqlite.transaction((ids: string[], nowMs: number): string[] =>
      ids.filter((id) => markHanded.run(nowMs, nowMs, id).changes === 1),
    ),
    findCommand(id: string): CommandRow | null {
      return (byId.get(id) as CommandRow | undefined) ?? null;
    },
    /**
     * `findCommand` holding the row until the transaction ends, for a report that changes it
     * (PostgreSQL: FOR UPDATE; SQLite has one writer).
     */
    lockCommand(id: string): CommandRow | null {
      return (byId.get(id) as CommandRow | undefined) ?? null;
    },
    listLegs(fireId: string): CommandRow[] {
      return legsOf.all(fireId) as CommandRow[];
    },
    setLegResult(id: string, result: LegResult, nowMs: number): void {
      setResult.run({ ...result, id, now_ms: nowMs });
    },
    setLegClosed(id: string, closePrice: number, profit: number, closedAt: string, ticket: string | null): void {
      setClosed.run(closePrice, profit, closedAt, ticket, id);
    },
    /** Keeps a `closed` report that came before the leg's result (see CommandRow.held_close). */
    holdClose(id: string, report: string | null): void {
      holdClose.run(report, id);
    },
    expireLeg(id: string, message: string, nowMs: number): void {
      expireLeg.run(message, nowMs, id);
    },
    /** Pending commands whose `expires_at` is at or before `iso`. */
    listOverdue(iso: string): CommandRow[] {
      return overdue.all(iso) as CommandRow[];
    },
    countPending(): number {
      return (pendingCount.get() as { n: number }).n;
    },
    /** Writes the fire's derived fields. */
    updateFire(f: {
      id: string;
      state: string;
      fill_price: number | null;
      slippage_pips: number | null;
      latency_ms: number | null;
      profit: number | null;
      message: string | null;
      now: string;
      closed_at: string | null;
      closed_ms: number | null;
    }): void {
      setFire.run(f);
    },
  };
}

/** The protocol command stored in a row. */
export function commandPayload(row: Pick<CommandRow, "payload">): BridgeCommand {
  return JSON.parse(row.payload) as BridgeCommand;
}

/** The fire state implied by its legs. */
export function fireStateOf(legs: readonly CommandRow[]): string {
  return combineLegStates(legs.map((l) => l.state));
}

export type CommandQueries = ReturnType<typeof commandQueries>;
