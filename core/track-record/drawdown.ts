/**
 * Largest peak-to-trough fall of the cumulative R curve built from `results` in order, as a
 * positive number of R (0 when the curve never falls). The curve starts at 0 R, and that start
 * counts as the first peak: a first trade of −1 R is a 1 R drawdown.
 * Example: +1, −2, +0.5, −1 → curve 1, −1, −0.5, −1.5 → peak 1, trough −1.5 → 2.5 R.
 */
export function maxDrawdownR(results: Iterable<number>): number {
  let cumulative = 0;
  let peak = 0;
  let worst = 0;
  for (const r of results) {
    cumulative += r;
    if (cumulative > peak) peak = cumulative;
    else if (peak - cumulative > worst) worst = peak - cumulative;
  }
  return worst;
}
