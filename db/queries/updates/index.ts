import type { Sqlite } from "../../index.ts";
import {
  type OpenPositionRow,
  type PositionCommandRow,
  type PositionCommandState,
  progressOf,
  type TradeUpdateRow,
  type UpdateProgress,
} from "./rows.ts";

export type * from "./rows.ts";

const PENDING = "('queued', 'delivered')";
// The levels a position has now: those of its latest modify that was not refused, else the open order's.
const OPEN_POSITIONS = `SELECT c.id AS position_of, c.fire_id, c.user_id, c.leg, f.broker_symbol AS symbol, f.side,
    coalesce(c.price, json_extract(c.payload, '$.entry')) AS fill_price,
    coalesce(c.volume, json_extract(c.payload, '$.volume')) AS volume, json_extract(c.payload, '$.entry') AS entry,
    json_extract(c.payload, '$.stop_loss') AS opened_stop,
    CASE WHEN m.id IS NULL THEN json_extract(c.payload, '$.stop_loss') ELSE m.stop_loss END AS stop_loss,
    CASE WHEN m.id IS NULL THEN json_extract(c.payload, '$.take_profit') ELSE m.take_profit END AS take_profit,
    u.bridge_protocol AS protocol
  FROM bridge_commands c JOIN fires f ON f.id = c.fire_id JOIN users u ON u.id = c.user_id
  LEFT JOIN position_commands m ON m.id = (SELECT p.id FROM position_commands p WHERE p.position_of = c.id
    AND p.action = 'modify' AND p.state IN ('queued', 'delivered', 'applied') ORDER BY p.created_ms DESC, p.id DESC LIMIT 1)
  WHERE c.state = 'filled' AND NOT EXISTS (SELECT 1 FROM position_commands x WHERE x.position_of = c.id
    AND x.action = 'close' AND x.state IN ('queued', 'delivered', 'applied'))`;

/** Typed queries over `trade_updates` and the `position_commands` outbox (protocol 1.1). */
export function updateQueries(sqlite: Sqlite) {
  const insertUpdate = sqlite.prepare(`INSERT INTO trade_updates (id, signal_id, fire_id, user_id, action, leg,
      stop_loss, take_profit, note, source, actor, idempotency_key, positions, skipped, created_at, created_ms)
    VALUES (@id, @signal_id, @fire_id, @user_id, @action, @leg, @stop_loss, @take_profit, @note, @source, @actor,
      @idempotency_key, @positions, @skipped, @created_at, @created_ms)`);
  const setCounts = sqlite.prepare("UPDATE trade_updates SET positions = ?, skipped = ? WHERE id = ?");
  const updateById = sqlite.prepare("SELECT * FROM trade_updates WHERE id = ?");
  const updateByKey = sqlite.prepare("SELECT * FROM trade_updates WHERE idempotency_key = ?");
  const updatesOfSignal = sqlite.prepare(
    "SELECT * FROM trade_updates WHERE signal_id = ? AND fire_id IS NULL ORDER BY created_ms, id",
  );
  const updatesOfFire = sqlite.prepare(`SELECT * FROM trade_updates WHERE fire_id = ? OR (fire_id IS NULL AND id IN
      (SELECT update_id FROM position_commands WHERE fire_id = ?)) ORDER BY created_ms, id`);
  const openOfSignal = sqlite.prepare(`${OPEN_POSITIONS} AND f.signal_id = ? ORDER BY c.fire_id, c.leg`);
  const openOfFire = sqlite.prepare(`${OPEN_POSITIONS} AND c.fire_id = ? ORDER BY c.leg`);
  // The trader's own fires, on every one of their terminals (c.user_id is the terminal's bridge row).
  const openOfUser = sqlite.prepare(`${OPEN_POSITIONS} AND f.user_id = ? ORDER BY f.created_ms DESC, c.leg`);
  const insertCommand = sqlite.prepare(`INSERT INTO position_commands (id, update_id, fire_id, user_id, leg,
      position_of, action, stop_loss, take_profit, payload, state, created_ms)
    VALUES (@id, @update_id, @fire_id, @user_id, @leg, @position_of, @action, @stop_loss, @take_profit, @payload,
      @state, @created_ms)`);
  const supersede = sqlite.prepare(`UPDATE position_commands SET state = 'superseded', message = ?
      WHERE position_of = ? AND state IN ${PENDING}`);
  const due = sqlite.prepare(`SELECT * FROM position_commands WHERE user_id = ?
      AND (state = 'queued' OR (state = 'delivered' AND delivered_ms <= ?)) ORDER BY created_ms, id LIMIT 100`);
  const markDelivered = sqlite.prepare(`UPDATE position_commands SET state = 'delivered', deliveries = deliveries + 1,
      delivered_ms = ?, first_delivered_ms = coalesce(first_delivered_ms, ?) WHERE id = ?`);
  const commandById = sqlite.prepare("SELECT * FROM position_commands WHERE id = ?");
  const setResult = sqlite.prepare(
    "UPDATE position_commands SET state = ?, retcode = ?, message = ?, result_ms = ? WHERE id = ?",
  );
  const setLateResult = sqlite.prepare(
    "UPDATE position_commands SET retcode = ?, message = ?, result_ms = ? WHERE id = ?",
  );
  const commandsOfUpdate = sqlite.prepare("SELECT * FROM position_commands WHERE update_id = ? ORDER BY fire_id, leg");
  const commandsOfUpdateUser = sqlite.prepare(
    "SELECT * FROM position_commands WHERE update_id = ? AND user_id = ? ORDER BY fire_id, leg",
  );
  const commandsOfFire = sqlite.prepare("SELECT * FROM position_commands WHERE fire_id = ? ORDER BY created_ms, id");
  const progress = sqlite.prepare(
    "SELECT state, COUNT(*) AS n FROM position_commands WHERE update_id = ? GROUP BY state",
  );
  const setProtocol = sqlite.prepare("UPDATE users SET bridge_protocol = ? WHERE id = ? AND bridge_protocol IS NOT ?");
  const protocolOf = sqlite.prepare("SELECT bridge_protocol AS p FROM users WHERE id = ?");
  const claimAutoBreakeven = sqlite.prepare(
    "UPDATE signals SET breakeven_done = 1 WHERE id = ? AND breakeven_after_tp1 = 1 AND breakeven_done = 0",
  );
  const setBreakevenOption = sqlite.prepare("UPDATE signals SET breakeven_after_tp1 = ? WHERE id = ?");
  const breakevenOption = sqlite.prepare("SELECT breakeven_after_tp1 AS b FROM signals WHERE id = ?");
  const pendingCount = sqlite.prepare(`SELECT COUNT(*) AS n FROM position_commands WHERE state IN ${PENDING}`);

  return {
    insertUpdate(row: TradeUpdateRow): void {
      insertUpdate.run(row);
    },
    setUpdateCounts(id: string, positions: number, skipped: number): void {
      setCounts.run(positions, skipped, id);
    },
    findUpdate(id: string): TradeUpdateRow | null {
      return (updateById.get(id) as TradeUpdateRow | undefined) ?? null;
    },
    /**
     * Holds `key` until the transaction ends, so copies of one request sent at once take turns
     * (PostgreSQL: an advisory lock; SQLite has one writer).
     */
    lockIdempotencyKey(_key: string): void {},
    findUpdateByKey(key: string): TradeUpdateRow | null {
      return (updateByKey.get(key) as TradeUpdateRow | undefined) ?? null;
    },
    /** A signal's admin updates (automatic ones included), oldest first. */
    listSignalUpdates(signalId: string): TradeUpdateRow[] {
      return updatesOfSignal.all(signalId) as TradeUpdateRow[];
    },
    /** Everything that touched one fire: its own manage requests and the signal updates that reached it. */
    listFireUpdates(fireId: string): TradeUpdateRow[] {
      return updatesOfFire.all(fireId, fireId) as TradeUpdateRow[];
    },
    listOpenPositionsOfSignal(signalId: string): OpenPositionRow[] {
      return openOfSignal.all(signalId) as OpenPositionRow[];
    },
    listOpenPositionsOfFire(fireId: string): OpenPositionRow[] {
      return openOfFire.all(fireId) as OpenPositionRow[];
    },
    listOpenPositionsOfUser(userId: number): OpenPositionRow[] {
      return openOfUser.all(userId) as OpenPositionRow[];
    },
    /** Inserts one position command; pending older ones for the same position are superseded first. */
    insertPositionCommand(
      row: Omit<
        PositionCommandRow,
        "deliveries" | "delivered_ms" | "first_delivered_ms" | "retcode" | "message" | "result_ms"
      >,
    ): void {
      if (row.state === "queued") supersede.run(`replaced by ${row.id}`, row.position_of);
      insertCommand.run(row);
    },
    /** Position commands due for `userId` now (queued, or delivered past the visibility timeout), marked delivered. */
    takeDue: sqlite.transaction((userId: number, nowMs: number, visibilityMs: number): PositionCommandRow[] => {
      const rows = due.all(userId, nowMs - visibilityMs) as PositionCommandRow[];
      for (const r of rows) markDelivered.run(nowMs, nowMs, r.id);
      return rows;
    }),
    findPositionCommand(id: string): PositionCommandRow | null {
      return (commandById.get(id) as PositionCommandRow | undefined) ?? null;
    },
    /** `findPositionCommand` holding the row until the transaction ends (PostgreSQL: FOR UPDATE). */
    lockPositionCommand(id: string): PositionCommandRow | null {
      return (commandById.get(id) as PositionCommandRow | undefined) ?? null;
    },
    setPositionResult(
      id: string,
      state: PositionCommandState,
      retcode: number | null,
      message: string | null,
      nowMs: number,
    ): void {
      setResult.run(state, retcode, message, nowMs, id);
    },
    /** A result for a command that was superseded meanwhile: kept for the record, state unchanged. */
    setLateResult(id: string, retcode: number | null, message: string | null, nowMs: number): void {
      setLateResult.run(retcode, message, nowMs, id);
    },
    listUpdateCommands(updateId: string, userId?: number): PositionCommandRow[] {
      return (
        userId === undefined ? commandsOfUpdate.all(updateId) : commandsOfUpdateUser.all(updateId, userId)
      ) as PositionCommandRow[];
    },
    listFireCommands(fireId: string): PositionCommandRow[] {
      return commandsOfFire.all(fireId) as PositionCommandRow[];
    },
    progress(updateId: string): UpdateProgress {
      return progressOf(progress.all(updateId) as Array<{ state: keyof UpdateProgress; n: number }>);
    },
    /** Records the protocol a terminal's heartbeat announced ("1" when it announced none). */
    setProtocol(userId: number, protocol: string): void {
      setProtocol.run(protocol, userId, protocol);
    },
    findProtocol(userId: number): string | null {
      return (protocolOf.get(userId) as { p: string | null } | undefined)?.p ?? null;
    },
    setBreakevenAfterTp1(signalId: string, on: boolean): void {
      setBreakevenOption.run(on ? 1 : 0, signalId);
    },
    breakevenAfterTp1(signalId: string): boolean {
      return (breakevenOption.get(signalId) as { b: number } | undefined)?.b === 1;
    },
    /** True exactly once per signal with `breakeven_after_tp1`: the caller then makes the automatic update. */
    claimAutoBreakeven(signalId: string): boolean {
      return claimAutoBreakeven.run(signalId).changes === 1;
    },
    countPending(): number {
      return (pendingCount.get() as { n: number }).n;
    },
  };
}

export type UpdateQueries = ReturnType<typeof updateQueries>;
