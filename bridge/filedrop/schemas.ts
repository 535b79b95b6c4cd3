/**
 * Run-time shapes of the bridge protocol v1 messages (`bridge/protocol.ts`), for input that
 * arrives as files or over the wire. Extra fields are allowed: the contract welcomes them.
 */
import Type from "typebox";
import { Value } from "typebox/value";

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const Side = Type.Union([Type.Literal("BUY"), Type.Literal("SELL")]);

export const HeartbeatSchema = Type.Object({
  account: Type.Object({
    login: Type.Union([Type.Number(), Type.String()]),
    server: Type.String(),
    currency: Type.String(),
    balance: Type.Number(),
    equity: Type.Number(),
    trade_allowed: Type.Boolean(),
  }),
  symbols: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1 }),
        tick_size: Type.Number({ exclusiveMinimum: 0 }),
        tick_value: Type.Number(),
        volume_min: Type.Number(),
        volume_step: Type.Number({ exclusiveMinimum: 0 }),
        volume_max: Type.Number(),
        contract_size: Type.Number(),
        digits: Type.Integer({ minimum: 0 }),
      }),
    ),
  ),
  prices: Type.Optional(
    Type.Array(
      Type.Object({
        symbol: Type.String({ minLength: 1 }),
        bid: Type.Number(),
        ask: Type.Number(),
        time: Type.Optional(Type.Union([Type.String(), Type.Number()])),
      }),
    ),
  ),
});

export const CommandResultSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  status: Type.Union([Type.Literal("filled"), Type.Literal("rejected"), Type.Literal("failed")]),
  retcode: Type.Optional(NullableNumber),
  ticket: Type.Optional(Type.Union([Type.Number(), Type.String(), Type.Null()])),
  price: Type.Optional(NullableNumber),
  volume: Type.Optional(NullableNumber),
  message: Type.Optional(NullableString),
});

export const ClosedReportSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  ticket: Type.Optional(Type.Union([Type.Number(), Type.String(), Type.Null()])),
  close_price: Type.Number(),
  profit: Type.Number(),
  closed_at: Type.Optional(NullableString),
});

export const BridgeCommandSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  fire_id: Type.String(),
  leg: Type.Integer({ minimum: 0 }),
  action: Type.Literal("open"),
  symbol: Type.String({ minLength: 1 }),
  side: Side,
  volume: Type.Number({ exclusiveMinimum: 0 }),
  entry: Type.Number(),
  max_entry_distance: Type.Number({ minimum: 0 }),
  stop_loss: Type.Number(),
  take_profit: NullableNumber,
  expires_at: Type.String({ minLength: 1 }),
  comment: Type.String(),
});

/** Why `value` does not match `schema` (first problem, e.g. "/account/balance must be number"), or null. */
export function describeMismatch(schema: Type.TSchema, value: unknown): string | null {
  if (Value.Check(schema, value)) return null;
  for (const error of Value.Errors(schema, value)) {
    return `${error.instancePath || "body"} ${error.message}`;
  }
  return "does not match the message shape";
}
