import { canonicalSymbol, customSymbol, DEFAULT_SPECS } from "./instruments/index.ts";
import { roundTo } from "./money.ts";
import { DEFAULT_TIER, isTier, TIER_NAMES } from "./tiers.ts";
import type { Side, Signal, SignalStatus } from "./types.ts";

/** A signal as an admin, the API or a webhook submits it (already JSON, not yet trusted). */
export interface SignalInput {
  symbol?: unknown;
  side?: unknown;
  entry?: unknown;
  stop_loss?: unknown;
  take_profit?: unknown;
  expires_at?: unknown;
  expires_in_s?: unknown;
  expires_in_min?: unknown;
  confidence?: unknown;
  shield_score?: unknown;
  shield_notes?: unknown;
  pattern?: unknown;
  session?: unknown;
  min_tier?: unknown;
  /** Automatic breakeven when a leg-1 position closes in profit (CONTRACT.md, managing trades). */
  breakeven_after_tp1?: unknown;
}

/** A validated signal ready to store (id, status and timestamps are the store's). */
export type NewSignal = Omit<Signal, "id" | "status" | "created_at" | "cancelled_at" | "source">;

export type SignalValidation = { ok: true; value: NewSignal } | { ok: false; field: string; message: string };

const MAX_TAKE_PROFITS = 5;

class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The highest price a signal or an update may carry: far above any instrument's (BTCJPY is ~1.5e7),
 * and low enough that rounding to the symbol's digits stays finite (1e308 × 10^5 is Infinity).
 */
export const MAX_PRICE = 1e9;

function price(value: unknown, field: string): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) throw new FieldError(field, `${field} must be a number`);
  if (n <= 0) throw new FieldError(field, `${field} must be greater than 0`);
  if (n > MAX_PRICE) throw new FieldError(field, `${field} must be at most ${MAX_PRICE.toLocaleString("en-US")}`);
  return n;
}

function optionalRange(value: unknown, field: string, min: number, max: number): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new FieldError(field, `${field} must be a number`);
  if (value < min || value > max) throw new FieldError(field, `${field} must be between ${min} and ${max}`);
  return value;
}

function optionalText(value: unknown, field: string, maxLength: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new FieldError(field, `${field} must be a string`);
  const text = value.trim();
  if (text.length > maxLength) throw new FieldError(field, `${field} must be at most ${maxLength} characters`);
  return text === "" ? null : text;
}

function side(value: unknown): Side {
  const text = typeof value === "string" ? value.trim().toUpperCase() : "";
  if (text === "BUY" || text === "LONG") return "BUY";
  if (text === "SELL" || text === "SHORT") return "SELL";
  throw new FieldError("side", "side must be BUY or SELL");
}

/** The furthest expiry a signal may have: a swing trade's weeks, not a typo's 99,999 days. */
export const MAX_EXPIRY_DAYS = 90;

function expiry(input: SignalInput, nowMs: number): string {
  let atMs: number;
  let field = "expires_at";
  if (input.expires_at !== undefined && input.expires_at !== null) {
    const parsed = typeof input.expires_at === "string" ? Date.parse(input.expires_at) : Number.NaN;
    if (Number.isNaN(parsed)) throw new FieldError("expires_at", "expires_at must be an ISO-8601 date-time");
    atMs = parsed;
  } else if (input.expires_in_s !== undefined || input.expires_in_min !== undefined) {
    field = input.expires_in_s !== undefined ? "expires_in_s" : "expires_in_min";
    const amount = input.expires_in_s !== undefined ? input.expires_in_s : input.expires_in_min;
    if (typeof amount !== "number" || !Number.isFinite(amount))
      throw new FieldError(field, `${field} must be a number`);
    atMs = nowMs + amount * (field === "expires_in_s" ? 1000 : 60_000);
    // A Date holds at most 8.64e15 ms; beyond it toISOString() throws (a 500 for e.g. 1e300 minutes).
    if (atMs > 8.64e15) throw new FieldError(field, `${field} is too far in the future`);
  } else {
    throw new FieldError("expires_at", "expires_at is required");
  }
  if (atMs <= nowMs) throw new FieldError("expires_at", "expires_at must be in the future");
  if (atMs > nowMs + MAX_EXPIRY_DAYS * 86_400_000) {
    throw new FieldError(field, `${field} must be at most ${MAX_EXPIRY_DAYS} days ahead`);
  }
  return new Date(atMs).toISOString();
}

function takeProfits(value: unknown): number[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if (list.length === 0) throw new FieldError("take_profit", "take_profit needs at least one price");
  if (list.length > MAX_TAKE_PROFITS)
    throw new FieldError("take_profit", `take_profit allows at most ${MAX_TAKE_PROFITS} prices`);
  return list.map((tp) => price(tp, "take_profit"));
}

/**
 * What validation needs to know beyond the input: the digits of a symbol that is not built in,
 * as some linked terminal reported it (null when no terminal has reported it).
 */
export interface SymbolLookup {
  reportedDigits(symbol: string): number | null;
}

/** The signal's symbol and its quote digits: built in, or reported by a linked terminal. */
function knownSymbol(raw: string, lookup: SymbolLookup | undefined): { symbol: string; digits: number } {
  const builtIn = canonicalSymbol(raw);
  if (builtIn) return { symbol: builtIn, digits: DEFAULT_SPECS.get(builtIn)?.digits ?? 5 };
  const custom = customSymbol(raw);
  const digits = custom ? (lookup?.reportedDigits(custom) ?? null) : null;
  if (custom && digits !== null) return { symbol: custom, digits };
  throw new FieldError(
    "symbol",
    `unknown symbol ${JSON.stringify(raw.slice(0, 32))}: not built in, and no linked terminal has reported it`,
  );
}

/**
 * Validates a submitted signal: known symbol (built in, or reported by a linked terminal), side, prices, geometry (a BUY has stop_loss < entry <
 * every take-profit, a SELL the reverse), expiry in the future, confidence 0–100, shield score 0–10.
 * Errors name the first offending field. Take-profits come back nearest first.
 */
export function validateSignal(input: SignalInput, nowMs: number, lookup?: SymbolLookup): SignalValidation {
  try {
    if (typeof input.symbol !== "string" || input.symbol.trim() === "") {
      throw new FieldError("symbol", "symbol is required");
    }
    const { symbol, digits } = knownSymbol(input.symbol, lookup);
    const direction = side(input.side);
    // Prices at the symbol's digits: 1.0852499999999998 from a script is stored as 1.08525.
    const entry = roundTo(price(input.entry, "entry"), digits);
    const stopLoss = roundTo(price(input.stop_loss, "stop_loss"), digits);
    const targets = takeProfits(input.take_profit).map((tp) => roundTo(tp, digits));
    const buy = direction === "BUY";
    if (buy ? !(stopLoss < entry) : !(stopLoss > entry)) {
      throw new FieldError("stop_loss", `a ${direction} needs stop_loss ${buy ? "below" : "above"} entry`);
    }
    if (targets.some((tp) => (buy ? !(tp > entry) : !(tp < entry)))) {
      throw new FieldError("take_profit", `a ${direction} needs every take_profit ${buy ? "above" : "below"} entry`);
    }
    const minTier = input.min_tier === undefined || input.min_tier === null ? DEFAULT_TIER : input.min_tier;
    if (!isTier(minTier)) throw new FieldError("min_tier", `min_tier must be one of ${TIER_NAMES.join(", ")}`);
    const breakeven = input.breakeven_after_tp1;
    if (breakeven !== undefined && breakeven !== null && typeof breakeven !== "boolean") {
      throw new FieldError("breakeven_after_tp1", "breakeven_after_tp1 must be true or false");
    }
    const value: NewSignal = {
      symbol,
      side: direction,
      entry,
      stop_loss: stopLoss,
      take_profit: [...targets].sort((a, b) => Math.abs(a - entry) - Math.abs(b - entry)),
      expires_at: expiry(input, nowMs),
      confidence: optionalRange(input.confidence, "confidence", 0, 100),
      shield_score: optionalRange(input.shield_score, "shield_score", 0, 10),
      shield_notes: optionalText(input.shield_notes, "shield_notes", 2000),
      pattern: optionalText(input.pattern, "pattern", 64),
      session: optionalText(input.session, "session", 64),
      min_tier: minTier,
      digits,
      breakeven_after_tp1: breakeven === true,
    };
    return { ok: true, value };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, field: err.field, message: err.message };
    throw err;
  }
}

/** The status a reader sees: a stored "active" signal past its expiry reads "expired". */
export function signalStatus(signal: Pick<Signal, "status" | "expires_at">, nowMs: number): SignalStatus {
  if (signal.status === "cancelled") return "cancelled";
  return Date.parse(signal.expires_at) <= nowMs ? "expired" : "active";
}
