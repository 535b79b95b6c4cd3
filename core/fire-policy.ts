import type { Refusal } from "./errors.ts";
import { firesLeftToday, tierAllows, tierRule } from "./tiers.ts";
import type { BridgeState, SignalStatus, Tier } from "./types.ts";

export interface FireContext {
  signalStatus: SignalStatus;
  minTier: Tier;
  tier: Tier;
  firesToday: number;
  bridge: BridgeState;
  nowMs: number;
  /** A bridge silent for longer than this is offline (HEARTBEAT_STALE_S). */
  staleMs: number;
  /** Why this trader's terminal cannot trade the symbol (null when it can). */
  symbolUnavailable: string | null;
  lots: number;
  sizeReason: string | null;
}

export type FireDecision = { ok: true } | { ok: false; refusal: Refusal };

const refuse = (refusal: Refusal): FireDecision => ({ ok: false, refusal });

/** True when the terminal has been heard from within `staleMs` and allows trading. */
export function bridgeOnline(bridge: BridgeState, nowMs: number, staleMs: number): boolean {
  return bridge.linked && bridge.lastSeenMs !== null && nowMs - bridge.lastSeenMs <= staleMs;
}

/** The refusal of a fire on a cancelled signal (also when the cancel lands between check and commit). */
export const CANCELLED = {
  code: "SIGNAL_CANCELLED",
  message: "This signal was cancelled; it can no longer be fired.",
} as const satisfies Refusal;

/**
 * The fire checks of the contract, in its order: signal cancelled/expired (410), tier (403),
 * daily limit (403), bridge linked (409) and online (503), symbol offered by the trader's
 * terminal (409), size ≥ minimum (422). The existence
 * check (404) and the duplicate short-cut come before this and belong to the caller.
 */
export function decideFire(ctx: FireContext): FireDecision {
  if (ctx.signalStatus === "cancelled") return refuse(CANCELLED);
  if (ctx.signalStatus === "expired") {
    return refuse({ code: "SIGNAL_EXPIRED", message: "This signal has expired; it can no longer be fired." });
  }
  if (!tierAllows(ctx.tier, ctx.minTier)) {
    return refuse({
      code: "FORBIDDEN",
      message: `This signal is for ${tierRule(ctx.minTier).label} tier and above; you are ${tierRule(ctx.tier).label}.`,
    });
  }
  if (firesLeftToday(ctx.tier, ctx.firesToday) === 0) {
    const limit = tierRule(ctx.tier).dailyFireLimit;
    return refuse({
      code: "LIMIT_REACHED",
      message: `Daily limit reached: ${limit} fires per day for ${tierRule(ctx.tier).label} tier. It resets at 00:00 UTC.`,
    });
  }
  if (!ctx.bridge.linked) {
    return refuse({
      code: "BRIDGE_NOT_LINKED",
      message: "No MT5 terminal linked. Get a bridge token in your profile (or /link in the bot) and install the EA.",
    });
  }
  if (!bridgeOnline(ctx.bridge, ctx.nowMs, ctx.staleMs)) {
    return refuse({
      code: "BRIDGE_OFFLINE",
      message: "Your MT5 terminal is offline: start it with the Sortie EA attached, then try again.",
    });
  }
  if (!ctx.bridge.tradeAllowed) {
    return refuse({
      code: "BRIDGE_OFFLINE",
      message: "Your MT5 terminal reports trading is not allowed: enable Algo Trading, then try again.",
    });
  }
  if (ctx.symbolUnavailable !== null) {
    return refuse({ code: "SYMBOL_UNAVAILABLE", message: ctx.symbolUnavailable });
  }
  if (ctx.lots <= 0) {
    return refuse({ code: "SIZE_TOO_SMALL", message: ctx.sizeReason ?? "Position size is below the broker minimum." });
  }
  return { ok: true };
}
