/** A signal's expiry, which each test says itself: minutes from now, or a moment. */
type Expiry = { expires_in_min: number } | { expires_at: string };

/**
 * The signal most tests log, as the admin API takes it: BUY EURUSD at 1.085, stop 1.083, one
 * target at 1.089. `fields` gives the expiry and anything the test adds or changes.
 */
export function signalBody(fields: Expiry & Record<string, unknown>) {
  return {
    symbol: "EURUSD",
    side: "BUY",
    entry: 1.085,
    stop_loss: 1.083,
    take_profit: [1.089],
    ...fields,
  };
}
