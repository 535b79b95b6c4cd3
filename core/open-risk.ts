import { roundMoney } from "./money.ts";

/** One open position of a fire, with the stop it has now and the levels it was opened with. */
export interface OpenPosition {
  /** Lots filled (still open). */
  volume: number;
  fill: number;
  /** The stop it has now (after any update), or was opened with. */
  stop: number;
  /** The signal's entry and stop the fire was sized on. */
  entry: number;
  openedStop: number;
}

/**
 * The part of a fire's money at risk that is still open: what it loses if every open position
 * stopped out at its stop now, priced as the fire was sized (`riskAmount` over `lots` lots between
 * entry and stop). A stop moved to the fill or beyond risks nothing; a closed position is not
 * listed. With nothing known about the sizing (no risk amount, no lots, entry at the stop), null.
 */
export function openRisk(
  fire: { side: "BUY" | "SELL"; lots: number; riskAmount: number | null },
  positions: readonly OpenPosition[],
): number | null {
  if (fire.riskAmount === null || fire.lots <= 0) return null;
  const direction = fire.side === "BUY" ? 1 : -1;
  let total = 0;
  for (const p of positions) {
    const sizedOn = Math.abs(p.entry - p.openedStop);
    if (!(sizedOn > 0)) return null;
    const perLotAndPrice = fire.riskAmount / (fire.lots * sizedOn);
    total += p.volume * Math.max(0, direction * (p.fill - p.stop)) * perLotAndPrice;
  }
  return roundMoney(total);
}
