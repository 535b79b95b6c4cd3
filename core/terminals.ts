import type { Refusal } from "./errors.ts";
import { bridgeOnline, decideFire, type FireContext } from "./fire-policy.ts";
import { DEFAULT_SPECS, type TerminalSymbolSpec } from "./instruments/index.ts";
import { positionFor, symbolUnavailableReason } from "./mission.ts";
import type { Rates } from "./money.ts";
import type { Position } from "./sizing.ts";
import type { BridgeState, Overlay, Signal } from "./types.ts";

/** Allocation bounds (CONTRACT.md): a multiplier of the trader's risk % on one terminal. */
export const ALLOCATION_MIN = 0;
export const ALLOCATION_MAX = 5;

/** One of a trader's terminals as the API shows it (`GET /api/me/terminals`; the Mini App reads the same type). */
export interface TerminalView {
  id: string;
  name: string;
  allocation: number;
  enabled: boolean;
  online: boolean;
  last_seen: string | null;
  first: boolean;
  account: {
    login: string | null;
    server: string | null;
    currency: string | null;
    balance: number | null;
    equity: number | null;
    trade_allowed: boolean;
  } | null;
  stats: { fills: number; trades: number; wins: number; pnl: number; xp: number };
}

/** One of a trader's terminals as sizing needs it: its own account, specs and liveness. */
export interface TerminalInput {
  id: string;
  name: string;
  enabled: boolean;
  allocation: number;
  bridge: BridgeState;
  /** Balance and currency as this terminal reported them. */
  balance: number | null;
  currency: string | null;
  terminalSpec: TerminalSymbolSpec | null;
  rates: Rates;
}

/** What a fire would do on one terminal. */
export interface TerminalPlan {
  id: string;
  name: string;
  enabled: boolean;
  online: boolean;
  lots: number;
  risk_amount: number;
  currency: string | null;
  /** Why this terminal would not trade (disabled, offline, size…), else null. */
  reason: string | null;
  /** The fire check that refuses this terminal (same codes as a single terminal), else null. */
  block: Refusal | null;
  position: Position;
  terminalSpec: TerminalSymbolSpec | null;
}

/** A terminal as the mission shows it (CONTRACT.md: id, name, online, lots, risk_amount, reason). */
export type MissionTerminal = Pick<
  TerminalPlan,
  "id" | "name" | "enabled" | "online" | "lots" | "risk_amount" | "currency" | "reason"
>;

/**
 * Sizes one signal on each of a trader's terminals: that terminal's balance and broker spec, the
 * trader's risk % times the terminal's allocation; and runs the fire checks per terminal (a
 * disabled one is never traded). `ctx` carries the checks shared by all terminals (signal, tier,
 * daily limit). Pure.
 */
export function planTerminals(
  signal: Signal,
  overlay: Overlay,
  terminals: readonly TerminalInput[],
  ctx: Omit<FireContext, "bridge" | "symbolUnavailable" | "lots" | "sizeReason">,
): TerminalPlan[] {
  const builtIn = DEFAULT_SPECS.has(signal.symbol);
  return terminals.map((t) => {
    const position = positionFor(
      signal,
      {
        ...overlay,
        balance: t.balance,
        equity: t.balance,
        currency: t.currency,
        risk_percent: overlay.risk_percent * t.allocation,
      },
      t.terminalSpec,
      t.rates,
    );
    const block: Refusal | null = !t.enabled
      ? { code: "BRIDGE_OFFLINE", message: `${t.name} is disabled.` }
      : t.allocation <= 0
        ? { code: "SIZE_TOO_SMALL", message: `${t.name} has allocation 0.` }
        : (() => {
            const decision = decideFire({
              ...ctx,
              bridge: t.bridge,
              symbolUnavailable: builtIn || t.terminalSpec !== null ? null : symbolUnavailableReason(signal.symbol),
              lots: position.lots,
              sizeReason: position.reason,
            });
            return decision.ok ? null : decision.refusal;
          })();
    return {
      id: t.id,
      name: t.name,
      enabled: t.enabled,
      online: bridgeOnline(t.bridge, ctx.nowMs, ctx.staleMs),
      lots: position.lots,
      risk_amount: position.risk_amount,
      currency: t.currency,
      reason: block === null ? null : shortReason(t, block, ctx.nowMs, ctx.staleMs),
      block,
      position,
      terminalSpec: t.terminalSpec,
    };
  });
}

/** Why one terminal is left out, in a few words for lists and DMs ("offline", "disabled"…). */
function shortReason(t: TerminalInput, block: Refusal, nowMs: number, staleMs: number): string {
  if (!t.enabled) return "disabled";
  if (!t.bridge.linked) return "not linked";
  if (!bridgeOnline(t.bridge, nowMs, staleMs)) return "offline";
  if (block.code === "BRIDGE_OFFLINE") return "trading not allowed in the terminal";
  return block.message;
}

/**
 * The mission's fire check over several terminals: FIRE goes when at least one terminal would
 * trade; otherwise the first enabled terminal's refusal (or, none enabled, that they are all
 * disabled). Signal, tier and limit refusals are the same on every terminal, so they come first.
 */
export function terminalsFireBlock(plans: readonly TerminalPlan[]): Refusal | null {
  if (plans.some((p) => p.block === null)) return null;
  const enabled = plans.filter((p) => p.enabled);
  if (enabled.length === 0) {
    return { code: "BRIDGE_NOT_LINKED", message: "All your terminals are disabled: enable one in your profile." };
  }
  const shared = enabled.find((p) => p.block && !/^(BRIDGE_|SYMBOL_|SIZE_)/.test(p.block.code));
  if (shared?.block) return shared.block;
  if (!enabled.some((p) => p.online)) {
    return { code: "BRIDGE_OFFLINE", message: "None of your terminals is online: start one with the Sortie EA." };
  }
  return enabled.find((p) => p.online)?.block ?? enabled[0]!.block;
}
