/** Price sources for the paper terminal. */

export interface Quote {
  bid: number;
  ask: number;
}

/** Where the paper terminal reads market prices. `set` (optional) lets tests and demos move a price. */
export interface PriceFeed {
  get(symbol: string): Quote | undefined;
  set?(symbol: string, bid: number, ask: number): void;
}

/** A feed whose prices move only when `set` is called. */
export function createStaticFeed(seedPrices: Record<string, Quote> = {}): PriceFeed {
  const quotes = new Map(Object.entries(seedPrices).map(([symbol, quote]) => [symbol, { ...quote }]));
  return {
    get: (symbol) => {
      const quote = quotes.get(symbol);
      return quote ? { ...quote } : undefined;
    },
    set: (symbol, bid, ask) => void quotes.set(symbol, { bid, ask }),
  };
}

export interface RandomWalkOptions {
  /** Step interval while started. Default 1000. */
  intervalMs?: number;
  /** Same seed, same path. Default: time-based. */
  seed?: number;
  /** Largest move per step as a fraction of the mid price. Default 0.0002 (2 pips on EURUSD). */
  stepFraction?: number;
  /** Decimal places per symbol (rounding); default 5. */
  digits?: Record<string, number>;
}

export interface RandomWalkFeed extends PriceFeed {
  /** Moves every symbol once. */
  step(): void;
  start(): void;
  stop(): void;
}

/**
 * A feed for local demo mode: each step moves every mid price by a random fraction (uniform in
 * ±stepFraction) and keeps each symbol's spread. Deterministic for a given seed.
 */
export function createRandomWalkFeed(
  seedPrices: Record<string, Quote>,
  options: RandomWalkOptions = {},
): RandomWalkFeed {
  const base = createStaticFeed(seedPrices);
  const random = mulberry32(options.seed ?? Date.now());
  const stepFraction = options.stepFraction ?? 0.0002;
  const symbols = Object.keys(seedPrices);
  let timer: NodeJS.Timeout | undefined;
  const round = (symbol: string, price: number) => Number(price.toFixed(options.digits?.[symbol] ?? 5));
  const step = () => {
    for (const symbol of symbols) {
      const quote = base.get(symbol);
      if (!quote) continue;
      const spread = quote.ask - quote.bid;
      const mid = (quote.bid + quote.ask) / 2;
      const nextMid = mid * (1 + (random() * 2 - 1) * stepFraction);
      base.set?.(symbol, round(symbol, nextMid - spread / 2), round(symbol, nextMid + spread / 2));
    }
  };
  return {
    get: base.get,
    set: base.set,
    step,
    start() {
      if (timer) return;
      timer = setInterval(step, options.intervalMs ?? 1000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/** Small seeded PRNG (public-domain mulberry32); returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
