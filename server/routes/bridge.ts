import { Type } from "typebox";
import { errorResponses } from "../schemas.ts";
import type { App, RouteDeps } from "./types.ts";

/**
 * Every number a terminal reports is bounded: Ajv's `number` lets 1e308 through, and a fill at
 * 1e308 made the derived fill price and slippage Infinity, after which every read of that fire
 * answered 500 (found by fuzzing). No price, lot, balance or spec comes near 1e15, and products
 * and sums of such numbers stay finite.
 */
const REPORTED_MAX = 1e15;
const Finite = (opts: Record<string, unknown> = {}) =>
  Type.Number({ minimum: -REPORTED_MAX, maximum: REPORTED_MAX, ...opts });
const HeartbeatSchema = Type.Object({
  protocol: Type.Optional(Type.String({ maxLength: 16 })),
  account: Type.Object({
    login: Type.Union([Type.Integer(), Type.String({ maxLength: 64 })]),
    server: Type.String({ maxLength: 128 }),
    currency: Type.String({ minLength: 2, maxLength: 8, pattern: "^[A-Za-z0-9]{2,8}$" }),
    balance: Finite(),
    equity: Finite(),
    trade_allowed: Type.Boolean(),
  }),
  symbols: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1, maxLength: 64 }),
        // MT5 reports 0 until a symbol's conversion rate arrives: accepted, and sizing then falls back
        // to the built-in spec for that symbol (resolveSpec ignores incomplete terminal specs).
        tick_size: Finite({ minimum: 0 }),
        tick_value: Finite({ minimum: 0 }),
        volume_min: Finite({ minimum: 0 }),
        volume_step: Finite({ minimum: 0 }),
        volume_max: Finite({ minimum: 0 }),
        contract_size: Finite({ minimum: 0 }),
        digits: Type.Integer({ minimum: 0, maximum: 10 }),
      }),
      { maxItems: 2000 },
    ),
  ),
  prices: Type.Optional(
    Type.Array(
      Type.Object({
        symbol: Type.String({ minLength: 1, maxLength: 64 }),
        bid: Finite({ exclusiveMinimum: 0 }),
        ask: Finite({ exclusiveMinimum: 0 }),
        // Unix seconds: bounded to what a Date can hold (the store turns it into ISO text; past
        // ±8.64e12 s toISOString() throws, which answered 500 before this bound — found by fuzzing).
        time: Type.Optional(
          Type.Union([Type.String({ maxLength: 40 }), Type.Number({ minimum: 0, maximum: 8.64e12 })]),
        ),
      }),
      { maxItems: 2000 },
    ),
  ),
});

/**
 * Open (protocol 1), modify and close (1.1) commands in one list: the fields an action does not
 * use are left out. Nullable scalars as type lists (fast-json-stringify writes them directly).
 */
const NumOrNull = Type.Unsafe<number | null>({ type: ["number", "null"] });
const CommandSchema = Type.Object({
  id: Type.String(),
  fire_id: Type.String(),
  leg: Type.Integer(),
  action: Type.String(),
  symbol: Type.String(),
  position_of: Type.Optional(Type.String()),
  side: Type.Optional(Type.String()),
  volume: Type.Optional(NumOrNull),
  entry: Type.Optional(Type.Number()),
  max_entry_distance: Type.Optional(Type.Number()),
  stop_loss: Type.Optional(Type.Number()),
  take_profit: Type.Optional(NumOrNull),
  expires_at: Type.Optional(Type.String()),
  comment: Type.Optional(Type.String()),
});

const CommandIdField = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" });
const Ok = Type.Object({ ok: Type.Boolean() });

/** MT5 bridge protocol v1 over HTTP: every route is scoped to the bridge token's user. */
export function bridgeRoutes(app: App, { ctx, auth, candles }: RouteDeps, shutdown: AbortSignal): void {
  const { bridge, clock } = ctx;
  const bridgeAuth = auth.bridge.bind(auth);

  app.post(
    "/bridge/v1/heartbeat",
    {
      // 2,000 specs and 2,000 prices (the caps) take ~500 KB of JSON: above the app's 256 KB.
      bodyLimit: 1024 * 1024,
      preValidation: bridgeAuth,
      schema: {
        tags: ["bridge"],
        body: HeartbeatSchema,
        response: { 200: Type.Object({ server_time: Type.String() }), ...errorResponses(400, 401, 429) },
      },
    },
    async (req) => {
      const answer = await bridge.heartbeat(req.bridgeUserId!, req.body);
      if (req.body.prices) candles.add(req.bridgeUserId!, req.body.prices, clock.now());
      return answer;
    },
  );

  app.get(
    "/bridge/v1/commands",
    {
      preValidation: bridgeAuth,
      schema: {
        tags: ["bridge"],
        querystring: Type.Object({ wait: Type.Optional(Type.Number({ minimum: 0 })) }),
        response: { 200: Type.Object({ commands: Type.Array(CommandSchema) }), ...errorResponses(400, 401, 429) },
      },
    },
    async (req) => {
      const userId = req.bridgeUserId!;
      // Above 30 s counts as 30 (CONTRACT.md): proxies commonly cut idle requests at 60 s.
      const waitMs = Math.min(req.query.wait ?? 0, 30) * 1000;
      const deadline = Date.now() + waitMs;
      const gone = new AbortController();
      const onClose = () => gone.abort();
      req.raw.once("close", onClose);
      shutdown.addEventListener("abort", onClose, { once: true });
      try {
        for (;;) {
          const commands = await bridge.takeCommands(userId);
          const left = deadline - Date.now();
          if (commands.length > 0 || left <= 0 || gone.signal.aborted) return { commands };
          // Woken at once by a committed fire, with its commands handed over (no second read); the
          // 1 s cap re-checks visibility-timeout redeliveries.
          const handed = await bridge.waitForHandedCommands(userId, Math.min(left, 1000), gone.signal);
          if (handed.length > 0) return { commands: handed };
        }
      } finally {
        req.raw.off("close", onClose);
        shutdown.removeEventListener("abort", onClose);
      }
    },
  );

  app.post(
    "/bridge/v1/results",
    {
      preValidation: bridgeAuth,
      schema: {
        tags: ["bridge"],
        body: Type.Object({
          id: CommandIdField,
          status: Type.Union([Type.Literal("filled"), Type.Literal("rejected"), Type.Literal("failed")]),
          retcode: Type.Optional(
            Type.Union([Type.Integer({ minimum: -2147483648, maximum: 2147483647 }), Type.Null()]),
          ),
          ticket: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 64 }), Type.Null()])),
          price: Type.Optional(Type.Union([Finite({ minimum: 0 }), Type.Null()])),
          volume: Type.Optional(Type.Union([Finite({ minimum: 0 }), Type.Null()])),
          message: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
        }),
        response: { 200: Ok, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      await bridge.submitResult(req.bridgeUserId!, req.body);
      return { ok: true };
    },
  );

  app.post(
    "/bridge/v1/closed",
    {
      preValidation: bridgeAuth,
      schema: {
        tags: ["bridge"],
        body: Type.Object({
          id: CommandIdField,
          ticket: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 64 }), Type.Null()])),
          close_price: Finite({ minimum: 0 }),
          profit: Finite(),
          closed_at: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
        }),
        response: { 200: Ok, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (req) => {
      await bridge.submitClosed(req.bridgeUserId!, req.body);
      return { ok: true };
    },
  );
}
