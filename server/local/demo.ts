import type { Quote } from "../../bridge/paper/index.ts";
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
  // For a USD account: EURUSD/GBPUSD ticks are $1 per lot; USDJPY's is 100 JPY ≈ $0.667 at 150.
  tick_value: jpy ? 100 / 150 : 1,
  volume_min: 0.01,
  volume_step: 0.01,
  volume_max: 100,
  contract_size: 100_000,
  digits: jpy ? 3 : 5,
});

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
const PATTERNS = ["LIQUIDITY_SWEEP_REVERSAL", "BREAK_AND_RETEST", "ORDER_BLOCK_BOUNCE", "TREND_CONTINUATION"];
const NOTES = [
  "Institutional accumulation detected below the Asian low.",
  "Clean retest of broken structure with rising volume.",
  "Daily order block respected twice; momentum turning.",
  "Higher-timeframe trend intact; pullback into value.",
];

/** A demo signal at the current market price: 20-pip stop, 1R and 2R targets, 15 minutes to live. */
export function demoSignal(n: number, quote: (symbol: string) => Quote | undefined, nowMs: number) {
  const symbols = Object.keys(DEMO_PRICES);
  const symbol = symbols[n % symbols.length]!;
  const q = quote(symbol) ?? DEMO_PRICES[symbol]!;
  const side = n % 2 === 0 ? "BUY" : "SELL";
  const pip = PIP[symbol]!;
  const digits = symbol === "USDJPY" ? 3 : symbol === "XAUUSD" ? 2 : 5;
  const round = (p: number) => Number(p.toFixed(digits));
  const entry = side === "BUY" ? q.ask : q.bid;
  const dir = side === "BUY" ? 1 : -1;
  return {
    symbol,
    side,
    entry: round(entry),
    stop_loss: round(entry - dir * 20 * pip),
    take_profit: [round(entry + dir * 20 * pip), round(entry + dir * 40 * pip)],
    expires_at: new Date(nowMs + 15 * 60_000).toISOString(),
    confidence: 70 + ((n * 7) % 25),
    shield_score: 6 + ((n * 3) % 4),
    shield_notes: NOTES[n % NOTES.length],
    pattern: PATTERNS[n % PATTERNS.length],
    session: "LONDON",
  };
}
