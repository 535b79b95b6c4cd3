import type { Store } from "../db/store.ts";
import type { Clock } from "./clock.ts";
import type { Config } from "./config/index.ts";
import { Hub } from "./events/hub.ts";
import { createMemoryRegistry, type MemoryBounds } from "./memory.ts";
import { createBridgeService } from "./services/bridge/index.ts";
import { createEngineService, type EngineServiceOptions } from "./services/engine/index.ts";
import { createFireService } from "./services/fire.ts";
import { createMissionService } from "./services/missions.ts";
import { createSignalService } from "./services/signals.ts";
import { createStagedService } from "./services/staged.ts";
import { createTerminalService } from "./services/terminals/index.ts";
import { createResultService, createTrackRecordService } from "./services/track-record/index.ts";
import { createUpdateService } from "./services/updates/index.ts";

/**
 * The application core wired once: store, hub and services. The HTTP app, the bot, the file-drop
 * transport and local mode all take this object, so one process shares one cache and one bus.
 */
export function createContext(deps: {
  store: Store;
  config: Config;
  clock: Clock;
  hub?: Hub;
  log?: (msg: string, err?: unknown) => void;
  /** The live signal engine's strategies and timings (tests shorten them). */
  engine?: EngineServiceOptions;
  /** Bounds of the in-process maps (server/memory.ts); tests shrink them. */
  bounds?: Partial<MemoryBounds>;
}) {
  const { store, config, clock } = deps;
  const log = deps.log ?? (() => undefined);
  const hub = deps.hub ?? new Hub((err, event) => log(`hub listener for ${event} failed`, err));
  const memory = createMemoryRegistry(deps.bounds);
  const terminals = createTerminalService({ store, clock, config, hub });
  const missions = createMissionService({ store, config, clock, hub, memory });
  const signals = createSignalService({ store, hub, clock });
  const staged = createStagedService({ store, hub, clock });
  const engine = createEngineService({ store, hub, clock, config, staged, log }, deps.engine);
  const fires = createFireService({ store, hub, clock, missions, memory });
  const updates = createUpdateService({ store, hub, clock });
  const bridge = createBridgeService({
    store,
    hub,
    clock,
    config,
    memory,
    traderOf: (bridgeUserId) => terminals.traderOf(bridgeUserId),
    onTp1Closed: async (signalId) => {
      try {
        await updates.autoBreakeven(signalId);
      } catch (err) {
        log(`automatic breakeven of ${signalId} failed`, err);
      }
    },
  });
  const trackRecord = createTrackRecordService({ store, hub, clock, memory });
  const results = createResultService({ store, hub, clock, log });
  // Settles what ended while the server was down; the bot's result catch-up waits for it.
  const resultsCaughtUp = results.catchUp().then(
    () => undefined,
    (err) => log("settling the results of signals that ended while stopped failed", err),
  );
  return {
    store,
    config,
    clock,
    hub,
    memory,
    missions,
    signals,
    staged,
    engine,
    fires,
    bridge,
    updates,
    terminals,
    trackRecord,
    results,
    resultsCaughtUp,
  };
}

export type AppContext = ReturnType<typeof createContext>;
