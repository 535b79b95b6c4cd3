import { createRandomWalkFeed, type Quote } from "../../bridge/paper/index.ts";
import type { HeartbeatSymbol } from "../../bridge/protocol.ts";
import type { Tier } from "../../core/types.ts";

/** Demo traders of local mode: different tiers, balances and risk, so missions differ visibly. */
export const DEMO_TRADERS: ReadonlyArray<{
  id: number;
  first_name: string;
  username: string;
  tier: Tier;
  balance: number;
  risk: number;
}> = [
  { id: 1001, first_name: "Ava", username: "ava_nibbler", tier: "NIBBLER", balance: 2_500, risk: 1 },
  { id: 1002, first_name: "Ben", username: "ben_fang", tier: "FANG", balance: 25_000, risk: 1.5 },
  { id: 1003, first_name: "Cleo", username: "cleo_apex", tier: "APEX", balance: 150_000, risk: 0.5 },
];

/** Seed prices of the simulated market (bid/ask). */
export const DEMO_PRICES: Record<string, Quote> = {
  EURUSD: { bid: 1.0849, ask: 1.085 },
  GBPUSD: { bid: 1.2699, ask: 1.2701 },
  USDJPY: { bid: 149.99, ask: 150.01 },
  XAUUSD: { bid: 1999.8, ask: 2000.1 },
};

const fx = (name: string, jpy = false): HeartbeatSymbol => ({
  name,
  tick_size: jpy ? 0.001 : 0.00001,
  // For a USD account: EURUSD/GBPUSD ticks are $1 per lot; USDJPY's is 100 JPY, $0.667 at 150
  // (the terminal reports it at the current price: demoTickValue).
  tick_value: jpy ? 100 / 150 : 1,
  volume_min: 0.01,
  volume_step: 0.01,
  volume_max: 100,
  contract_size: 100_000,
  digits: jpy ? 3 : 5,
});

/**
 * A demo symbol's tick value in the USD account at `quote`, as MT5 reports it: USDJPY's profit is
 * in JPY, so its tick (100 JPY a lot) is worth 100 / price dollars and moves with the price; the
 * others' profit is in USD already.
 */
export function demoTickValue(spec: HeartbeatSymbol, quote: Quote): number {
  if (!spec.name.startsWith("USD")) return spec.tick_value;
  const mid = (quote.bid + quote.ask) / 2;
  return (spec.tick_size * spec.contract_size) / mid;
}

/** The demo broker's symbol specs (as an MT5 terminal would report them). */
export const DEMO_SYMBOLS: HeartbeatSymbol[] = [
  fx("EURUSD"),
  fx("GBPUSD"),
  fx("USDJPY", true),
  {
    name: "XAUUSD",
    tick_size: 0.01,
    tick_value: 1,
    volume_min: 0.01,
    volume_step: 0.01,
    volume_max: 50,
    contract_size: 100,
    digits: 2,
  },
];

const PIP: Record<string, number> = { EURUSD: 0.0001, GBPUSD: 0.0001, USDJPY: 0.01, XAUUSD: 0.1 };
const DIGITS: Record<string, number> = { EURUSD: 5, GBPUSD: 5, USDJPY: 3, XAUUSD: 2 };

/**
 * The simulated market's largest move per second, as a fraction of the price (a uniform step, so
 * about 1.6 pips per second of standard deviation on EURUSD): lively enough that a demo trade
 * reaches its stop or targets in a couple of minutes, still an unbiased random walk.
 */
export const DEMO_STEP_FRACTION = 0.00025;

/**
 * A demo signal's stop distance as a fraction of the price (≈ 11 pips on EURUSD, 15 on USDJPY,
 * 20 on gold): sized to the walk above so the same odds hold on every symbol. With targets at
 * 0.8 and 1.2 stops, 4 000 simulated runs of this walk closed the whole trade (stop, or both
 * targets) within 2 minutes in 86 % of runs and within 3 minutes in 95 % (median 50 s); README,
 * "Local mode", shows one such run.
 */
export const DEMO_STOP_FRACTION = 0.001;

/**
 * A new demo signal this often: a fire is filled only near the entry (a quarter of the stop), and
 * on this market half of all fires 10 s after a signal would already be refused "price moved".
 */
export const DEMO_SIGNAL_EVERY_MS = 30_000;

/** The decimals the demo broker quotes a symbol with. */
export const demoDigits = (symbol: string) => DIGITS[symbol] ?? 5;

/** The simulated market of local mode: every symbol quoted at its own digits (USDJPY at 3). */
export function createDemoFeed(seed?: number) {
  return createRandomWalkFeed(DEMO_PRICES, {
    intervalMs: 1000,
    stepFraction: DEMO_STEP_FRACTION,
    digits: Object.fromEntries(Object.keys(DEMO_PRICES).map((symbol) => [symbol, demoDigits(symbol)])),
    ...(seed === undefined ? {} : { seed }),
  });
}

const PATTERNS = ["LIQUIDITY_SWEEP_REVERSAL", "BREAK_AND_RETEST", "ORDER_BLOCK_BOUNCE", "TREND_CONTINUATION"];
const NOTES = [
  "Institutional accumulation detected below the Asian low.",
  "Clean retest of broken structure with rising volume.",
  "Daily order block respected twice; momentum turning.",
  "Higher-timeframe trend intact; pullback into value.",
];

/**
 * A demo signal at the current market price: a stop of DEMO_STOP_FRACTION of the price, targets
 * at 0.8R and 1.2R, three minutes to live. Sides alternate; nothing about the market is scripted.
 */
export function demoSignal(n: number, quote: (symbol: string) => Quote | undefined, nowMs: number) {
  const symbols = Object.keys(DEMO_PRICES);
  const symbol = symbols[n % symbols.length]!;
  const q = quote(symbol) ?? DEMO_PRICES[symbol]!;
  const side = n % 2 === 0 ? "BUY" : "SELL";
  const pip = PIP[symbol]!;
  const digits = demoDigits(symbol);
  const round = (p: number) => Number(p.toFixed(digits));
  const entry = side === "BUY" ? q.ask : q.bid;
  const dir = side === "BUY" ? 1 : -1;
  const stopPips = Math.round((entry * DEMO_STOP_FRACTION) / pip);
  return {
    symbol,
    side,
    entry: round(entry),
    stop_loss: round(entry - dir * stopPips * pip),
    take_profit: [round(entry + dir * stopPips * 0.8 * pip), round(entry + dir * stopPips * 1.2 * pip)],
    expires_at: new Date(nowMs + 3 * 60_000).toISOString(),
    confidence: 70 + ((n * 7) % 25),
    shield_score: 6 + ((n * 3) % 4),
    shield_notes: NOTES[n % NOTES.length],
    pattern: PATTERNS[n % PATTERNS.length],
    session: "LONDON",
  };
}

/**
 * Local mode's demo admin: an owner (every staff right) in the bot, so `/signal`, `/signals`,
 * `/update`, `/stats`… can be tried in the console on `/local` without a Telegram account.
 */
export const DEMO_ADMIN = { id: 1000, first_name: "Dana", username: "dana_admin" } as const;

/** The group local mode posts signal alerts to when ALERT_CHAT_IDS is empty. */
export const DEMO_GROUP = { id: -1001000000001, title: "Sortie demo group" } as const;

/** Who the bot is in local mode (what its getMe answers). */
export const DEMO_BOT = { id: 7000000001, first_name: "Sortie", username: "sortie_local_bot" } as const;
