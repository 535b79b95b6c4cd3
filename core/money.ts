/** Currency conversion and step arithmetic. Pure. */

/** Latest mid prices by 6-letter pair name, e.g. `{ USDJPY: 150, GBPUSD: 1.25 }`. */
export type Rates = Readonly<Record<string, number>>;

/**
 * How many units of `to` one unit of `from` is worth, from the pair quotes in `rates`: direct
 * (`FROMTO`), inverse (`TOFROM`), or through USD. Null when no known rate links them.
 */
export function conversionRate(from: string, to: string, rates: Rates): number | null {
  if (from === to) return 1;
  const direct = rates[`${from}${to}`];
  if (direct !== undefined && direct > 0) return direct;
  const inverse = rates[`${to}${from}`];
  if (inverse !== undefined && inverse > 0) return 1 / inverse;
  if (from !== "USD" && to !== "USD") {
    const viaFrom = conversionRate(from, "USD", rates);
    const viaTo = conversionRate("USD", to, rates);
    if (viaFrom !== null && viaTo !== null) return viaFrom * viaTo;
  }
  return null;
}

/** Number of decimals a step such as 0.01 or 0.1 has, so results print as 0.29, not 0.29000000000000004. */
export function stepDecimals(step: number): number {
  const text = step.toString();
  if (text.includes("e-")) return Number(text.split("e-")[1]);
  const dot = text.indexOf(".");
  return dot === -1 ? 0 : text.length - dot - 1;
}

/**
 * Whole volume steps that fit in `volume`, never rounding up. The 1e-9 absorbs binary noise
 * (0.29 / 0.01 = 28.999999999999996) so 0.29 stays 0.29 (STYLE.md).
 */
export function floorSteps(volume: number, step: number): number {
  return Math.floor(volume / step + 1e-9);
}

const decimalFactors = new Map<number, number>();

/** `steps × step` as a clean decimal (0.29, not 0.29000000000000004). */
export function stepsToVolume(steps: number, step: number): number {
  let factor = decimalFactors.get(step);
  if (factor === undefined) {
    factor = 10 ** stepDecimals(step);
    decimalFactors.set(step, factor);
  }
  return Math.round(steps * step * factor) / factor;
}

/** Rounds money for display and JSON (cents). */
export function roundMoney(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/** Rounds to `decimals` places. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
