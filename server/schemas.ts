import { type Static, Type } from "typebox";
import { ID_PATTERN } from "./ids.ts";

/**
 * Response and request schemas (TypeBox → JSON Schema). Response schemas are also the leak guard:
 * fast-json-stringify writes only the properties listed here.
 */
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
/**
 * Nullable scalars as a JSON Schema type list (`["number", "null"]`), not `anyOf`: the response
 * serializer (fast-json-stringify) writes a type list directly but must validate each `anyOf`
 * branch at run time, which made a mission's serialization several times slower.
 */
const nullableScalar = <T>(type: "number" | "string" | "integer") => Type.Unsafe<T | null>({ type: [type, "null"] });
/** A nullable object the same way (`type: ["object", "null"]`): no `anyOf` branch validated per answer. */
const nullableObject = <T extends ReturnType<typeof Type.Object>>(t: T) =>
  Type.Unsafe<Static<T> | null>({ ...t, type: ["object", "null"] });
export const Num = Type.Number();
export const NumOrNull = nullableScalar<number>("number");
const StrOrNull = nullableScalar<string>("string");
const IntOrNull = nullableScalar<number>("integer");

export const ErrorBody = Type.Object(
  {
    error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
  },
  { $id: "Error" },
);

export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, Type.Ref("Error")])) as Record<number, ReturnType<typeof Type.Ref>>;

export const Tier = Type.Union([
  Type.Literal("NIBBLER"),
  Type.Literal("FANG"),
  Type.Literal("COMMANDER"),
  Type.Literal("APEX"),
]);

export const SignalSchema = Type.Object({
  id: Type.String(),
  symbol: Type.String(),
  side: Type.String(),
  entry: Num,
  stop_loss: Num,
  take_profit: Type.Array(Num),
  expires_at: Type.String(),
  confidence: NumOrNull,
  shield_score: NumOrNull,
  shield_notes: StrOrNull,
  pattern: StrOrNull,
  session: StrOrNull,
  min_tier: Type.String(),
  status: Type.String(),
  created_at: Type.String(),
  cancelled_at: StrOrNull,
  source: Type.String(),
  breakeven_after_tp1: Type.Optional(Type.Boolean()),
  digits: Type.Optional(Type.Integer()),
  /** Scheduled signals (CONTRACT.md, "Scheduled signals"): when it goes out. */
  publish_at: Type.Optional(StrOrNull),
  /** Listed scheduled signals: seconds until then. */
  publish_in_s: Type.Optional(Type.Integer()),
});

export const SignalWithCount = Type.Object({ ...SignalSchema.properties, fire_count: Type.Integer() });

const Leg = Type.Object({
  id: Type.String(),
  leg: Type.Integer(),
  volume: Num,
  take_profit: NumOrNull,
  state: Type.String(),
  price: NumOrNull,
  ticket: StrOrNull,
  retcode: IntOrNull,
  message: StrOrNull,
  close_price: NumOrNull,
  profit: NumOrNull,
  closed_at: StrOrNull,
  deliveries: Type.Integer(),
});

/** Several terminals per trader: one terminal's part of a fire (CONTRACT.md). */
export const FireTerminalSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  state: Type.String(),
  lots: Num,
  risk_amount: Num,
  fill_price: NumOrNull,
  filled_volume: NumOrNull,
  message: StrOrNull,
  reason: StrOrNull,
});

/** Several terminals per trader: one terminal's sizing in a mission (CONTRACT.md). */
export const MissionTerminalSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  online: Type.Boolean(),
  lots: Num,
  risk_amount: Num,
  currency: StrOrNull,
  reason: StrOrNull,
});

export const FireSchema = Type.Object({
  id: Type.String(),
  signal_id: Type.String(),
  user_id: Type.Integer(),
  state: Type.String(),
  lots: Num,
  symbol: Type.String(),
  broker_symbol: Type.String(),
  side: Type.String(),
  risk_amount: NumOrNull,
  fill_price: NumOrNull,
  slippage_pips: NumOrNull,
  latency_ms: IntOrNull,
  profit: NumOrNull,
  message: StrOrNull,
  xp_awarded: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
  closed_at: StrOrNull,
  legs: Type.Array(Leg),
  terminals: Type.Optional(Type.Array(FireTerminalSchema)),
});

export const UserSchema = Type.Object({
  id: Type.Integer(),
  tier: Type.String(),
  balance: NumOrNull,
  equity: NumOrNull,
  currency: StrOrNull,
  risk_percent: Num,
  daily_limit: IntOrNull,
  fires_today: Type.Integer(),
  fires_left_today: IntOrNull,
});

export const BridgeStatusSchema = Type.Object({
  linked: Type.Boolean(),
  online: Type.Boolean(),
  last_seen: StrOrNull,
  trade_allowed: Type.Boolean(),
});

const Reward = Type.Object({ take_profit: Num, lots: Num, pips: Num, amount: Num, risk_reward: Num });

export const PositionSchema = Type.Object({
  lots: Num,
  risk_amount: Num,
  risk_money: Num,
  reward_amount: Num,
  stop_pips: Num,
  target_pips: Num,
  risk_reward: Num,
  pip_value: Num,
  rewards: Type.Array(Reward),
  reason: StrOrNull,
  spec_source: Type.String(),
});

const Refusal = Type.Object({ code: Type.String(), message: Type.String() });
const Link = Type.Object({ title: Type.String(), url: Type.String() });

export const MissionSchema = Type.Object({
  signal: SignalSchema,
  status: Type.String(),
  user: UserSchema,
  position: PositionSchema,
  fire: nullableObject(FireSchema),
  fire_count: Type.Integer(),
  expires_in_s: Type.Integer(),
  bridge: BridgeStatusSchema,
  can_fire: Type.Boolean(),
  fire_block: nullableObject(Refusal),
  note: StrOrNull,
  note_updated_at: StrOrNull,
  links: Type.Array(Link),
  terminals: Type.Optional(Type.Array(MissionTerminalSchema)),
});

export const StatsSchema = Type.Object({
  user_id: Type.Integer(),
  trades: Type.Integer(),
  wins: Type.Integer(),
  losses: Type.Integer(),
  win_rate: Num,
  pnl: Num,
  pnl_7d: Num,
  xp: Type.Integer(),
  rank: Type.String(),
  fires: Type.Integer(),
  fires_today: Type.Integer(),
});

export const IdParam = Type.String({ pattern: ID_PATTERN, maxLength: 64 });
export const SignalIdParams = Type.Object({ signalId: IdParam });

/** Body of `POST /api/signals`: types are loose on purpose, core validates and names the field. */
export const SignalInputSchema = Type.Object({
  symbol: Type.String({ maxLength: 64 }),
  side: Type.String({ maxLength: 8 }),
  entry: Num,
  stop_loss: Num,
  take_profit: Type.Union([Num, Type.Array(Num, { minItems: 1, maxItems: 5 })]),
  expires_at: Type.Optional(Type.String({ maxLength: 64 })),
  expires_in_s: Type.Optional(Num),
  expires_in_min: Type.Optional(Num),
  confidence: Type.Optional(NumOrNull),
  shield_score: Type.Optional(NumOrNull),
  shield_notes: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  pattern: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  session: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  min_tier: Type.Optional(Tier),
  idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  breakeven_after_tp1: Type.Optional(Type.Boolean()),
  /** ISO time, future, ≤ 7 days: the signal stays `scheduled` (not public) until then. */
  publish_at: Type.Optional(Type.String({ maxLength: 64 })),
});
export type SignalInputBody = Static<typeof SignalInputSchema>;
