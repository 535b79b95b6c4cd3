import type { AppContext } from "../../server/context.ts";
import { PRIORITY } from "../delivery/index.ts";
import { backOnlineText, offlineText } from "../format/dm.ts";
import type { Dms } from "./dms.ts";

/** Only traders whose terminal spoke within this window count as active (no DM for old outages). */
const ACTIVE_WINDOW_MS = 24 * 3600 * 1000;

/**
 * Terminal readiness DMs: once when an active trader's terminal goes silent for longer than
 * HEARTBEAT_STALE_S (found by `check()`, run every few seconds), and once when it is back
 * (the hub's `bridge.status {online: true}`). `users.bridge_offline_notified` makes it once per outage.
 */
export function createReadiness(deps: { app: AppContext; dms: Dms }) {
  const { app, dms } = deps;
  const { store, clock, config } = app;
  const queries = store.bot;
  const staleMs = config.heartbeatStaleS * 1000;
  /** A trader with several terminals is told which one (null: their only terminal). */
  const terminalName = (bridgeUserId: number) => app.terminals.nameIfSeveral(bridgeUserId);

  return {
    async check(): Promise<void> {
      const nowMs = clock.now();
      const staleBeforeMs = nowMs - staleMs;
      for (const user of await queries.listNewlyOffline(staleBeforeMs, nowMs - ACTIVE_WINDOW_MS)) {
        if (!(await queries.claimOfflineNotice(user.id, staleBeforeMs))) continue;
        dms.dm(
          user.id,
          async () => offlineText(user.bridge_seen_ms, await terminalName(user.id)),
          {},
          PRIORITY.readiness,
        );
      }
    },
    async online(userId: number): Promise<void> {
      if ((await store.users.findUser(userId))?.bridge_offline_notified !== 1) return;
      await store.users.setOfflineNotified(userId, false);
      dms.dm(userId, async () => backOnlineText(await terminalName(userId)), {}, PRIORITY.readiness);
    },
  };
}
