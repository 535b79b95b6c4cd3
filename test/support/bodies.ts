/** Request bodies most tests send: a signal as the admin logs it, a terminal's demo account. */

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

/** A terminal's account as its heartbeat reports it: a USD demo account of 10,000, trading allowed. */
export function demoAccount(
  login: number,
  overrides: Partial<{ balance: number; equity: number; currency: string; trade_allowed: boolean }> = {},
) {
  return {
    login,
    server: "Demo",
    currency: "USD",
    balance: 10_000,
    equity: 10_000,
    trade_allowed: true,
    ...overrides,
  };
}
