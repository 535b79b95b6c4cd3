import { combineLegStates } from "../core/fire-state.ts";
import { DEFAULT_SPECS } from "../core/instruments/index.ts";
import { LEG_BLOCK } from "../core/legs.ts";
import type { LegState, Signal, Tier } from "../core/types.ts";

/** A `signals` row as stored. */
export interface SignalRow {
  id: string;
  symbol: string;
  side: "BUY" | "SELL";
  entry: number;
  stop_loss: number;
  take_profit: string;
  expires_at: string;
  expires_ms: number;
  confidence: number | null;
  shield_score: number | null;
  shield_notes: string | null;
  pattern: string | null;
  session: string | null;
  min_tier: Tier;
  status: "active" | "cancelled";
  created_at: string;
  created_ms: number;
  cancelled_at: string | null;
  source: string;
  created_by: string | null;
  idempotency_key: string | null;
  body_hash: string | null;
  /** Quote digits (migration 0005); null on older rows and for built-in symbols' defaults. */
  digits?: number | null;
  breakeven_after_tp1?: number;
}

/** A `users` row as stored. */
export interface UserRow {
  id: number;
  first_name: string | null;
  last_name: string | null;
  username: string | null;
  tier: Tier;
  risk_percent: number;
  balance: number | null;
  equity: number | null;
  currency: string | null;
  account_login: string | null;
  account_server: string | null;
  trade_allowed: number;
  bridge_seen_ms: number | null;
  bridge_offline_notified: number;
  dm_status: "unknown" | "ok" | "unreachable";
  trades: number;
  wins: number;
  losses: number;
  pnl: number;
  xp: number;
  created_at: string;
  updated_at: string;
}

/** Maps a stored signal row to the domain Signal (status as stored; expiry is the reader's). */
export function toSignal(row: SignalRow): Signal {
  return {
    id: row.id,
    symbol: row.symbol,
    side: row.side,
    entry: row.entry,
    stop_loss: row.stop_loss,
    take_profit: JSON.parse(row.take_profit) as number[],
    expires_at: row.expires_at,
    confidence: row.confidence,
    shield_score: row.shield_score,
    shield_notes: row.shield_notes,
    pattern: row.pattern,
    session: row.session,
    min_tier: row.min_tier,
    status: row.status,
    created_at: row.created_at,
    cancelled_at: row.cancelled_at,
    source: row.source,
    digits: row.digits ?? DEFAULT_SPECS.get(row.symbol)?.digits ?? 5,
    breakeven_after_tp1: row.breakeven_after_tp1 === 1,
  };
}

/**
 * SQL expression building a fire as the API shows it (with its legs), from alias `f`.
 * Kept in SQL so a mission reads its fire in the same statement as the overlay.
 */
export const FIRE_JSON = `json_object(
  'id', f.id, 'signal_id', f.signal_id, 'user_id', f.user_id, 'state', f.state, 'lots', f.lots,
  'symbol', f.symbol, 'broker_symbol', f.broker_symbol, 'side', f.side, 'risk_amount', f.risk_amount,
  'fill_price', f.fill_price, 'slippage_pips', f.slippage_pips, 'latency_ms', f.latency_ms,
  'profit', f.profit, 'message', f.message, 'xp_awarded', f.xp_awarded, 'created_at', f.created_at,
  'updated_at', f.updated_at, 'closed_at', f.closed_at,
  'legs', (SELECT json_group_array(json_object(
      'id', c.id, 'leg', c.leg % ${LEG_BLOCK}, 'volume', json_extract(c.payload, '$.volume'), 'filled_volume', c.volume,
      'take_profit', json_extract(c.payload, '$.take_profit'), 'state', c.state, 'price', c.price,
      'ticket', c.ticket, 'retcode', c.retcode, 'message', c.message, 'close_price', c.close_price,
      'profit', c.profit, 'closed_at', c.closed_at, 'deliveries', c.deliveries, 'bridge_user_id', c.user_id))
    FROM (SELECT * FROM bridge_commands WHERE fire_id = f.id ORDER BY leg) c),
  'terminals', (SELECT json_group_array(json_object('id', t.terminal_id, 'name', t.name, 'status', t.status,
      'lots', t.lots, 'risk_amount', t.risk_amount, 'reason', t.reason, 'bridge_user_id', t.bridge_user_id))
    FROM (SELECT * FROM fire_terminals WHERE fire_id = f.id ORDER BY position) t))`;

/** A fire as the API shows it. */
export interface FireView {
  id: string;
  signal_id: string;
  user_id: number;
  state: string;
  lots: number;
  symbol: string;
  broker_symbol: string;
  side: "BUY" | "SELL";
  risk_amount: number | null;
  fill_price: number | null;
  slippage_pips: number | null;
  latency_ms: number | null;
  profit: number | null;
  message: string | null;
  xp_awarded: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  legs: Array<{
    id: string;
    leg: number;
    volume: number;
    /** Lots the terminal reported as filled (null until it answered; the API shows `volume`). */
    filled_volume?: number | null;
    take_profit: number | null;
    state: string;
    price: number | null;
    ticket: string | null;
    retcode: number | null;
    message: string | null;
    close_price: number | null;
    profit: number | null;
    closed_at: string | null;
    deliveries: number;
    /** The terminal's `users` row it went to (internal; several terminals per trader). */
    bridge_user_id?: number;
  }>;
  /** Several terminals per trader: each terminal's part of the fire (empty for a single terminal). */
  terminals?: FireTerminalView[];
}

/** One terminal's part of a fire: its legs' combined state, or `skipped` with the reason. */
export interface FireTerminalView {
  id: string;
  name: string;
  status: "sent" | "skipped";
  state: string;
  lots: number;
  risk_amount: number;
  fill_price: number | null;
  filled_volume: number | null;
  message: string | null;
  reason: string | null;
  bridge_user_id?: number;
}

/** Parses the JSON produced by FIRE_JSON (each terminal's state combined from its own legs). */
export function parseFire(json: string | null | undefined): FireView | null {
  return json ? withTerminalParts(JSON.parse(json) as FireView) : null;
}

/** Combines each terminal's part of a fire from its own legs (both engines' fire JSON). */
export function withTerminalParts(fire: FireView): FireView {
  if (fire.terminals && fire.terminals.length > 0) fire.terminals = fire.terminals.map((t) => terminalPart(fire, t));
  return fire;
}

function terminalPart(fire: FireView, t: FireTerminalView): FireTerminalView {
  if (t.status === "skipped") return { ...t, state: "skipped", fill_price: null, filled_volume: null, message: null };
  const legs = fire.legs.filter((l) => l.bridge_user_id === t.bridge_user_id);
  const filled = legs.filter((l) => l.price !== null && (l.state === "filled" || l.state === "closed"));
  const volume = filled.reduce((sum, l) => sum + (l.filled_volume ?? l.volume), 0);
  // The terminal's fill price is its filled legs' volume-weighted average.
  const weighted = filled.reduce((sum, l) => sum + l.price! * (l.filled_volume ?? l.volume), 0);
  return {
    ...t,
    state: combineLegStates(legs.map((l) => l.state as LegState)),
    fill_price: filled.length > 0 && volume > 0 ? weighted / volume : null,
    filled_volume: filled.length > 0 ? Math.round(volume * 1e8) / 1e8 : null,
    message: legs.find((l) => l.message)?.message ?? null,
  };
}

/**
 * Whether the terminal allows trading. Only a heartbeat reports it (`account.trade_allowed`); a
 * terminal heard from only through polls has not said no, so it counts as allowed (CONTRACT.md:
 * a heartbeat saying false refuses fires "until one says true").
 */
export function tradeAllowedOf(user: Pick<UserRow, "trade_allowed" | "account_login">): boolean {
  return user.account_login === null || user.trade_allowed === 1;
}
