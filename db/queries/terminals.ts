import type { Sqlite } from "../index.ts";
import type { UserRow } from "../rows.ts";

/** A trader's terminal with the bridge state of its `users` row (migration 0007). */
export interface TerminalRow
  extends Pick<
    UserRow,
    "balance" | "equity" | "currency" | "account_login" | "account_server" | "trade_allowed" | "bridge_seen_ms"
  > {
  id: string;
  user_id: number;
  bridge_user_id: number;
  name: string;
  allocation: number;
  enabled: number;
  position: number;
  created_at: string;
  /** 1 when its bridge token exists (linked). */
  linked: number;
}

/** What one fire did on one terminal. */
export interface FireTerminal {
  terminal_id: string;
  bridge_user_id: number;
  name: string;
  position: number;
  status: "sent" | "skipped";
  lots: number;
  risk_amount: number;
  reason: string | null;
}

export interface TerminalStatsRow {
  bridge_user_id: number;
  filled: number;
  closed: number;
  wins: number;
  pnl: number;
}

export const TERMINAL_COLUMNS = `t.id, t.user_id, t.bridge_user_id, t.name, t.allocation, t.enabled, t.position, t.created_at,
  CASE WHEN b.user_id IS NULL THEN 0 ELSE 1 END AS linked, u.balance, u.equity, u.currency, u.account_login,
  u.account_server, u.trade_allowed, u.bridge_seen_ms
  FROM terminals t JOIN users u ON u.id = t.bridge_user_id LEFT JOIN bridge_tokens b ON b.user_id = t.bridge_user_id`;

/**
 * Typed queries over `terminals` and `fire_terminals`: a trader's terminals (the first one is the
 * trader's own `users` row; the others are rows with negative ids holding their bridge state).
 */
export function terminalListQueries(sqlite: Sqlite) {
  const list = sqlite.prepare(`SELECT ${TERMINAL_COLUMNS} WHERE t.user_id = ? AND t.unlinked_at IS NULL
    ORDER BY t.position`);
  const byId = sqlite.prepare(`SELECT ${TERMINAL_COLUMNS} WHERE t.id = ? AND t.unlinked_at IS NULL`);
  const owner = sqlite.prepare("SELECT user_id FROM terminals WHERE bridge_user_id = ?");
  const nextPosition = sqlite.prepare("SELECT coalesce(max(position), -1) + 1 AS n FROM terminals WHERE user_id = ?");
  const nextBridgeId = sqlite.prepare("SELECT coalesce(min(id), 0) - 1 AS n FROM users WHERE id < 0");
  const insertBridgeUser = sqlite.prepare(`INSERT INTO users (id, first_name, created_at, updated_at)
    VALUES (?, ?, ?, ?)`);
  const insert =
    sqlite.prepare(`INSERT INTO terminals (id, user_id, bridge_user_id, name, allocation, enabled, position,
    created_at) VALUES (@id, @user_id, @bridge_user_id, @name, @allocation, 1, @position, @created_at)`);
  const update = sqlite.prepare(`UPDATE terminals SET name = coalesce(@name, name),
    allocation = coalesce(@allocation, allocation), enabled = coalesce(@enabled, enabled)
    WHERE id = @id AND unlinked_at IS NULL`);
  const unlink = sqlite.prepare("UPDATE terminals SET unlinked_at = ? WHERE id = ? AND unlinked_at IS NULL");
  const revive = sqlite.prepare(`UPDATE terminals SET unlinked_at = NULL, enabled = 1, name = coalesce(@name, name),
    allocation = coalesce(@allocation, allocation) WHERE bridge_user_id = @id AND unlinked_at IS NOT NULL`);
  const tokenOf = sqlite.prepare("SELECT 1 FROM bridge_tokens WHERE user_id = ?");
  const dropToken = sqlite.prepare("DELETE FROM bridge_tokens WHERE user_id = ?");
  const insertFireTerminal = sqlite.prepare(`INSERT INTO fire_terminals (fire_id, terminal_id, bridge_user_id, name,
    position, status, lots, risk_amount, reason) VALUES (@fire_id, @terminal_id, @bridge_user_id, @name, @position,
    @status, @lots, @risk_amount, @reason)`);
  const fireTerminals = sqlite.prepare(`SELECT terminal_id, bridge_user_id, name, position, status, lots, risk_amount,
    reason FROM fire_terminals WHERE fire_id = ? ORDER BY position`);
  // Per terminal and fire: filled there, closed there (a closed leg and none still open), its P&L.
  const perTerminalStats = sqlite.prepare(`SELECT x.bridge_user_id, sum(x.filled) AS filled, sum(x.closed) AS closed,
      sum(CASE WHEN x.closed = 1 AND x.pnl > 0 THEN 1 ELSE 0 END) AS wins, coalesce(sum(x.pnl), 0) AS pnl
    FROM (SELECT c.user_id AS bridge_user_id, c.fire_id,
        max(CASE WHEN c.state IN ('filled', 'closed') THEN 1 ELSE 0 END) AS filled,
        CASE WHEN max(CASE WHEN c.state = 'closed' THEN 1 ELSE 0 END) = 1
          AND max(CASE WHEN c.state IN ('queued', 'delivered', 'filled') THEN 1 ELSE 0 END) = 0 THEN 1 ELSE 0 END AS closed,
        sum(CASE WHEN c.state = 'closed' THEN c.profit ELSE 0 END) AS pnl
      FROM bridge_commands c JOIN fires f ON f.id = c.fire_id WHERE f.user_id = ? GROUP BY c.user_id, c.fire_id) x
    GROUP BY x.bridge_user_id`);
  return {
    /** The trader's linked terminals, first first, with each one's account and liveness. */
    listTerminals(userId: number): TerminalRow[] {
      return list.all(userId) as TerminalRow[];
    },
    findTerminal(id: string): TerminalRow | null {
      return (byId.get(id) as TerminalRow | undefined) ?? null;
    },
    /** The trader a terminal's `users` row belongs to; null for a trader's own row without terminals. */
    ownerOf(bridgeUserId: number): number | null {
      return (owner.get(bridgeUserId) as { user_id: number } | undefined)?.user_id ?? null;
    },
    /**
     * Adds a terminal. `bridgeUserId` null makes a new `users` row (negative id) for its bridge
     * state; the trader's own id makes it their first terminal. Call inside a transaction.
     */
    insertTerminal(t: {
      id: string;
      userId: number;
      bridgeUserId: number | null;
      name: string;
      allocation: number;
      now: string;
    }): number {
      let bridgeUserId = t.bridgeUserId;
      if (bridgeUserId === null) {
        bridgeUserId = (nextBridgeId.get() as { n: number }).n;
        insertBridgeUser.run(bridgeUserId, t.name, t.now, t.now);
      }
      const position = (nextPosition.get(t.userId) as { n: number }).n;
      insert.run({
        id: t.id,
        user_id: t.userId,
        bridge_user_id: bridgeUserId,
        name: t.name,
        allocation: t.allocation,
        position,
        created_at: t.now,
      });
      return bridgeUserId;
    },
    /** Changes name, allocation or enabled (null = unchanged); false when there is no such terminal. */
    updateTerminal(
      id: string,
      change: { name: string | null; allocation: number | null; enabled: boolean | null },
    ): boolean {
      return (
        update.run({
          id,
          name: change.name,
          allocation: change.allocation,
          enabled: change.enabled === null ? null : change.enabled ? 1 : 0,
        }).changes === 1
      );
    },
    /** True when this `users` row has a bridge token (a terminal linked to it). */
    hasBridgeToken(bridgeUserId: number): boolean {
      return tokenOf.get(bridgeUserId) !== undefined;
    },
    /** Links the trader's own row again as their first terminal after it was unlinked; false when it never was one. */
    reviveTerminal(userId: number, name: string | null, allocation: number | null): boolean {
      return revive.run({ id: userId, name, allocation }).changes === 1;
    },
    /** Unlinks a terminal: its token stops working. Call inside a transaction. */
    unlinkTerminal(id: string, bridgeUserId: number, now: string): boolean {
      dropToken.run(bridgeUserId);
      return unlink.run(now, id).changes === 1;
    },
    /**
     * Orders reports on one fire's legs (several terminals answer at once): taken after the leg's
     * own update, before the fire is recomputed. SQLite's single writer orders them already.
     */
    lockFire(_fireId: string): void {},
    insertFireTerminals(fireId: string, rows: FireTerminal[]): void {
      for (const row of rows) insertFireTerminal.run({ fire_id: fireId, ...row });
    },
    listFireTerminals(fireId: string): FireTerminal[] {
      return fireTerminals.all(fireId) as FireTerminal[];
    },
    /** Per terminal (`users` row) of a trader's fires: fires filled and closed there, wins, P&L. */
    terminalStats(userId: number): TerminalStatsRow[] {
      return perTerminalStats.all(userId) as TerminalStatsRow[];
    },
  };
}

export type TerminalListQueries = ReturnType<typeof terminalListQueries>;
