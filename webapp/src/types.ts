/** JSON shapes the server returns (docs/API.md). Types only: nothing here reaches the bundle. */

import type { Signal as CoreSignal, FireState, Side, SignalStatus } from "../../core/types.ts";

export type { FireState, Side };
export type MissionStatus = SignalStatus;
/** The shared signal exactly as the server stores and sends it. */
export type Signal = CoreSignal;

export interface UserOverlay {
  id: number;
  first_name?: string;
  username?: string | null;
  tier: string;
  balance: number | null;
  equity: number | null;
  currency: string | null;
  risk_percent: number;
  daily_limit: number | null;
  fires_today: number;
  fires_left_today: number | null;
}

export interface Reward {
  take_profit: number;
  pips: number;
  amount: number;
  risk_reward: number;
  lots: number;
}

export interface Position {
  lots: number;
  risk_amount: number;
  reward_amount: number;
  stop_pips: number;
  target_pips: number;
  risk_reward: number;
  pip_value: number;
  risk_money?: number;
  rewards?: Reward[];
  reason?: string | null;
  spec_source?: string;
  digits?: number;
}

export interface Bridge {
  linked?: boolean;
  online: boolean;
  last_seen: string | null;
  trade_allowed?: boolean;
}

export interface Leg {
  id: string;
  leg: number;
  volume: number;
  take_profit: number | null;
  state: FireState;
  price: number | null;
  /** Where the leg closed (null while open). */
  close_price?: number | null;
  message: string | null;
  profit: number | null;
}

export interface Fire {
  id: string;
  signal_id: string;
  state: FireState;
  lots: number;
  symbol: string;
  side: Side;
  /** Money the fire's lots risk at the stop, as sized when fired. */
  risk_amount?: number | null;
  /** A filled fire's money at risk at the stops its positions have now (GET /api/me/fires): 0 at breakeven. */
  open_risk?: number | null;
  legs?: Leg[];
  fill_price: number | null;
  slippage_pips: number | null;
  latency_ms?: number | null;
  profit: number | null;
  message: string | null;
  created_at: string;
  updated_at?: string;
  closed_at?: string | null;
  terminals?: FireTerminal[];
}

export interface Link {
  title: string;
  url: string;
}

export interface Block {
  code: string;
  message: string;
}

export interface Mission {
  signal: Signal;
  status: MissionStatus;
  user: UserOverlay;
  position: Position;
  fire: Fire | null;
  fire_count: number;
  expires_in_s: number;
  bridge: Bridge;
  note?: string | null;
  links?: Link[];
  can_fire?: boolean;
  fire_block?: Block | null;
  /** Several terminals per trader: each terminal's sizing. */
  terminals?: MissionTerminal[];
}

/** A terminal as the mission shows it: the server's own type. */
export type MissionTerminal = import("../../core/terminals.ts").MissionTerminal;

/** One terminal's part of a fire. */
export interface FireTerminal {
  id: string;
  name: string;
  status: "sent" | "skipped";
  state: string;
  lots: number;
  fill_price: number | null;
  filled_volume: number | null;
  message: string | null;
  reason: string | null;
}

export interface Stats {
  user_id: number;
  trades: number;
  wins: number;
  losses: number;
  win_rate: number | null;
  pnl: number;
  pnl_7d?: number;
  xp?: number;
  rank?: string;
  fires?: number;
  fires_today?: number;
}

export interface Me {
  user: UserOverlay;
  bridge: Bridge;
  stats?: Stats;
  /** Settings beyond risk: the weekly summary DM (on by default). */
  settings?: { weekly_summary: boolean };
  app?: { local_mode?: boolean; bot_username?: string | null; links?: Link[] };
}

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export interface FireResult {
  fire: Fire;
  duplicate?: boolean;
}

export type HistoryFire = Fire & { signal?: Signal };

/** `GET /api/users/:id/performance` (docs/track-record.md): core's body plus the route's additions. */
export type Performance = import("../../core/track-record/present.ts").PerformanceBody & {
  user_id: number;
  currency: string | null;
  r_histogram: Array<{ from: number; to: number; count: number }>;
};
/** One of the trader's terminals (GET /api/me/terminals): the server's own view type. */
export type Terminal = import("../../core/terminals.ts").TerminalView;

export type { FirePositions, ManageBody, PositionCommand, TimelineEntry, TradeRequest } from "./trade-types.ts";
