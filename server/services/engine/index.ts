import type { HeartbeatPrice } from "../../../bridge/protocol.ts";
import { canonicalForBroker } from "../../../core/broker-symbols.ts";
import {
  createDedup,
  createSignalEngine,
  type EngineDraft,
  type PriceTick,
  STRATEGIES,
  type Strategy,
} from "../../../core/engine/index.ts";
import { DEFAULT_SPECS } from "../../../core/instruments/index.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import type { Config } from "../../config/index.ts";
import { ApiError, notFound } from "../../errors.ts";
import type { Hub } from "../../events/hub.ts";
import type { StagedService } from "../staged.ts";
import { createDrafts, DEFAULT_MIN_QUALITY, type DraftOptions } from "./drafts.ts";
import { staffPriceFeeds } from "./feeds.ts";

export interface EngineServiceOptions extends Partial<DraftOptions> {
  /** The strategies to run (default: every shipped one with its default parameters). */
  strategies?: Strategy[];
  /** Silence that pauses a symbol (default 180 s, the core's). */
  maxGapMs?: number;
  /** Whose terminal prices feed the engine (default: admins and owners, and the file-drop terminal). */
  feedsFrom?: (userId: number) => boolean;
  /** The market's time (default: the app's clock; local mode runs its simulated market faster). */
  marketClock?: Clock;
}

/** A terminal's quote time: ISO-8601 or unix seconds; never later than the server's now. */
function tickTime(time: HeartbeatPrice["time"], nowMs: number): number {
  const parsed = typeof time === "number" ? time * 1000 : typeof time === "string" ? Date.parse(time) : Number.NaN;
  return Number.isFinite(parsed) ? Math.min(parsed, nowMs) : nowMs;
}

/**
 * The signal engine, live: prices in (an admin's linked terminal via heartbeats, or local mode's
 * simulated market), M1 candles and strategies in core, proposals out as drafts in the store.
 * Only staff terminals feed it: a trader's token must not be able to steer proposals with made-up
 * prices. A 1 s timer closes quiet minutes, notices gaps and expires drafts. Symbols are the
 * built-in instruments (their spec gives the tick size stops and targets are rounded to).
 */
export function createEngineService(
  deps: {
    store: Store;
    hub: Hub;
    clock: Clock;
    config: Config;
    staged: StagedService;
    log?: (msg: string, err?: unknown) => void;
  },
  options: EngineServiceOptions = {},
) {
  const { store, hub, config } = deps;
  const log = deps.log ?? (() => undefined);
  const clock = options.marketClock ?? deps.clock;
  const feedsFrom = options.feedsFrom ?? staffPriceFeeds(config);
  const strategies = options.strategies ?? Object.values(STRATEGIES).map((make) => make());
  const errors: string[] = [];
  // Seeded from the store (setups proposed before a restart or by another instance) as soon as it
  // answers; the unique dedup_key in the database is what guarantees "never proposed twice".
  const dedup = createDedup(10_000);
  const engine = createSignalEngine({
    strategies,
    specFor: (symbol) => DEFAULT_SPECS.get(symbol) ?? null,
    dedup,
    ...(options.maxGapMs === undefined ? {} : { maxGapMs: options.maxGapMs }),
    onStrategyError: (name, symbol, err) => {
      errors.push(`${name} on ${symbol}: ${err instanceof Error ? err.message : String(err)}`);
      if (errors.length > 20) errors.shift();
    },
  });
  const drafts = createDrafts(deps, {
    draftTtlMs: options.draftTtlMs ?? 15 * 60_000,
    signalTtlMin: options.signalTtlMin ?? 60,
  });
  let timer: ReturnType<typeof setInterval> | null = null;
  let offPrices: (() => void) | null = null;

  // The engine's store work (saving proposals, expiring drafts) runs one step at a time, in the
  // order the prices came: a tick's proposals are computed synchronously, their drafts saved after.
  let queue: Promise<void> = store.staged
    .recentDedupKeys(10_000)
    .then((keys) => {
      for (const key of keys.reverse()) dedup.claim(key);
    })
    .catch((err) => log("engine: cannot read the proposed setups", err));
  const enqueue = (work: () => Promise<unknown>): Promise<void> => {
    queue = queue.then(work).then(
      () => undefined,
      (err) => log("engine: saving drafts failed", err),
    );
    return queue;
  };

  const save = (proposals: EngineDraft[]): Promise<void> =>
    proposals.length === 0
      ? queue
      : enqueue(async () => {
          for (const proposal of proposals) await drafts.save(proposal);
        });

  /** Prices from one source at the server's `now` (built-in symbols only, broker names mapped). */
  function feed(prices: readonly HeartbeatPrice[]): Promise<void> {
    const nowMs = clock.now();
    const proposals: EngineDraft[] = [];
    for (const price of prices) {
      const symbol = canonicalForBroker(price.symbol);
      if (!symbol || !DEFAULT_SPECS.has(symbol)) continue;
      const tick: PriceTick = { symbol, bid: price.bid, ask: price.ask, time: tickTime(price.time, nowMs) };
      proposals.push(...engine.onTick(tick));
    }
    return save(proposals);
  }

  /** The clock moved: close quiet minutes (propose on them), expire overdue drafts. */
  function advance(): Promise<void> {
    const proposals = engine.advance(clock.now());
    return enqueue(async () => {
      for (const proposal of proposals) await drafts.save(proposal);
      await drafts.expireOverdue();
    });
  }

  async function strategyList() {
    const settings = await store.staged.listStrategySettings();
    return strategies.map((s) => {
      const setting = drafts.settingsFrom(settings, s.name);
      return {
        name: s.name,
        source: `engine:${s.name}`,
        timeframe_min: s.timeframe,
        params: s.params,
        auto_publish: setting.auto_publish,
        min_quality: setting.min_quality,
        updated_at: setting.updated_by ? setting.updated_at : null,
        updated_by: setting.updated_by,
      };
    });
  }

  return {
    drafts,
    feed,
    advance,
    strategies: strategyList,

    /** Turns auto-publish on or off for one strategy, or sets its quality threshold (admins). */
    async setStrategy(name: string, patch: { auto_publish?: boolean; min_quality?: number }, actor: string) {
      if (!strategies.some((s) => s.name === name)) throw notFound("Strategy");
      if (patch.min_quality !== undefined && !(patch.min_quality >= 0 && patch.min_quality <= 10)) {
        throw new ApiError("BAD_REQUEST", "min_quality must be between 0 and 10", "min_quality");
      }
      const current = await drafts.settingsOf(name);
      const at = new Date(deps.clock.now()).toISOString();
      const next = {
        name,
        auto_publish: patch.auto_publish ?? current.auto_publish,
        min_quality: patch.min_quality ?? current.min_quality,
        updated_at: at,
        updated_by: actor,
      };
      await store.transaction(async () => {
        await store.staged.saveStrategySettings(next);
        await store.fires.appendEvent({ type: "admin.engine_strategy", actor, data: next }, at);
      });
      return (await strategyList()).find((s) => s.name === name)!;
    },

    /** Per symbol live or paused (and why), for `/health` and `/engine`. */
    health() {
      const symbols = engine.health(clock.now()).map((h) => ({
        symbol: h.symbol,
        paused: h.paused,
        reason: h.reason,
        last_price_at: new Date(h.lastTickMs).toISOString(),
        candles: h.candles,
      }));
      return {
        running: timer !== null,
        strategies: strategies.map((s) => s.name),
        symbols_live: symbols.filter((s) => !s.paused).length,
        symbols_paused: symbols.filter((s) => s.paused).length,
        symbols,
        ...(errors.length > 0 ? { strategy_errors: [...errors] } : {}),
      };
    },

    /** Listens to heartbeat prices and runs the 1 s timer. */
    start(tickMs = 1000): void {
      if (timer) return;
      offPrices = hub.on("bridge.prices", ({ user_id, prices }) => {
        if (feedsFrom(user_id)) void feed(prices);
      });
      timer = setInterval(() => void advance(), tickMs);
      timer.unref();
    },
    stop(): void {
      offPrices?.();
      offPrices = null;
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export type EngineService = ReturnType<typeof createEngineService>;
export { DEFAULT_MIN_QUALITY };
