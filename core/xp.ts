/**
 * Experience points, a simple documented rule:
 * - a filled order: +10 XP (showing up and executing),
 * - a closed trade: +5 XP, plus +20 XP when it closed in profit,
 * - nothing is ever taken away (losing trades still teach).
 * Ranks by total XP: Recruit 0, Cadet 50, Pilot 150, Ace 400, Commander 1000, Legend 2500.
 */
export const XP_RULES = { filled: 10, closed: 5, win: 20 } as const;

const RANKS: ReadonlyArray<readonly [number, string]> = [
  [2500, "Legend"],
  [1000, "Commander"],
  [400, "Ace"],
  [150, "Pilot"],
  [50, "Cadet"],
  [0, "Recruit"],
];

/** XP earned when a trade closes with `profit`. */
export function xpForClose(profit: number): number {
  return XP_RULES.closed + (profit > 0 ? XP_RULES.win : 0);
}

/** The rank name for a total XP. */
export function rankFor(xp: number): string {
  return RANKS.find(([threshold]) => xp >= threshold)?.[1] ?? "Recruit";
}
