import { takeProfitLeg } from "../../core/legs.ts";
import type { Sqlite } from "../index.ts";
import { FIRE_JSON, type FireView, parseFire } from "../rows.ts";

export interface NewFire {
  id: string;
  signal_id: string;
  user_id: number;
  lots: number;
  symbol: string;
  broker_symbol: string;
  side: "BUY" | "SELL";
  risk_amount: number;
  created_at: string;
  created_ms: number;
}

export interface NewCommand {
  id: string;
  leg: number;
  /** The protocol command, JSON. */
  payload: string;
  volume: number;
  take_profit: number | null;
  /** The terminal's `users` row that receives it (several terminals per trader); default the fire's user. */
  user_id?: number;
}

/** One line of the event log as the trace shows it. */
export interface EventLine {
  seq: number;
  at: string;
  type: string;
  actor: string | null;
  data: string | null;
}

export interface NewEvent {
  type: string;
  actor?: string | null;
  user_id?: number | null;
  signal_id?: string | null;
  fire_id?: string | null;
  data?: unknown;
}

/** The view of a fire just inserted, built without reading it back. */
export const freshView = (fire: NewFire, commands: NewCommand[]): FireView => ({
  // Field by field, as a read-back shows it (no `created_ms`): a spread of the row cost ~2 % of a
  // burst's CPU (profiled).
  id: fire.id,
  signal_id: fire.signal_id,
  user_id: fire.user_id,
  state: "queued",
  lots: fire.lots,
  symbol: fire.symbol,
  broker_symbol: fire.broker_symbol,
  side: fire.side,
  risk_amount: fire.risk_amount,
  fill_price: null,
  slippage_pips: null,
  latency_ms: null,
  profit: null,
  message: null,
  xp_awarded: 0,
  created_at: fire.created_at,
  updated_at: fire.created_at,
  closed_at: null,
  legs: commands.map((c) => ({
    id: c.id,
    leg: takeProfitLeg(c.leg),
    volume: c.volume,
    take_profit: c.take_profit,
    state: "queued",
    price: null,
    ticket: null,
    retcode: null,
    message: null,
    close_price: null,
    profit: null,
    closed_at: null,
    deliveries: 0,
  })),
});

/** The columns of one `bridge_commands` row of `fire`, in the order both engines insert them. */
export const commandParams = (fire: NewFire, c: NewCommand) => [
  c.id,
  fire.id,
  c.user_id ?? fire.user_id,
  c.leg,
  c.payload,
  fire.created_ms,
];

/** The columns of one `events` row, in the order both engines insert them. */
export const eventParams = (at: string, e: NewEvent) => [
  at,
  e.type,
  e.actor ?? null,
  e.user_id ?? null,
  e.signal_id ?? null,
  e.fire_id ?? null,
  e.data === undefined ? null : JSON.stringify(e.data),
];

/** `INSERT … VALUES` of `count` rows, one statement per count, prepared on first use. */
function perRowCount(sqlite: Sqlite, head: string, row: string) {
  const byCount = new Map<number, ReturnType<Sqlite["prepare"]>>();
  return (count: number) => {
    let statement = byCount.get(count);
    if (!statement) {
      statement = sqlite.prepare(`${head} VALUES ${Array.from({ length: count }, () => row).join(", ")}`);
      byCount.set(count, statement);
    }
    return statement;
  };
}

/** Typed queries over `fires`, their outbox commands, and the append-only `events` log. */
export function fireQueries(sqlite: Sqlite) {
  const insertFire =
    sqlite.prepare(`INSERT INTO fires (id, signal_id, user_id, state, lots, symbol, broker_symbol, side,
      risk_amount, created_at, created_ms, updated_at)
    VALUES (@id, @signal_id, @user_id, 'queued', @lots, @symbol, @broker_symbol, @side, @risk_amount, @created_at,
      @created_ms, @created_at)
    ON CONFLICT (signal_id, user_id) DO NOTHING`);
  // A fire's commands and its audit events are written with one statement each, whatever the
  // number of legs: one statement per row count, prepared on first use (a fire has 1–6 legs).
  const insertCommands = perRowCount(
    sqlite,
    "INSERT INTO bridge_commands (id, fire_id, user_id, leg, payload, created_ms)",
    "(?, ?, ?, ?, ?, ?)",
  );
  const insertEvents = perRowCount(
    sqlite,
    "INSERT INTO events (at, type, actor, user_id, signal_id, fire_id, data)",
    "(?, ?, ?, ?, ?, ?, ?)",
  );
  const fireBySignalUser = sqlite.prepare(`SELECT ${FIRE_JSON} AS j FROM fires f WHERE signal_id = ? AND user_id = ?`);
  const fireById = sqlite.prepare(`SELECT ${FIRE_JSON} AS j FROM fires f WHERE id = ?`);
  const firesByUser = sqlite.prepare(
    `SELECT ${FIRE_JSON} AS j FROM fires f WHERE user_id = ? ORDER BY created_ms DESC, id DESC LIMIT ?`,
  );
  const countBySignal = sqlite.prepare("SELECT COUNT(*) AS n FROM fires WHERE signal_id = ?");
  const countByUserSince = sqlite.prepare("SELECT COUNT(*) AS n FROM fires WHERE user_id = ? AND created_ms >= ?");
  const pnlSince = sqlite.prepare(
    "SELECT coalesce(sum(profit), 0) AS pnl FROM fires WHERE user_id = ? AND state = 'closed' AND closed_ms >= ?",
  );
  const eventsByFire = sqlite.prepare("SELECT * FROM events WHERE fire_id = ? ORDER BY seq");
  const signalWideEvents = sqlite.prepare(
    "SELECT seq, at, type, actor, data FROM events WHERE signal_id = ? AND fire_id IS NULL ORDER BY seq",
  );
  const stuck = sqlite.prepare("SELECT COUNT(*) AS n FROM fires WHERE state IN ('queued', 'delivered')");

  const appendEventAt = (at: string, e: NewEvent) => insertEvents(1).run(eventParams(at, e));

  /**
   * The idempotent lock. Call inside a transaction: inserts the fire, its commands and audit
   * events; `UNIQUE(signal_id, user_id)` decides, and when a fire already exists nothing is
   * written and the existing fire comes back with `duplicate: true`.
   */
  const queueFire = (
    fire: NewFire,
    commands: NewCommand[],
    events: NewEvent[],
  ): { fire: FireView; duplicate: boolean } => {
    const inserted = insertFire.run(fire).changes === 1;
    if (!inserted) {
      const existing = parseFire((fireBySignalUser.get(fire.signal_id, fire.user_id) as { j: string }).j);
      return { fire: existing!, duplicate: true };
    }
    if (commands.length > 0) insertCommands(commands.length).run(commands.flatMap((c) => commandParams(fire, c)));
    if (events.length > 0) {
      insertEvents(events.length).run(events.flatMap((e) => eventParams(fire.created_at, e)));
    }
    return { fire: freshView(fire, commands), duplicate: false };
  };
  const lockAndQueue = sqlite.transaction(queueFire);

  return {
    /** `queueFire` in its own transaction. */
    lockAndQueue(fire: NewFire, commands: NewCommand[], events: NewEvent[]) {
      return lockAndQueue(fire, commands, events);
    },
    queueFire,
    findFire(signalId: string, userId: number): FireView | null {
      return parseFire((fireBySignalUser.get(signalId, userId) as { j: string } | undefined)?.j);
    },
    findFireById(id: string): FireView | null {
      return parseFire((fireById.get(id) as { j: string } | undefined)?.j);
    },
    listFiresByUser(userId: number, limit: number): FireView[] {
      return (firesByUser.all(userId, limit) as Array<{ j: string }>).map((r) => parseFire(r.j)!);
    },
    countFires(signalId: string): number {
      return (countBySignal.get(signalId) as { n: number }).n;
    },
    countFiresSince(userId: number, sinceMs: number): number {
      return (countByUserSince.get(userId, sinceMs) as { n: number }).n;
    },
    closedPnlSince(userId: number, sinceMs: number): number {
      return (pnlSince.get(userId, sinceMs) as { pnl: number }).pnl;
    },
    countUnfinishedFires(): number {
      return (stuck.get() as { n: number }).n;
    },
    /** Appends to the event log (never updated, never deleted). */
    appendEvent(e: NewEvent, at = new Date().toISOString()): void {
      appendEventAt(at, e);
    },
    /** Signal-wide events (created, cancelled): no fire. */
    listSignalEvents(signalId: string): EventLine[] {
      return signalWideEvents.all(signalId) as EventLine[];
    },
    listFireEvents(
      fireId: string,
    ): Array<{ seq: number; at: string; type: string; actor: string | null; data: string | null }> {
      return eventsByFire.all(fireId) as Array<{
        seq: number;
        at: string;
        type: string;
        actor: string | null;
        data: string | null;
      }>;
    },
  };
}

export type FireQueries = ReturnType<typeof fireQueries>;
