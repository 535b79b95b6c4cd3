import { lots, money } from "./format.ts";
import type { LiveMission } from "./hooks/useMission.ts";
import type { Block } from "./types.ts";

/** Telegram's MainButton has room for a short line: each refusal's own words, the page says why. */
const BLOCK_LABEL: Record<string, string> = {
  SIGNAL_EXPIRED: "MISSION EXPIRED",
  SIGNAL_CANCELLED: "MISSION CALLED OFF",
  LIMIT_REACHED: "DAILY LIMIT REACHED",
  FORBIDDEN: "NOT FOR YOUR TIER",
  BRIDGE_NOT_LINKED: "LINK YOUR TERMINAL FIRST",
  BRIDGE_OFFLINE: "TERMINAL OFFLINE",
  SYMBOL_UNAVAILABLE: "SYMBOL NOT AT YOUR BROKER",
  SIZE_TOO_SMALL: "SIZE BELOW THE BROKER MINIMUM",
};

/** A refusal as the MainButton shows it: its label, or its message cut at a word with "…". */
export function blockLabel(block: Block): string {
  const label = BLOCK_LABEL[block.code];
  if (label) return label;
  if (block.message.length <= 60) return block.message;
  const cut = block.message.slice(0, 59);
  const space = cut.lastIndexOf(" ");
  return `${(space > 30 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * What FIRE sends, in lots and money at risk: the first terminal's position, or with several
 * terminals every one that can trade (each sized on its own account, CONTRACT.md).
 */
export function firePlan(mission: Pick<LiveMission, "position" | "user" | "terminals">): {
  lots: number;
  risk: string;
  terminals: string | null;
} {
  const { position, user } = mission;
  const sending = (mission.terminals ?? []).filter((t) => t.reason === null && t.lots > 0);
  if (sending.length < 2)
    return { lots: position.lots, risk: money(position.risk_amount, user.currency), terminals: null };
  const total = Math.round(sending.reduce((sum, t) => sum + t.lots, 0) * 1e8) / 1e8;
  const currencies = new Set(sending.map((t) => t.currency ?? user.currency));
  const risk =
    currencies.size === 1
      ? money(
          sending.reduce((sum, t) => sum + t.risk_amount, 0),
          [...currencies][0],
        )
      : sending.map((t) => money(t.risk_amount, t.currency ?? user.currency)).join(" + ");
  return {
    lots: total,
    risk,
    terminals: sending.map((t) => `${t.name} ${lots(t.lots)}`).join(" · "),
  };
}
