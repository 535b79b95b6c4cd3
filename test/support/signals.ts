/**
 * The signal most tests log, as the admin API takes it: BUY EURUSD at 1.085, stop 1.083, two
 * targets, an hour to live. `overrides` adds or replaces fields.
 */
export function signalBody(overrides: Record<string, unknown> = {}) {
  return {
    symbol: "EURUSD",
    side: "BUY",
    entry: 1.085,
    stop_loss: 1.083,
    take_profit: [1.089, 1.091],
    expires_in_min: 60,
    ...overrides,
  };
}
