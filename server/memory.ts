/**
 * Every in-process map of the server has a bound, so a flood of distinct users, signals or
 * terminals cannot grow memory without limit (issue #14). Entries past a bound are forgotten
 * oldest-written first; each map is a cache or a convenience in front of the database, so
 * forgetting costs one read again later, never a wrong answer (each owner says why).
 * Measured ceiling with these defaults: BENCHMARKS.md, "Memory".
 */
export const MEMORY_BOUNDS = {
  /** Validated initData strings (auth/init-data.ts): an HMAC saved per repeat request. */
  initData: 10_000,
  /** Users known to exist (auth/index.ts): skips `ensureUser` on later requests. */
  knownUsers: 100_000,
  /** Signals with their fire count, and their prepared mission builders (services/missions.ts). */
  signals: 2_000,
  /** Mission overlays by user and signal (services/missions.ts). */
  overlays: 20_000,
  /** Users whose data changed since their overlay was read (services/missions.ts). */
  userVersions: 100_000,
  /** Fires already answered, so duplicate taps touch no table (services/fire-commit.ts). */
  knownFires: 50_000,
  /** First taps being checked or committed (services/fire.ts). */
  inFlightTaps: 10_000,
  /** Buckets per rate limiter: addresses, /health addresses, bridge tokens, users (rate-limits.ts). */
  rateLimitBuckets: 50_000,
  /** Open Server-Sent Events streams in all; one more closes the oldest (events/sse.ts). */
  sseStreams: 20_000,
  /** Open streams per user; one more closes that user's oldest (events/sse.ts). */
  sseStreamsPerUser: 5,
  /** Candle series by trader and symbol (services/candles.ts). */
  candleSeries: 10_000,
  /** Terminals whose stored specs and prices are remembered (services/bridge/heartbeat-filter.ts). */
  terminals: 10_000,
  /** Last liveness write per terminal (services/bridge/liveness.ts). */
  terminalTouches: 100_000,
};

export type MemoryBounds = typeof MEMORY_BOUNDS;

/** A Map that keeps at most `max` entries: a write moves its key to the end, the oldest goes first. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(
    readonly max: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.has(key)) this.delete(key);
    else if (this.size >= this.max) {
      const oldest = this.entries().next();
      if (!oldest.done) {
        this.delete(oldest.value[0]);
        this.onEvict?.(oldest.value[0], oldest.value[1]);
      }
    }
    return super.set(key, value);
  }
}

/** A Set that keeps at most `max` values, the oldest added going first. */
export class BoundedSet<T> extends Set<T> {
  constructor(readonly max: number) {
    super();
  }

  override add(value: T): this {
    if (!this.has(value) && this.size >= this.max) {
      const oldest = this.values().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.add(value);
  }
}

/**
 * The bounds of one context and the sizes of its maps, for `/metrics` and the tests that flood
 * the server: each owner registers its maps with `track`.
 */
export function createMemoryRegistry(overrides: Partial<MemoryBounds> = {}) {
  const bounds: MemoryBounds = { ...MEMORY_BOUNDS, ...overrides };
  const tracked = new Map<string, { size: () => number; max: number }>();
  return {
    bounds,
    /** Registers a map (anything with a `size`) under `name`, with the bound it keeps. */
    track(name: string, map: { readonly size: number }, max: number): void {
      tracked.set(name, { size: () => map.size, max });
    },
    /** Registers a count computed on demand (e.g. streams held in per-user lists). */
    trackCount(name: string, size: () => number, max: number): void {
      tracked.set(name, { size, max });
    },
    /** Every tracked map's size and bound, by name. */
    sizes(): Record<string, { size: number; max: number }> {
      return Object.fromEntries([...tracked].map(([name, m]) => [name, { size: m.size(), max: m.max }]));
    },
  };
}

export type MemoryRegistry = ReturnType<typeof createMemoryRegistry>;
