/** Shared domain types. Plain data only: no classes, no I/O. */

export type Side = "BUY" | "SELL";
export type Tier = "NIBBLER" | "FANG" | "COMMANDER" | "APEX";
export type SignalStatus = "active" | "expired" | "cancelled";
export type FireState = "queued" | "delivered" | "filled" | "rejected" | "failed" | "expired" | "closed";
export type LegState = FireState;

/** A trade idea, shared by everyone. Stored once, never copied per user. */
export interface Signal {
  id: string;
  symbol: string;
  side: Side;
  entry: number;
  stop_loss: number;
  take_profit: number[];
  expires_at: string;
  confidence: number | null;
  shield_score: number | null;
  shield_notes: string | null;
  pattern: string | null;
  session: string | null;
  min_tier: Tier;
  /** Stored as "active" or "cancelled"; readers see "expired" past `expires_at` (see `signalStatus`). */
  status: SignalStatus;
  created_at: string;
  cancelled_at: string | null;
  source: string;
  /** Automatic breakeven update when a leg-1 position closes in profit (once per signal). */
  breakeven_after_tp1?: boolean;
  /** Decimals the symbol's prices are quoted with (display precision; from the built-in spec). */
  digits?: number;
}

/** Per-user data that personalises a signal. */
export interface Overlay {
  id: number;
  tier: Tier;
  balance: number | null;
  equity: number | null;
  currency: string | null;
  risk_percent: number;
}

/** A broker's symbol specification (from the terminal, or a built-in default). */
export interface InstrumentSpec {
  symbol: string;
  /** Size of one pip in price units (0.0001 for EURUSD, 0.01 for USDJPY, 0.1 for XAUUSD). */
  pipSize: number;
  contractSize: number;
  tickSize: number;
  /**
   * Money value of one tick for one lot, in `tickValueCurrency`. A terminal reports it already in
   * the account currency; defaults are in the quote currency.
   */
  tickValue: number;
  tickValueCurrency: string;
  volumeMin: number;
  volumeStep: number;
  volumeMax: number;
  quoteCurrency: string;
  baseCurrency: string;
  digits: number;
}

/** Bridge liveness as the fire policy needs it. */
export interface BridgeState {
  linked: boolean;
  lastSeenMs: number | null;
  tradeAllowed: boolean;
}
