import { bridgeOnline } from "../../../core/fire-policy.ts";
import { XP_RULES } from "../../../core/xp.ts";
import type { TerminalRow } from "../../../db/queries/terminals.ts";
import { tradeAllowedOf } from "../../../db/rows.ts";
import type { Store } from "../../../db/store.ts";
import { hashToken, newBridgeToken } from "../../auth/tokens.ts";
import type { Clock } from "../../clock.ts";
import type { Config } from "../../config.ts";
import { notFound } from "../../errors.ts";
import type { Hub } from "../../events/hub.ts";
import { newTerminalId } from "../../ids.ts";

export interface TerminalView {
  id: string;
  name: string;
  allocation: number;
  enabled: boolean;
  online: boolean;
  last_seen: string | null;
  first: boolean;
  account: {
    login: string | null;
    server: string | null;
    currency: string | null;
    balance: number | null;
    equity: number | null;
    trade_allowed: boolean;
  } | null;
  stats: { fills: number; trades: number; wins: number; pnl: number; xp: number };
}

/**
 * A trader's terminals (CONTRACT.md "Several terminals per trader"): link, rename, allocate,
 * enable/disable, unlink. The first terminal is the trader's own `users` row, so the single-token
 * flow (`POST /api/me/bridge-token`) keeps working as it; further terminals get a row of their own
 * (db/migrations/0007_terminals.sql) and the bridge serves each exactly as a single terminal.
 */
export function createTerminalService(deps: { store: Store; clock: Clock; config: Config; hub: Hub }) {
  const { store, clock, config, hub } = deps;
  const staleMs = config.heartbeatStaleS * 1000;
  /**
   * Each trader's active terminals, for their names and settings (missions read each terminal's
   * balance and liveness from its own overlay row). Bounded; dropped on every change.
   */
  const lists = new Map<number, TerminalRow[]>();
  /** Terminal `users` row → its trader (null: a row that is no terminal's). */
  const owners = new Map<number, number | null>();

  const changed = (userId: number) => {
    lists.delete(userId);
    hub.emit("user.updated", { user_id: userId });
  };
  const nowIso = () => new Date(clock.now()).toISOString();

  function listFor(userId: number): TerminalRow[] {
    let list = lists.get(userId);
    if (!list) {
      list = store.terminals.listTerminals(userId);
      if (lists.size >= 50_000) lists.delete(lists.keys().next().value as number);
      lists.set(userId, list);
    }
    return list;
  }

  function own(userId: number, id: string): TerminalRow {
    const row = store.terminals.findTerminal(id);
    // Another trader's terminal answers as if it did not exist (no probing of ids).
    if (!row || row.user_id !== userId) throw notFound("Terminal");
    return row;
  }

  /** A new token for `bridgeUserId`'s row (the previous one stops working). */
  function issueToken(bridgeUserId: number, userId: number, now: string, type: string): string {
    const token = newBridgeToken();
    store.users.setBridgeTokenHash(bridgeUserId, hashToken(token), now);
    store.fires.appendEvent({ type, actor: `tg:${userId}`, user_id: userId, data: { bridge_user_id: bridgeUserId } });
    return token;
  }

  return {
    listFor,

    /** The trader a bridge row trades for: itself for a trader's own row. */
    traderOf(bridgeUserId: number): number {
      if (bridgeUserId > 0) return bridgeUserId;
      let owner = owners.get(bridgeUserId);
      if (owner === undefined) {
        owner = store.terminals.ownerOf(bridgeUserId);
        owners.set(bridgeUserId, owner);
      }
      return owner ?? bridgeUserId;
    },

    /** The terminal whose bridge row this is (for DMs naming it); null for none. */
    terminalOfBridge(bridgeUserId: number): TerminalRow | null {
      const owner = bridgeUserId > 0 ? bridgeUserId : this.traderOf(bridgeUserId);
      return listFor(owner).find((t) => t.bridge_user_id === bridgeUserId) ?? null;
    },

    /** After the single-token flow issued a token: that row is the trader's first terminal. */
    ensureFirst(userId: number): void {
      if (listFor(userId).some((t) => t.bridge_user_id === userId)) return;
      store.transaction(() => {
        if (store.terminals.reviveTerminal(userId, null, null)) return;
        store.terminals.insertTerminal({
          id: newTerminalId(clock.now()),
          userId,
          bridgeUserId: userId,
          name: "MT5",
          allocation: 1,
          now: nowIso(),
        });
      });
      changed(userId);
    },

    /** Links a new terminal; its token is in the answer only. */
    create(userId: number, name: string, allocation: number): { terminal: TerminalView; token: string } {
      const now = nowIso();
      const id = newTerminalId(clock.now());
      // A token issued by another path (bot /link, local mode) without its terminal row yet.
      if (store.terminals.hasBridgeToken(userId)) this.ensureFirst(userId);
      const hasFirst = listFor(userId).some((t) => t.bridge_user_id === userId);
      const { token, bridgeUserId } = store.transaction(() => {
        // The trader's own row is free when it holds no terminal: it becomes the first again.
        const revived = !hasFirst && store.terminals.reviveTerminal(userId, name, allocation);
        const bridgeUserId = revived
          ? userId
          : store.terminals.insertTerminal({
              id,
              userId,
              bridgeUserId: hasFirst ? null : userId,
              name,
              allocation,
              now,
            });
        return { token: issueToken(bridgeUserId, userId, now, "terminal.linked"), bridgeUserId };
      });
      changed(userId);
      const row = store.terminals.listTerminals(userId).find((t) => t.bridge_user_id === bridgeUserId)!;
      return { terminal: this.view(row), token };
    },

    /** A new token for one of the trader's terminals: the old one stops working. */
    rotate(userId: number, id: string): string {
      const row = own(userId, id);
      const token = store.transaction(() => issueToken(row.bridge_user_id, userId, nowIso(), "terminal.token_rotated"));
      changed(userId);
      return token;
    },

    update(
      userId: number,
      id: string,
      change: { name?: string; allocation?: number; enabled?: boolean },
    ): TerminalView {
      own(userId, id);
      store.transaction(() => {
        store.terminals.updateTerminal(id, {
          name: change.name ?? null,
          allocation: change.allocation ?? null,
          enabled: change.enabled ?? null,
        });
        store.fires.appendEvent({
          type: "terminal.changed",
          actor: `tg:${userId}`,
          user_id: userId,
          data: { id, ...change },
        });
      });
      changed(userId);
      return this.view(own(userId, id));
    },

    unlink(userId: number, id: string): void {
      const row = own(userId, id);
      store.transaction(() => {
        store.terminals.unlinkTerminal(id, row.bridge_user_id, nowIso());
        store.fires.appendEvent({ type: "terminal.unlinked", actor: `tg:${userId}`, user_id: userId, data: { id } });
      });
      changed(userId);
    },

    /** The API's view of a terminal, with its own stats (fills, trades, P&L and XP made there). */
    view(row: TerminalRow, stats = store.terminals.terminalStats(row.user_id)): TerminalView {
      const nowMs = clock.now();
      const mine = stats.find((s) => s.bridge_user_id === row.bridge_user_id);
      const fills = mine?.filled ?? 0;
      const trades = mine?.closed ?? 0;
      const wins = mine?.wins ?? 0;
      return {
        id: row.id,
        name: row.name,
        allocation: row.allocation,
        enabled: row.enabled === 1,
        online: bridgeOnline(
          { linked: row.linked === 1, lastSeenMs: row.bridge_seen_ms, tradeAllowed: true },
          nowMs,
          staleMs,
        ),
        last_seen: row.bridge_seen_ms === null ? null : new Date(row.bridge_seen_ms).toISOString(),
        first: row.bridge_user_id === row.user_id,
        account:
          row.account_login === null
            ? null
            : {
                login: row.account_login,
                server: row.account_server,
                currency: row.currency,
                balance: row.balance,
                equity: row.equity,
                trade_allowed: tradeAllowedOf(row),
              },
        stats: {
          fills,
          trades,
          wins,
          pnl: Math.round((mine?.pnl ?? 0) * 100) / 100,
          xp: fills * XP_RULES.filled + trades * XP_RULES.closed + wins * XP_RULES.win,
        },
      };
    },

    /** Every active terminal of the trader, first first. */
    views(userId: number): TerminalView[] {
      const stats = store.terminals.terminalStats(userId);
      // Read fresh: the cached list is for names and settings, not liveness or balances.
      return store.terminals.listTerminals(userId).map((row) => this.view(row, stats));
    },
  };
}

export type TerminalService = ReturnType<typeof createTerminalService>;
