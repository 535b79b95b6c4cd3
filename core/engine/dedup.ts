import type { Side } from "../types.ts";

/** The key that identifies a setup: strategy, symbol, side and the strategy's own setup key. */
export function dedupKey(strategy: string, symbol: string, side: Side, setupKey: string): string {
  return `${strategy}|${symbol}|${side}|${setupKey}`;
}

/** Remembers the setups already proposed. The store will persist the same keys (unique index). */
export interface Dedup {
  /** True the first time a key is claimed, false ever after (within the capacity). */
  claim(key: string): boolean;
  has(key: string): boolean;
  readonly size: number;
}

/**
 * An in-memory dedup holding the `capacity` most recent keys (oldest forgotten first: a setup
 * 10,000 proposals old cannot recur, its candles have long left every window). `seed` preloads
 * keys the store already holds, so a restart does not propose them again.
 */
export function createDedup(capacity = 10_000, seed: Iterable<string> = []): Dedup {
  const keys = new Set<string>();
  const remember = (key: string) => {
    keys.add(key);
    if (keys.size > capacity) keys.delete(keys.values().next().value as string);
  };
  for (const key of seed) remember(key);
  return {
    claim(key) {
      if (keys.has(key)) return false;
      remember(key);
      return true;
    },
    has: (key) => keys.has(key),
    get size() {
      return keys.size;
    },
  };
}
