import type { TerminalRow, TerminalStatsRow } from "../../../db/queries/terminals.ts";
import type { Store } from "../../../db/store.ts";
import { hashToken, newBridgeToken } from "../../auth/tokens.ts";
import type { Clock } from "../../clock.ts";
import type { Config } from "../../config/index.ts";
import { notFound } from "../../errors.ts";
import type { Hub } from "../../events/hub.ts";
import { newTerminalId } from "../../ids.ts";
import { type TerminalView, terminalView } from "./view.ts";

export type { TerminalView } from "./view.ts";

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
  /** Terminal `users` row → its trader (a bridge row never changes hands, so this never goes stale). */
  const owners = new Map<number, number>();

  // A change of a trader's terminals is announced as `user.updated` for the trader; on
  // PostgreSQL the cluster relays it (NOTIFY), so every instance drops its copy of the list.
  hub.on("user.updated", ({ user_id }) => {
    lists.delete(user_id);
  });
  const changed = (userId: number) => {
    lists.delete(userId);
    hub.emit("user.updated", { user_id: userId });
  };
  const nowIso = () => new Date(clock.now()).toISOString();

  async function listFor(userId: number): Promise<TerminalRow[]> {
    let list = lists.get(userId);
    if (!list) {
      list = await store.terminals.listTerminals(userId);
      if (lists.size >= 50_000) lists.delete(lists.keys().next().value as number);
      lists.set(userId, list);
    }
    return list;
  }

  async function own(userId: number, id: string): Promise<TerminalRow> {
    const row = await store.terminals.findTerminal(id);
    // Another trader's terminal answers as if it did not exist (no probing of ids).
    if (!row || row.user_id !== userId) throw notFound("Terminal");
    return row;
  }

  /** A new token for `bridgeUserId`'s row (the previous one stops working). */
  async function issueToken(bridgeUserId: number, userId: number, now: string, type: string): Promise<string> {
    const token = newBridgeToken();
    await store.users.setBridgeTokenHash(bridgeUserId, hashToken(token), now);
    await store.fires.appendEvent({
      type,
      actor: `tg:${userId}`,
      user_id: userId,
      data: { bridge_user_id: bridgeUserId },
    });
    return token;
  }

  return {
    listFor,

    /** The trader a bridge row trades for: itself for a trader's own row. */
    async traderOf(bridgeUserId: number): Promise<number> {
      if (bridgeUserId > 0) return bridgeUserId;
      let owner = owners.get(bridgeUserId);
      if (owner === undefined) {
        const found = await store.terminals.ownerOf(bridgeUserId);
        if (found === null) return bridgeUserId;
        owner = found;
        if (owners.size >= 50_000) owners.delete(owners.keys().next().value as number);
        owners.set(bridgeUserId, owner);
      }
      return owner;
    },

    /** The terminal whose bridge row this is (for DMs naming it); null for none. */
    async terminalOfBridge(bridgeUserId: number): Promise<TerminalRow | null> {
      const owner = bridgeUserId > 0 ? bridgeUserId : await this.traderOf(bridgeUserId);
      return (await listFor(owner)).find((t) => t.bridge_user_id === bridgeUserId) ?? null;
    },

    /** The terminal's name when its trader has several (a DM about it says which), else null. */
    async nameIfSeveral(bridgeUserId: number): Promise<string | null> {
      const terminal = await this.terminalOfBridge(bridgeUserId);
      return terminal && (await listFor(terminal.user_id)).length > 1 ? terminal.name : null;
    },

    /** After the single-token flow issued a token: that row is the trader's first terminal. */
    async ensureFirst(userId: number): Promise<void> {
      if ((await listFor(userId)).some((t) => t.bridge_user_id === userId)) return;
      await store.transaction(async () => {
        if (await store.terminals.reviveTerminal(userId, null, null)) return;
        // Another request (or instance) may have made it meanwhile: the row lock orders us after it.
        await store.users.lockUser(userId);
        if ((await store.terminals.listTerminals(userId)).some((t) => t.bridge_user_id === userId)) return;
        await store.terminals.insertTerminal({
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
    async create(userId: number, name: string, allocation: number): Promise<{ terminal: TerminalView; token: string }> {
      const now = nowIso();
      const id = newTerminalId(clock.now());
      // A token issued by another path (bot /link, local mode) without its terminal row yet.
      if (await store.terminals.hasBridgeToken(userId)) await this.ensureFirst(userId);
      const { token, bridgeUserId } = await store.transaction(async () => {
        // One link at a time per trader (positions and the first terminal are decided here).
        await store.users.lockUser(userId);
        const hasFirst = (await store.terminals.listTerminals(userId)).some((t) => t.bridge_user_id === userId);
        // The trader's own row is free when it holds no terminal: it becomes the first again.
        const revived = !hasFirst && (await store.terminals.reviveTerminal(userId, name, allocation));
        const bridgeUserId = revived
          ? userId
          : await store.terminals.insertTerminal({
              id,
              userId,
              bridgeUserId: hasFirst ? null : userId,
              name,
              allocation,
              now,
            });
        return { token: await issueToken(bridgeUserId, userId, now, "terminal.linked"), bridgeUserId };
      });
      changed(userId);
      const row = (await store.terminals.listTerminals(userId)).find((t) => t.bridge_user_id === bridgeUserId)!;
      return { terminal: await this.view(row), token };
    },

    /** A new token for one of the trader's terminals: the old one stops working. */
    async rotate(userId: number, id: string): Promise<string> {
      const row = await own(userId, id);
      const token = await store.transaction(() =>
        issueToken(row.bridge_user_id, userId, nowIso(), "terminal.token_rotated"),
      );
      changed(userId);
      return token;
    },

    async update(
      userId: number,
      id: string,
      change: { name?: string; allocation?: number; enabled?: boolean },
    ): Promise<TerminalView> {
      await own(userId, id);
      await store.transaction(async () => {
        await store.terminals.updateTerminal(id, {
          name: change.name ?? null,
          allocation: change.allocation ?? null,
          enabled: change.enabled ?? null,
        });
        await store.fires.appendEvent({
          type: "terminal.changed",
          actor: `tg:${userId}`,
          user_id: userId,
          data: { id, ...change },
        });
      });
      changed(userId);
      return this.view(await own(userId, id));
    },

    async unlink(userId: number, id: string): Promise<void> {
      const row = await own(userId, id);
      await store.transaction(async () => {
        await store.terminals.unlinkTerminal(id, row.bridge_user_id, nowIso());
        await store.fires.appendEvent({
          type: "terminal.unlinked",
          actor: `tg:${userId}`,
          user_id: userId,
          data: { id },
        });
      });
      changed(userId);
    },

    /** The API's view of a terminal, with its own stats (fills, trades, P&L and XP made there). */
    async view(row: TerminalRow, known?: TerminalStatsRow[]): Promise<TerminalView> {
      const stats = known ?? (await store.terminals.terminalStats(row.user_id));
      return terminalView(row, stats, clock.now(), staleMs);
    },

    /** Every active terminal of the trader, first first. */
    async views(userId: number): Promise<TerminalView[]> {
      const stats = await store.terminals.terminalStats(userId);
      // Read fresh: the cached list is for names and settings, not liveness or balances.
      let rows = await store.terminals.listTerminals(userId);
      // A token issued without its terminal row (a database from before several terminals, or
      // another path): that token is the trader's first terminal, so it is listed as one.
      if (!rows.some((t) => t.bridge_user_id === userId) && (await store.terminals.hasBridgeToken(userId))) {
        await this.ensureFirst(userId);
        rows = await store.terminals.listTerminals(userId);
      }
      return Promise.all(rows.map((row) => this.view(row, stats)));
    },
  };
}

export type TerminalService = ReturnType<typeof createTerminalService>;
