import type { Heartbeat, HeartbeatAnswer } from "../../../bridge/protocol.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import type { Config } from "../../config/index.ts";
import type { Hub } from "../../events/hub.ts";
import { BoundedMap, type MemoryRegistry } from "../../memory.ts";
import { staffPriceFeeds } from "../engine/feeds.ts";
import { createHeartbeatFilter } from "./heartbeat-filter.ts";

/** Liveness writes from non-heartbeat requests are throttled to one per second per user. */
const TOUCH_WRITE_MS = 1_000;

/** A terminal's liveness: heartbeats, throttled touches, and whether it is online. */
export function createLiveness(deps: { store: Store; hub: Hub; clock: Clock; config: Config; memory: MemoryRegistry }) {
  const { store, hub, clock, config, memory } = deps;
  const feedsEngine = staffPriceFeeds(config);
  const { bounds } = memory;
  /** Forgetting a terminal's last touch costs one liveness write more. */
  const lastTouch = new BoundedMap<number, number>(bounds.terminalTouches);
  const heartbeats = createHeartbeatFilter(store, bounds.terminals);
  memory.track("terminalTouches", lastTouch, bounds.terminalTouches);
  memory.track("terminals", heartbeats, bounds.terminals);
  // Another instance (same PostgreSQL) took this terminal's heartbeat: what it wrote is not in our
  // filter's memory, so the next heartbeat here reads the stored rows again.
  hub.on("user.updated", ({ user_id }) => {
    if (hub.relaying) heartbeats.forget(user_id);
  });

  const staleMs = config.heartbeatStaleS * 1000;
  const online = (seenMs: number | null, nowMs: number) => seenMs !== null && nowMs - seenMs <= staleMs;

  async function noteAlive(userId: number, nowMs: number, write: () => Promise<void>) {
    const before = (await store.users.findUser(userId))?.bridge_seen_ms ?? null;
    await write();
    lastTouch.set(userId, nowMs);
    hub.emit("user.updated", { user_id: userId });
    if (!online(before, nowMs)) {
      hub.emit("bridge.status", { user_id: userId, online: true, last_seen: new Date(nowMs).toISOString() });
    }
  }

  return {
    async heartbeat(userId: number, body: Heartbeat): Promise<HeartbeatAnswer> {
      const nowMs = clock.now();
      const changes = await heartbeats.changes(userId, body.symbols ?? [], body.prices ?? []);
      await noteAlive(userId, nowMs, () =>
        store.terminal.recordHeartbeat(userId, body.account, changes.symbols, changes.prices, nowMs),
      );
      changes.commit();
      await store.updates.setProtocol(userId, typeof body.protocol === "string" && body.protocol ? body.protocol : "1");
      if (body.prices && body.prices.length > 0) {
        // Prices feed the signal engine. Only staff terminals (and the file drop's) are relayed to
        // the other instances: one NOTIFY per heartbeat of every trader's terminal would flood the
        // cluster for nothing, since the engine reads staff terminals only (services/engine).
        const payload = { user_id: userId, prices: body.prices };
        if (feedsEngine(userId)) hub.emit("bridge.prices", payload);
        else hub.emitLocal("bridge.prices", payload);
      }
      return { server_time: new Date(nowMs).toISOString() };
    },

    async touch(userId: number): Promise<void> {
      const nowMs = clock.now();
      if (nowMs - (lastTouch.get(userId) ?? 0) < TOUCH_WRITE_MS) return;
      lastTouch.set(userId, nowMs); // before the write: concurrent polls do not all write
      await noteAlive(userId, nowMs, () => store.terminal.touchBridge(userId, nowMs));
    },

    async isOnline(userId: number): Promise<boolean> {
      return online((await store.users.findUser(userId))?.bridge_seen_ms ?? null, clock.now());
    },
  };
}
