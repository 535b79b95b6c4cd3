import type { Refusal } from "./errors.ts";
import { bridgeOnline, decideFire } from "./fire-policy.ts";
import { DEFAULT_SPECS, resolveSpec, type TerminalSymbolSpec } from "./instruments/index.ts";
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
  position: Position;
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

let lastIsoMs = Number.NaN;
let lastIso = "";
/** ISO string of a timestamp, remembering the last one (terminals report the same second often). */
function isoOf(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** The bridge part of a mission. */
export function bridgeView(bridge: BridgeState, nowMs: number, staleMs: number): Mission<unknown>["bridge"] {
  return {
    linked: bridge.linked,
    online: bridgeOnline(bridge, nowMs, staleMs),
    last_seen: bridge.lastSeenMs === null ? null : isoOf(bridge.lastSeenMs),
    trade_allowed: bridge.tradeAllowed,
  };
}

/** Why a trader cannot size a symbol that is not built in: their terminal has not reported it. */
export function symbolUnavailableReason(symbol: string): string {
  return `Your MT5 terminal does not offer ${symbol}: add it to Market Watch (or ask your broker for it), then reopen this mission.`;
}

/** The position shown when the symbol cannot be sized for this trader (nothing to trade). */
function unavailablePosition(signal: Signal): Position {
  return {
    lots: 0,
    risk_amount: 0,
    risk_money: 0,
    reward_amount: 0,
    stop_pips: 0,
    target_pips: 0,
    risk_reward: 0,
    pip_value: 0,
    rewards: [],
    reason: symbolUnavailableReason(signal.symbol),
    spec_source: "terminal",
  };
}

/**
 * Sizing for one user and one signal (used by the mission and by the fire route alike). A symbol
 * that is not built in is sized only with the trader's own terminal's spec; without one the
 * position is empty and its reason says why.
 */
export function positionFor(
  signal: Signal,
  overlay: Overlay,
  terminalSpec: TerminalSymbolSpec | null,
  rates: Rates,
): Position {
  const resolved = resolveSpec(signal.symbol, terminalSpec, overlay.currency);
  if (!resolved) return unavailablePosition(signal);
  // The signal's own entry is a usable rate for its own pair (USDJPY at 150 converts JPY to USD);
  // only needed when the tick value is not already in the account currency.
  const needsRate = resolved.spec.tickValueCurrency !== overlay.currency && rates[signal.symbol] === undefined;
  const allRates: Rates = needsRate ? { ...rates, [signal.symbol]: signal.entry } : rates;
  return computePosition({
    side: signal.side,
    entry: signal.entry,
    stopLoss: signal.stop_loss,
    takeProfits: signal.take_profit,
    balance: overlay.balance,
    accountCurrency: overlay.currency,
    riskPercent: overlay.risk_percent,
    spec: resolved.spec,
    rates: allRates,
    specSource: resolved.source,
  });
}

/**
 * The per-user part of a mission input (the signal, clock and staleness are shared). `position`,
 * when given, is this user's sizing of this signal computed earlier from the same overlay,
 * terminal spec and rates (a caller that keeps overlays keeps their sizing with them).
 */
export type MissionOverlayInput<F> = Omit<MissionInput<F>, "signal" | "nowMs" | "staleMs"> & { position?: Position };

/**
 * Prepares the shared part of one signal's missions once (status, expiry, the default spec, its
 * rates) and returns a function that personalises it per user: the way to build many missions
 * of one signal cheaply (5,000 in a few ms; see BENCHMARKS.md).
 */
export function createMissionBuilder<F>(
  signal: Signal,
  nowMs: number,
  staleMs: number,
): (input: MissionOverlayInput<F>) => Mission<F> {
  const status = signalStatus(signal, nowMs);
  const expiresInS = Math.max(0, Math.floor((Date.parse(signal.expires_at) - nowMs) / 1000));
  const shown: Signal = status === signal.status ? signal : { ...signal, status };
  // A symbol that is not built in can only be traded where the trader's own terminal reported it.
  const builtIn = DEFAULT_SPECS.has(signal.symbol);
  return (input) => {
    const { overlay } = input;
    const position = input.position ?? positionFor(signal, overlay, input.terminalSpec, input.rates);
    const decision = decideFire({
      signalStatus: status,
      minTier: signal.min_tier,
      tier: overlay.tier,
      firesToday: input.firesToday,
      bridge: input.bridge,
      nowMs,
      staleMs,
      symbolUnavailable: builtIn || input.terminalSpec !== null ? null : symbolUnavailableReason(signal.symbol),
      lots: position.lots,
      sizeReason: position.reason,
    });
    const fireBlock = decision.ok ? null : decision.refusal;
    return {
      signal: shown,
      status,
      user: missionUser(overlay, input.firesToday),
      position,
      fire: input.fire,
      fire_count: input.fireCount,
      expires_in_s: expiresInS,
      bridge: bridgeView(input.bridge, nowMs, staleMs),
      can_fire: fireBlock === null && input.fire === null,
      fire_block: fireBlock,
    };
  };
}

/**
 * A signal as one user sees it: signal + overlay + sizing + fire state, computed on request and
 * never stored. `fire_block` is the first fire check that would refuse (null when FIRE would go).
 */
export function buildMission<F>(input: MissionInput<F>): Mission<F> {
  return createMissionBuilder<F>(input.signal, input.nowMs, input.staleMs)(input);
}
