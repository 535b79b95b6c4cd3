import type { TerminalSymbolSpec } from "../../core/instruments/index.ts";
import { createMissionBuilder, type Mission, type MissionOverlayInput, positionFor } from "../../core/mission.ts";
import type { Position } from "../../core/sizing.ts";
import { utcDayStartMs } from "../../core/tiers.ts";
import type { Signal } from "../../core/types.ts";
import type { MissionOverlayRow } from "../../db/queries/users.ts";
import { type FireView, tradeAllowedOf } from "../../db/rows.ts";
import type { Store } from "../../db/store.ts";
import type { Clock } from "../clock.ts";
import type { Config } from "../config/index.ts";
import { notFound } from "../errors.ts";
import type { Hub } from "../events/hub.ts";
import { BoundedMap, type MemoryRegistry } from "../memory.ts";
import { ownTerminalOnly, withOwnTerminal, withTerminals } from "./terminals/mission.ts";

export type MissionView = Mission<FireView> & {
  note: string | null;
  note_updated_at: string | null;
  links: Array<{ title: string; url: string }>;
  /** The broker's spec of this symbol from the user's terminal (internal: not in the response schema). */
  terminal_spec: TerminalSymbolSpec | null;
  /**
   * The cached overlay it was built from (internal): its user, sizing, note and links stay the
   * same as long as its row and the signal object do, so their JSON can be kept with it.
   */
  overlay: CachedOverlay;
};

/**
 * One user's overlay row for one signal, cached while current, and what is worked out from it
 * with one signal object: kept here, with the row, so a warm read looks up nothing else (both are
 * replaced when the row or the signal object is).
 */
export interface CachedOverlay {
  readonly version: number;
  readonly dayStart: number;
  readonly row: MissionOverlayRow;
  /** The row's sizing of the signal (a pure function of the two). */
  position?: { signal: Signal; position: Position };
  /** The mission's steady part as JSON (server/routes/missions.ts). */
  steadyJson?: { signal: Signal; json: string };
}

/**
 * Missions computed on request from one signal and one overlay, each read through a small
 * in-process cache invalidated on write: at most two statements per request, none when warm.
 * Every write that concerns a user goes through `touchUser` (or a hub event that calls it).
 */
export function createMissionService(deps: {
  store: Store;
  config: Config;
  clock: Clock;
  hub: Hub;
  memory: MemoryRegistry;
}) {
  const { store, config, clock, hub, memory } = deps;
  const { bounds } = memory;
  const signals = new BoundedMap<string, { signal: Signal; fireCount: number }>(bounds.signals);
  const overlays = new BoundedMap<string, CachedOverlay>(bounds.overlays);
  /**
   * The version of each user's data: a process-wide count taken at their last change. A user whose
   * entry was forgotten (bound reached) reads as `forgottenUpTo`, the highest version forgotten so
   * far, which is at least their last change: no overlay cached before that change can match.
   */
  let lastVersion = 0;
  let forgottenUpTo = 0;
  const userVersions = new BoundedMap<number, number>(bounds.userVersions, (_userId, version) => {
    forgottenUpTo = Math.max(forgottenUpTo, version);
  });
  const versionOf = (userId: number) => userVersions.get(userId) ?? forgottenUpTo;
  const builderFor = new BoundedMap<
    string,
    { second: number; build: (input: MissionOverlayInput<FireView>) => Mission<FireView> }
  >(bounds.signals);
  memory.track("signals", signals, bounds.signals);
  memory.track("missionBuilders", builderFor, bounds.signals);
  memory.track("overlays", overlays, bounds.overlays);
  memory.track("userVersions", userVersions, bounds.userVersions);

  let daySecond = Number.NaN;
  let dayStartMs = 0;
  /** Start of the UTC day, recomputed once per second (Date arithmetic is not free per request). */
  const dayStartOf = (nowMs: number) => {
    const second = Math.floor(nowMs / 1000);
    if (second !== daySecond) {
      daySecond = second;
      dayStartMs = utcDayStartMs(nowMs);
    }
    return dayStartMs;
  };

  const touchUser = (userId: number) => userVersions.set(userId, ++lastVersion);

  hub.on("signal.cancelled", ({ signal }) => {
    signals.delete(signal.id);
    builderFor.delete(signal.id);
  });
  hub.on("fire.created", ({ fire }) => touchUser(fire.user_id));
  hub.on("fire.updated", ({ fire }) => touchUser(fire.user_id));
  hub.on("user.updated", ({ user_id }) => touchUser(user_id));
  // A count announced by another instance (server/cluster relays hub events) moves the cached one.
  hub.on("fire.count", ({ signal_id, count }) => {
    const entry = signals.get(signal_id);
    if (entry && count > entry.fireCount) entry.fireCount = count;
  });

  async function loadSignal(signalId: string) {
    const found = await store.signals.findSignalWithCount(signalId);
    if (found) signals.set(signalId, found);
    return found;
  }

  /** The shared signal and its fire count: from the cache, else read (null: no such signal). */
  async function signalEntry(signalId: string) {
    return signals.get(signalId) ?? (await loadSignal(signalId));
  }

  /** The user's overlay for this signal when the cached one is still current, else undefined. */
  function cachedOverlay(userId: number, signal: Signal, nowMs: number): CachedOverlay | undefined {
    const cached = overlays.get(`${userId}:${signal.id}`);
    if (cached && cached.version === versionOf(userId) && cached.dayStart === dayStartOf(nowMs)) return cached;
    return undefined;
  }

  async function readOverlay(userId: number, signal: Signal, nowMs: number): Promise<CachedOverlay> {
    const version = versionOf(userId);
    const dayStart = dayStartOf(nowMs);
    const row = await store.users.findMissionOverlay(userId, signal.id, signal.symbol, dayStart);
    if (!row) throw notFound("User");
    const cached: CachedOverlay = { version, dayStart, row };
    overlays.set(`${userId}:${signal.id}`, cached);
    return cached;
  }

  /** The overlay's sizing of the signal: computed once per cached row and signal object. */
  function positionOf(overlay: CachedOverlay, signal: Signal): Position {
    if (overlay.position?.signal === signal) return overlay.position.position;
    const { row } = overlay;
    const position = positionFor(signal, row.user, row.terminalSpec, row.rates);
    overlay.position = { signal, position };
    return position;
  }

  /** One user's mission from the cached signal and their overlay (the builder: once per second). */
  function build(entry: { signal: Signal; fireCount: number }, overlay: CachedOverlay, nowMs: number): MissionView {
    const { row } = overlay;
    const signalId = entry.signal.id;
    const second = Math.floor(nowMs / 1000);
    let builder = builderFor.get(signalId);
    if (builder?.second !== second) {
      builder = { second, build: createMissionBuilder<FireView>(entry.signal, nowMs, config.heartbeatStaleS * 1000) };
      builderFor.set(signalId, builder);
    }
    const mission = builder.build({
      overlay: row.user,
      terminalSpec: row.terminalSpec,
      rates: row.rates,
      fire: row.fire,
      fireCount: entry.fireCount,
      firesToday: row.firesToday,
      position: positionOf(overlay, entry.signal),
      bridge: { linked: row.linked, lastSeenMs: row.user.bridge_seen_ms, tradeAllowed: tradeAllowedOf(row.user) },
    }) as MissionView;
    mission.note = row.note?.text ?? null;
    mission.note_updated_at = row.note?.updated_at ?? null;
    mission.links = config.warRoomLinks;
    mission.terminal_spec = row.terminalSpec;
    mission.overlay = overlay;
    return mission;
  }

  async function overlayRow(userId: number, signal: Signal, nowMs: number): Promise<MissionOverlayRow> {
    return (cachedOverlay(userId, signal, nowMs) ?? (await readOverlay(userId, signal, nowMs))).row;
  }

  return {
    touchUser,
    /** The shared signal and its fire count (cached). */
    findSignal(signalId: string) {
      return signalEntry(signalId);
    },
    /** Records a new fire on the cached count; returns the new count. */
    async countFire(signalId: string): Promise<number> {
      const entry = signals.get(signalId);
      if (entry) {
        entry.fireCount += 1;
        return entry.fireCount;
      }
      return store.fires.countFires(signalId);
    },
    /** The mission of one user for one signal. Throws NOT_FOUND for an unknown signal. */
    async missionFor(userId: number, signalId: string): Promise<MissionView> {
      const nowMs = clock.now();
      const entry = signals.get(signalId) ?? (await loadSignal(signalId));
      if (!entry) throw notFound("Signal");
      const overlay = cachedOverlay(userId, entry.signal, nowMs) ?? (await readOverlay(userId, entry.signal, nowMs));
      const { row } = overlay;
      const mission = build(entry, overlay, nowMs);
      if (row.terminals.length === 0) return mission;
      return withTerminals(
        mission,
        row.terminals,
        async (id) => (id === userId ? row : overlayRow(id, entry.signal, nowMs)),
        nowMs,
        config.heartbeatStaleS * 1000,
      );
    },
    /**
     * The mission at once when everything it needs is cached (the signal, the user's current
     * overlay, no terminal or only their own), else undefined: then `missionFor` reads what is missing. The
     * Mini App's hot read answers from here without a promise.
     */
    cachedMission(userId: number, signalId: string): MissionView | undefined {
      const nowMs = clock.now();
      const entry = signals.get(signalId);
      const overlay = entry && cachedOverlay(userId, entry.signal, nowMs);
      if (!entry || !overlay) return undefined;
      const { terminals } = overlay.row;
      if (terminals.length === 0) return build(entry, overlay, nowMs);
      return ownTerminalOnly(terminals, userId)
        ? withOwnTerminal(build(entry, overlay, nowMs), terminals[0]!)
        : undefined;
    },
  };
}

export type MissionService = ReturnType<typeof createMissionService>;
