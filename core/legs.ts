/**
 * A fire's legs over several terminals. Legs of terminal k (0-based, in the trader's order) are
 * stored as leg `k × LEG_BLOCK + n`, where n is the take-profit's number: `bridge_commands` keeps
 * one row per (fire, leg). Everywhere outside the store (the API, updates, the terminal's own
 * commands) a leg is n: "leg 1" is every terminal's first take-profit.
 */
export const LEG_BLOCK = 100;

/** The stored leg of take-profit `n` on the trader's terminal number `k` (0-based). */
export const storedLeg = (terminalIndex: number, n: number): number => terminalIndex * LEG_BLOCK + n;

/** The take-profit number (1-based) of a stored leg. */
export const takeProfitLeg = (stored: number): number => stored % LEG_BLOCK;
