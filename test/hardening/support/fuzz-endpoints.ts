import { HOOK_SECRET } from "../../support/harness.ts";
import { spec } from "../../support/paper.ts";

export type Auth =
  | "none"
  | "tma"
  | "tma-admin"
  | "admin"
  | "bridge"
  | "forged"
  | "expired"
  | "junk"
  | "huge"
  | "swapped";
export interface Endpoint {
  method: string;
  path: string;
  auth: Auth;
  body?: () => unknown;
}

/** Every route, with the credentials and body a well-behaved client would send. */
export function endpoints(ids: { signal: string; commands: string[] }): Endpoint[] {
  let turn = 0;
  const command = () => ids.commands[turn++ % ids.commands.length];
  const future = () => new Date(Date.now() + 3600_000).toISOString();
  return [
    { method: "GET", path: "/health", auth: "none" },
    { method: "GET", path: "/metrics", auth: "admin" },
    { method: "GET", path: "/api/signals", auth: "tma" },
    { method: "GET", path: "/api/signals/:id", auth: "tma" },
    { method: "GET", path: "/api/signals/:id/fire-count", auth: "admin" },
    {
      method: "POST",
      path: "/api/signals",
      auth: "admin",
      body: () => ({
        symbol: "EURUSD",
        side: "BUY",
        entry: 1.085,
        stop_loss: 1.083,
        take_profit: [1.089, 1.091],
        expires_at: future(),
        confidence: 80,
        shield_score: 8,
        shield_notes: "n",
        min_tier: "NIBBLER",
        idempotency_key: "k",
      }),
    },
    { method: "POST", path: "/api/signals/:id/cancel", auth: "tma-admin" },
    { method: "GET", path: "/api/missions/:id", auth: "tma" },
    { method: "PUT", path: "/api/missions/:id/note", auth: "tma", body: () => ({ text: "my note" }) },
    { method: "POST", path: "/api/fire", auth: "tma", body: () => ({ signal_id: ids.signal, user_id: 3 }) },
    { method: "GET", path: "/api/users/:id/stats", auth: "tma" },
    { method: "GET", path: "/api/me", auth: "tma" },
    { method: "PATCH", path: "/api/me", auth: "tma", body: () => ({ risk_percent: 1.5 }) },
    { method: "POST", path: "/api/me/bridge-token", auth: "tma" },
    { method: "GET", path: "/api/me/fires", auth: "tma" },
    { method: "GET", path: "/api/events", auth: "junk" }, // a valid stream never ends: only refusals here
    { method: "GET", path: "/api/prices/:id", auth: "tma" },
    {
      method: "POST",
      path: `/hooks/signal/${HOOK_SECRET}`,
      auth: "none",
      body: () => ({
        symbol: "EURUSD",
        side: "buy",
        price: "1.085",
        sl: "1.083",
        tp1: "1.089",
        tp2: 1.091,
        expiry: 30,
        idempotency_key: "h",
      }),
    },
    { method: "POST", path: "/hooks/signal/:id", auth: "none", body: () => ({ symbol: "EURUSD" }) },
    { method: "GET", path: "/mission/:id", auth: "none" },
    { method: "GET", path: "/app/", auth: "none" },
    { method: "GET", path: "/app/:id", auth: "none" },
    { method: "GET", path: "/app/assets/:id", auth: "none" },
    {
      method: "POST",
      path: "/bridge/v1/heartbeat",
      auth: "bridge",
      body: () => ({
        account: { login: 1, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true },
        symbols: [spec("EURUSD")],
        prices: [{ symbol: "EURUSD", bid: 1.0849, ask: 1.085, time: future() }],
      }),
    },
    { method: "GET", path: "/bridge/v1/commands", auth: "bridge" },
    {
      method: "POST",
      path: "/bridge/v1/results",
      auth: "bridge",
      body: () => ({
        id: command(),
        status: "filled",
        retcode: 10009,
        ticket: 7,
        price: 1.085,
        volume: 0.5,
        message: "done",
      }),
    },
    {
      method: "POST",
      path: "/bridge/v1/closed",
      auth: "bridge",
      body: () => ({ id: command(), ticket: 7, close_price: 1.089, profit: 200, closed_at: future() }),
    },
  ];
}
