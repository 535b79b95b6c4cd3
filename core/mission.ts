import type { Refusal } from "./errors.ts";
import { bridgeOnline, decideFire } from "./fire-policy.ts";
import { resolveSpec, type TerminalSymbolSpec } from "./instruments.ts";
import type { Rates } from "./money.ts";
import { signalStatus } from "./signal.ts";
import { computePosition, type Position } from "./sizing.ts";
import { firesLeftToday, tierRule } from "./tiers.ts";
import type { BridgeState, Overlay, Signal, SignalStatus } from "./types.ts";

export interface MissionInput<F> {
  signal: Signal;
  overlay: Overlay;
  /** The terminal's spec for this symbol, when it reported one. */
  terminalSpec: TerminalSymbolSpec | null;
  /** Latest prices known for conversion (terminal feed); the signal's own entry fills gaps. */
  rates: Rates;
  fire: F | null;
  fireCount: number;
  firesToday: number;
  bridge: BridgeState;
  nowMs: number;
  staleMs: number;
}

export interface MissionUser {
  id: number;
  tier: Overlay["tier"];
  balance: number | null;
  equity: number | null;
  currency: string | null;
  risk_percent: number;
  daily_limit: number | null;
  fires_today: number;
  fires_left_today: number | null;
}

export interface Mission<F> {
  signal: Signal;
  status: SignalStatus;
  user: MissionUser;
  position: Position & { spec_source: "terminal" | "default" };
  fire: F | null;
  fire_count: number;
  expires_in_s: number;
  bridge: { linked: boolean; online: boolean; last_seen: string | null; trade_allowed: boolean };
  can_fire: boolean;
  fire_block: Refusal | null;
}

/** The user part of a mission (and of `/api/me`). */
export function missionUser(overlay: Overlay, firesToday: number): MissionUser {
  return {
    id: overlay.id,
    tier: overlay.tier,
    balance: overlay.balance,
    equity: overlay.equity,
    currency: overlay.currency,
    risk_percent: overlay.risk_percent,
    daily_limit: tierRule(overlay.tier).dailyFireLimit,
    fires_today: firesToday,
    fires_left_today: firesLeftToday(overlay.tier, firesToday),
  };
}

/** The bridge part of a mission. */
export function bridgeView(bridge: BridgeState, nowMs: number, staleMs: number): Mission<unknown>["bridge"] {
  return {
    linked: bridge.linked,
    online: bridgeOnline(bridge, nowMs, staleMs),
    last_seen: bridge.lastSeenMs === null ? null : new Date(bridge.lastSeenMs).toISOString(),
    trade_allowed: bridge.tradeAllowed,
  };
}

/** Sizing for one user and one signal (used by the mission and by the fire route alike). */
export function positionFor(
  signal: Signal,
  overlay: Overlay,
  terminalSpec: TerminalSymbolSpec | null,
  rates: Rates,
): Position & { spec_source: "terminal" | "default" } {
  const resolved = resolveSpec(signal.symbol, terminalSpec, overlay.currency);
  if (!resolved) throw new Error(`no instrument spec for ${signal.symbol}`);
  // The signal's own entry is a usable rate for its own pair (USDJPY at 150 converts JPY to USD).
  const allRates: Rates = rates[signal.symbol] !== undefined ? rates : { ...rates, [signal.symbol]: signal.entry };
  const position = computePosition({
    side: signal.side,
    entry: signal.entry,
    stopLoss: signal.stop_loss,
    takeProfits: signal.take_profit,
    balance: overlay.balance,
    accountCurrency: overlay.currency,
    riskPercent: overlay.risk_percent,
    spec: resolved.spec,
    rates: allRates,
  });
  return { ...position, spec_source: resolved.source };
}

/**
 * A signal as one user sees it: signal + overlay + sizing + fire state, computed on request and
 * never stored. `fire_block` is the first fire check that would refuse (null when FIRE would go).
 */
export function buildMission<F>(input: MissionInput<F>): Mission<F> {
  const { signal, overlay, nowMs } = input;
  const status = signalStatus(signal, nowMs);
  const position = positionFor(signal, overlay, input.terminalSpec, input.rates);
  const decision = decideFire({
    signalStatus: status,
    minTier: signal.min_tier,
    tier: overlay.tier,
    firesToday: input.firesToday,
    bridge: input.bridge,
    nowMs,
    staleMs: input.staleMs,
    lots: position.lots,
    sizeReason: position.reason,
  });
  const fireBlock = decision.ok ? null : decision.refusal;
  return {
    signal: { ...signal, status },
    status,
    user: missionUser(overlay, input.firesToday),
    position,
    fire: input.fire,
    fire_count: input.fireCount,
    expires_in_s: Math.max(0, Math.floor((Date.parse(signal.expires_at) - nowMs) / 1000)),
    bridge: bridgeView(input.bridge, nowMs, input.staleMs),
    can_fire: fireBlock === null && input.fire === null,
    fire_block: fireBlock,
  };
}
