import type {
  BridgeService,
  ClosedReport,
  CommandResult,
  Heartbeat,
  HeartbeatAnswer,
  TerminalCommand,
} from "../../../bridge/protocol.ts";
import { closedAction, resultAction } from "../../../core/leg-reports.ts";
import { FILLED_RETCODES, retcodeMessage } from "../../../core/retcodes.ts";
import { XP_RULES } from "../../../core/xp.ts";
import { commandPayload } from "../../../db/queries/commands.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import type { Config } from "../../config/index.ts";
import { ApiError, forbidden, notFound } from "../../errors.ts";
import type { Hub } from "../../events/hub.ts";
import { BoundedMap, type MemoryRegistry } from "../../memory.ts";
import { staffPriceFeeds } from "../engine/feeds.ts";
import { type Emit, fireChanged, flush, statsEvent } from "./changes.ts";
import { closeLeg } from "./close-leg.ts";
import { createHeartbeatFilter } from "./heartbeat-filter.ts";
import { positionOfClose, submitPositionResult, takePositionCommands } from "./positions.ts";
import { sweepCommands } from "./sweep.ts";

/** A delivered command without a result is sent again after this long (CONTRACT.md). */
export const VISIBILITY_TIMEOUT_MS = 10_000;
/** Liveness writes from non-heartbeat requests are throttled to one per second per user. */
const TOUCH_WRITE_MS = 1_000;

/** Sortie's side of protocol v1, shared by the HTTP routes and the file-drop transport. */
export function createBridgeService(deps: {
  store: Store;
  hub: Hub;
  clock: Clock;
  config: Config;
  memory: MemoryRegistry;
  /** The trader a terminal's bridge row trades for (several terminals per trader): stats and XP go there. */
  traderOf?: (bridgeUserId: number) => Promise<number>;
  /** Called after a leg-1 position closed in profit (the signal's automatic breakeven, if it has one). */
  onTp1Closed?: (signalId: string) => Promise<void>;
}): BridgeService & {
  sweep(): Promise<void>;
  isOnline(userId: number): Promise<boolean>;
} {
  const { store, hub, clock, config, memory } = deps;
  const feedsEngine = staffPriceFeeds(config);
  const { bounds } = memory;
  /** Forgetting a terminal's last touch costs one liveness write more. */
  const lastTouch = new BoundedMap<number, number>(bounds.terminalTouches);
  /** Waiting long-polls by user: an entry lives only while one of its polls waits. */
  const waiters = new Map<number, Set<() => void>>();
  const heartbeats = createHeartbeatFilter(store, bounds.terminals);
  memory.track("terminalTouches", lastTouch, bounds.terminalTouches);
  memory.track("terminals", heartbeats, bounds.terminals);
  memory.track("pollWaiters", waiters, Number.POSITIVE_INFINITY);
  const trader = async (bridgeUserId: number) => (deps.traderOf ? deps.traderOf(bridgeUserId) : bridgeUserId);
  // Another instance (same PostgreSQL) took this terminal's heartbeat: what it wrote is not in our
  // filter's memory, so the next heartbeat here reads the stored rows again.
  hub.on("user.updated", ({ user_id }) => {
    if (hub.relaying) heartbeats.forget(user_id);
  });

  hub.on("commands.ready", ({ user_id }) => {
    const set = waiters.get(user_id);
    if (!set) return;
    waiters.delete(user_id);
    for (const wake of set) wake();
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

  async function ownCommand(userId: number, id: string) {
    const row = await store.commands.findCommand(id);
    if (!row) throw notFound("Command");
    if (row.user_id !== userId) throw forbidden("This command belongs to another terminal");
    return row;
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

    async takeCommands(userId: number): Promise<TerminalCommand[]> {
      const nowMs = clock.now();
      const rows = await store.commands.takeDue(userId, nowMs, VISIBILITY_TIMEOUT_MS);
      const firstDelivered = new Set(rows.filter((r) => r.deliveries === 0).map((r) => r.fire_id));
      if (firstDelivered.size > 0) {
        // The fires' own bookkeeping (state "delivered", audit event, live update) waits until the
        // terminal's answer is on its way: it is not part of delivering, and a crash in between only
        // leaves the fire "queued" until its result re-derives it from the legs.
        setImmediate(async () => {
          if (store.closed) return; // shut down in between: the result will re-derive the fire
          const events: Emit = [];
          try {
            await store.transaction(async () => {
              for (const fireId of firstDelivered) {
                await fireChanged(store, fireId, nowMs, "delivered", events);
                await store.fires.appendEvent({
                  type: "fire.delivered",
                  actor: "bridge",
                  user_id: userId,
                  fire_id: fireId,
                });
              }
            });
          } catch {
            return; // the database went away meanwhile: the result re-derives the fire
          }
          flush(hub, events);
        });
      }
      const opens: TerminalCommand[] = rows.map(commandPayload);
      return opens.concat(await takePositionCommands(store, hub, userId, nowMs, VISIBILITY_TIMEOUT_MS));
    },

    waitForCommands(userId: number, waitMs: number, signal?: AbortSignal): Promise<void> {
      return new Promise((resolve) => {
        let set = waiters.get(userId);
        if (!set) {
          set = new Set();
          waiters.set(userId, set);
        }
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          set?.delete(done);
          if (set?.size === 0 && waiters.get(userId) === set) waiters.delete(userId);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        signal?.addEventListener("abort", done, { once: true });
        set.add(done);
      });
    },

    async submitResult(userId: number, body: CommandResult): Promise<void> {
      const nowMs = clock.now();
      const events: Emit = [];
      await store.transaction(async () => {
        if (await submitPositionResult(store, userId, body, nowMs, events)) return;
        const row = await ownCommand(userId, body.id);
        // Idempotent per command id; a late result never re-opens a closed leg (core/leg-reports.ts).
        if (resultAction(row.state) !== "apply") return;
        const retcode = body.retcode ?? null;
        const state =
          body.status === "filled" && retcode !== null && !FILLED_RETCODES.has(retcode) ? "rejected" : body.status;
        const message =
          state === "filled"
            ? null
            : (body.message?.trim() || retcodeMessage(retcode) || `Order ${state}`).slice(0, 500);
        await store.commands.setLegResult(
          row.id,
          {
            state,
            retcode,
            ticket: body.ticket === undefined || body.ticket === null ? null : String(body.ticket),
            price: body.price ?? null,
            volume: body.volume ?? null,
            message,
          },
          nowMs,
        );
        await store.terminals.lockFire(row.fire_id);
        await store.fires.appendEvent({
          type: `command.${state}`,
          actor: "bridge",
          user_id: userId,
          fire_id: row.fire_id,
          data: { ...body, plain_message: message },
        });
        const wasFilled = (await store.fires.findFireById(row.fire_id))?.xp_awarded ?? 0;
        const fire = await fireChanged(store, row.fire_id, nowMs, "result", events);
        if (state === "filled" && wasFilled === 0 && fire.state === "filled") {
          const traderId = await trader(userId);
          await store.stats.awardXp(traderId, fire.id, XP_RULES.filled);
          await statsEvent(store, traderId, nowMs, XP_RULES.filled, events);
        }
        // A close that arrived first now applies, in order.
        if (state === "filled" && row.held_close !== null) {
          await store.commands.holdClose(row.id, null);
          await closeLeg(
            store,
            await trader(userId),
            row.id,
            JSON.parse(row.held_close) as ClosedReport,
            nowMs,
            events,
          );
        }
      });
      flush(hub, events);
    },

    async submitClosed(userId: number, body: ClosedReport): Promise<void> {
      const nowMs = clock.now();
      const events: Emit = [];
      let tp1SignalId: string | null = null;
      await store.transaction(async () => {
        // A close made by a `close` command reports that command's id: it closes the leg it managed.
        const row = await ownCommand(userId, (await positionOfClose(store, body.id))?.position_of ?? body.id);
        if (row.leg === 1 && body.profit > 0)
          tp1SignalId = (await store.fires.findFireById(row.fire_id))?.signal_id ?? null;
        const action = closedAction(row.state, row.held_close !== null);
        if (typeof action === "object") throw ApiError.from(action);
        if (action === "ignore") return; // idempotent
        if (action === "hold") {
          await store.commands.holdClose(row.id, JSON.stringify(body));
          await store.fires.appendEvent({
            type: "command.closed_held",
            actor: "bridge",
            user_id: userId,
            fire_id: row.fire_id,
            data: body,
          });
          return;
        }
        await closeLeg(store, await trader(userId), row.id, body, nowMs, events);
      });
      flush(hub, events);
      // Also on a repeated report: the breakeven is claimed once, so a crash after the close's
      // commit and before this line cannot lose it (the terminal re-sends its unacknowledged report).
      if (tp1SignalId) await deps.onTp1Closed?.(tp1SignalId);
    },

    /** Expires commands that can no longer execute (see sweep.ts). */
    sweep(): Promise<void> {
      return sweepCommands(store, hub, clock.now());
    },

    async isOnline(userId: number): Promise<boolean> {
      return online((await store.users.findUser(userId))?.bridge_seen_ms ?? null, clock.now());
    },
  };
}
